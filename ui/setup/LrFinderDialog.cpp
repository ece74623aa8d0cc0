#include "setup/LrFinderDialog.h"

#include "shared/BackgroundCall.h"
#include "shared/ChartStyle.h"
#include "shared/NumberFormat.h"
#include "shared/QtText.h"
#include "train/LrFinder.h"

#include <QChart>
#include <QChartView>
#include <QDialogButtonBox>
#include <QFutureWatcher>
#include <QLabel>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QMouseEvent>
#include <QProgressBar>
#include <QPushButton>
#include <QScatterSeries>
#include <QTimer>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <atomic>

namespace studio {

// What the background test shares with the dialog: it lives until the destructor has waited for it.
struct LrFinderDialog::Test {
    mnist::StopToken stop;
    std::atomic<qint64> done{0}, total{0}; // written by the pool thread, read by the poll timer
    QFutureWatcher<CallOutcome<mnist::LrFinderResult>> watcher;
    mnist::LrFinderResult result;
    bool ended = false;
};

LrFinderDialog::LrFinderDialog(const mnist::TrainConfig& config, qint64 maxIterations, QWidget* parent)
    : QDialog(parent), m_test(std::make_unique<Test>()), m_targetField(fromStd(mnist::suggestedLrField(config)))
{
    setObjectName(QStringLiteral("lrFinderDialog"));
    setWindowTitle(tr("LR range test"));
    auto* layout = new QVBoxLayout(this);
    m_statusLabel = new QLabel(this);
    m_statusLabel->setObjectName(QStringLiteral("lrFinderStatus"));
    m_statusLabel->setWordWrap(true);
    // Room for the longest status (the suggestion, three lines): a word-wrapped label's height is
    // not re-laid out when its text grows in an open dialog, and the first lines were cut off.
    m_statusLabel->setMinimumHeight(m_statusLabel->fontMetrics().lineSpacing() * 3 + 4);
    m_statusLabel->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    layout->addWidget(m_statusLabel);
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("lrFinderProgress"));
    m_progress->setRange(0, 0); // busy until the data is loaded and the total is known
    layout->addWidget(m_progress);

    m_chart = new QChart;
    m_curve = new QLineSeries;
    m_curve->setName(tr("Smoothed training loss"));
    m_mark = new QScatterSeries;
    m_mark->setName(tr("Suggested LR"));
    m_mark->setMarkerSize(11);
    m_chart->addSeries(m_curve);
    m_chart->addSeries(m_mark);
    m_x = new QLogValueAxis;
    m_x->setTitleText(tr("Learning rate (log scale)"));
    m_x->setLabelFormat(QStringLiteral("%.0e"));
    m_y = new QValueAxis;
    m_y->setTitleText(tr("Smoothed loss"));
    m_y->setLabelFormat(QStringLiteral("%.2f"));
    m_chart->addAxis(m_x, Qt::AlignBottom);
    m_chart->addAxis(m_y, Qt::AlignLeft);
    for (QXYSeries* s : {static_cast<QXYSeries*>(m_curve), static_cast<QXYSeries*>(m_mark)}) {
        s->attachAxis(m_x);
        s->attachAxis(m_y);
    }
    setSeriesRole(m_curve, SeriesRole::IterationLossSmoothed);
    setSeriesRole(m_mark, SeriesRole::LearningRate);
    styleCompactChart(m_chart);
    m_chart->setTitle(tr("Loss against learning rate"));
    m_view = new QChartView(m_chart, this);
    m_view->setObjectName(QStringLiteral("lrFinderChart"));
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setMinimumSize(560, 340);
    m_view->setToolTip(tr("Click to use the learning rate under the pointer"));
    m_view->viewport()->installEventFilter(this);
    applyChartTheme(m_chart);
    layout->addWidget(m_view, 1);

    auto* buttons = new QDialogButtonBox(this);
    m_use = buttons->addButton(tr("Use suggested"), QDialogButtonBox::AcceptRole);
    m_use->setObjectName(QStringLiteral("useSuggestedLr"));
    m_use->setEnabled(false);
    m_use->setDefault(true); // Enter
    m_cancel = buttons->addButton(QDialogButtonBox::Cancel);
    m_cancel->setObjectName(QStringLiteral("cancelLrFinder"));
    connect(m_use, &QPushButton::clicked, this, [this] { chooseLr(m_suggested); });
    connect(m_cancel, &QPushButton::clicked, this, &LrFinderDialog::reject);
    layout->addWidget(buttons);

    m_poll = new QTimer(this);
    m_poll->setInterval(100);
    connect(m_poll, &QTimer::timeout, this, [this] {
        const qint64 total = m_test->total.load();
        if (total <= 0)
            return;
        m_progress->setRange(0, static_cast<int>(total));
        m_progress->setValue(static_cast<int>(m_test->done.load()));
        m_statusLabel->setText(tr("Training a throwaway copy of the set-up with a rising LR: iteration %1 of at most %2")
                                   .arg(m_test->done.load())
                                   .arg(total));
    });
    m_poll->start();
    m_statusLabel->setText(tr("Loading the data …"));

    connect(&m_test->watcher, &QFutureWatcher<CallOutcome<mnist::LrFinderResult>>::finished, this, &LrFinderDialog::finish);
    mnist::LrFinderOptions options;
    options.maxIterations = maxIterations;
    Test* test = m_test.get();
    m_test->watcher.setFuture(runInBackground([config, options, test] {
        const mnist::LrFinder finder(config, options);
        return finder.run(
            [test](int64_t done, int64_t total) {
                test->done.store(done);
                test->total.store(total);
            },
            test->stop);
    }));
}

LrFinderDialog::~LrFinderDialog()
{
    m_test->stop.requestStop();
    m_test->watcher.waitForFinished();
}

bool LrFinderDialog::isRunning() const
{
    return !m_test->ended;
}

int LrFinderDialog::pointCount() const
{
    return static_cast<int>(m_test->result.points.size());
}

QString LrFinderDialog::statusText() const
{
    return m_statusLabel->text();
}

void LrFinderDialog::finish()
{
    m_poll->stop();
    m_test->ended = true;
    const CallOutcome<mnist::LrFinderResult> outcome = m_test->watcher.result();
    m_progress->setRange(0, 1);
    m_progress->setValue(1);
    m_cancel->setText(tr("Close"));
    if (!outcome.ok) {
        m_statusLabel->setText(tr("The test could not run: %1").arg(outcome.error));
        Q_EMIT testEnded();
        return;
    }
    m_test->result = outcome.value;
    const mnist::LrFinderResult& r = m_test->result;
    m_suggested = r.suggestedLr;
    showCurve();
    const QString ending = r.stopped    ? tr("stopped")
                           : r.diverged ? tr("the loss diverged at LR %1").arg(formatSignificant(r.points.empty() ? 0 : r.points.back().lr, 3))
                                        : tr("one epoch done");
    // Only a reduced precision is worth a word: fp32 is what every run computes in by default.
    const QString ended = r.precision == "fp32" ? ending : tr("%1, in %2").arg(ending, fromStd(r.precision));
    if (m_suggested > 0) {
        m_statusLabel->setText(tr("Suggested learning rate %1 (steepest descent of the smoothed loss; %2, %3 points). "
                                  "Use it, or click the chart for another; it goes into %4.")
                                   .arg(formatSignificant(m_suggested, 3), ended)
                                   .arg(r.points.size())
                                   .arg(m_targetField));
        m_use->setEnabled(true);
        m_use->setFocus();
    } else {
        m_statusLabel->setText(tr("No suggestion (%1, %2 points): too few points.").arg(ended).arg(r.points.size()));
    }
    Q_EMIT testEnded();
}

void LrFinderDialog::showCurve()
{
    const auto& points = m_test->result.points;
    QList<QPointF> line;
    double lo = 0, hi = 0;
    for (const mnist::LrPoint& p : points) {
        line.append(QPointF(p.lr, p.loss));
        lo = line.size() == 1 ? p.loss : std::min(lo, p.loss);
        hi = line.size() == 1 ? p.loss : std::max(hi, p.loss);
    }
    m_curve->replace(line);
    if (points.empty())
        return;
    setLogRange(m_x, points.front().lr, points.back().lr);
    const double pad = std::max((hi - lo) * 0.05, 1e-3);
    m_y->setRange(lo - pad, hi + pad);
    for (const mnist::LrPoint& p : points)
        if (p.lr == m_suggested)
            m_mark->replace({QPointF(p.lr, p.loss)});
}

void LrFinderDialog::chooseLr(double lr)
{
    const auto& points = m_test->result.points;
    if (points.empty() || !(lr > 0))
        return;
    lr = std::clamp(lr, points.front().lr, points.back().lr);
    Q_EMIT lrChosen(lr);
    accept();
}

void LrFinderDialog::reject()
{
    m_test->stop.requestStop(); // the destructor waits for it
    QDialog::reject();
}

bool LrFinderDialog::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_view->viewport() && event->type() == QEvent::MouseButtonRelease && m_test->ended) {
        const auto* mouse = static_cast<QMouseEvent*>(event);
        const QPointF inChart = m_chart->mapFromScene(m_view->mapToScene(mouse->position().toPoint()));
        if (mouse->button() == Qt::LeftButton && m_chart->plotArea().contains(inChart)) {
            chooseLr(m_chart->mapToValue(inChart, m_curve).x());
            return true;
        }
    }
    return QDialog::eventFilter(watched, event);
}

} // namespace studio
