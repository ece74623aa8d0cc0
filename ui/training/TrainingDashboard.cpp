#include "training/TrainingDashboard.h"


#include "shared/BandSeries.h"
#include "shared/ChartExport.h"
#include "shared/ChartStyle.h"
#include "shared/Decimate.h"
#include "shared/NumberFormat.h"

#include <QAreaSeries>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QCursor>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QProgressBar>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QToolTip>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace studio {
namespace {

QString duration(qint64 ms)
{
    return formatDuration(std::max<qint64>(ms, 0) / 1000);
}

// A tick every 1, 2 or 5 x 10^k epochs, at most about 10 ticks.
double niceInterval(double span)
{
    const double raw = std::max(span / 10.0, 1.0);
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (raw <= m * mag)
            return m * mag;
    return 10 * mag;
}

// Ticks at multiples of 1, 2 or 5 x 10^k, about `ticks` of them over [0, span].
void setNiceTicks(QValueAxis* axis, double span, int ticks)
{
    axis->setTickType(QValueAxis::TicksDynamic);
    axis->setTickAnchor(0);
    const double raw = std::max(span / ticks, 1.0);
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    double step = 10 * mag;
    for (double m : {1.0, 2.0, 5.0})
        if (raw <= m * mag) {
            step = m * mag;
            break;
        }
    axis->setTickInterval(step);
}

// Points worth drawing in a chart: a min/max pair per pixel column of its plot area (a spike still
// shows), never more than `cap`; a chart not laid out yet gets the cap.
int drawBudget(const QChartView* view, int cap)
{
    const double width = view->chart()->plotArea().width();
    return width >= 32 ? std::min(cap, static_cast<int>(2 * width)) : cap;
}

QLineSeries* makeSeries(const QString& name, SeriesRole role)
{
    auto* s = new QLineSeries;
    s->setName(name);
    setSeriesRole(s, role);
    return s;
}

} // namespace

TrainingDashboard::TrainingDashboard(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("trainingDashboard"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);

    auto* top = new QHBoxLayout;
    m_progress = new QLabel(tr("Ready. Press Train to start a run."), this);
    m_progress->setObjectName(QStringLiteral("progressLabel"));
    m_progress->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_progressBar = new QProgressBar(this);
    m_progressBar->setObjectName(QStringLiteral("progressBar"));
    m_progressBar->setRange(0, 1000);
    m_progressBar->setValue(0);
    m_progressBar->setTextVisible(true);
    m_progressBar->setFormat(QStringLiteral("%p%"));
    m_progressBar->setMaximumWidth(220);
    top->addWidget(m_progress, 1);
    top->addWidget(m_progressBar);
    layout->addLayout(top);

    m_epochModel = new EpochTableModel(this);
    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("epochTable"));
    m_table->setModel(m_epochModel);
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->setAlternatingRowColors(true);

    auto* upper = new QSplitter(Qt::Horizontal, this);
    upper->addWidget(buildEpochChart());
    upper->addWidget(buildLrChart());
    upper->setStretchFactor(0, 3);
    upper->setStretchFactor(1, 2);
    upper->setSizes({600, 400}); // the epoch chart carries three axes and needs the room
    auto* lower = new QSplitter(Qt::Horizontal, this);
    lower->addWidget(buildLossChart());
    lower->addWidget(m_table);
    lower->setStretchFactor(0, 3);
    lower->setStretchFactor(1, 2);
    lower->setSizes({550, 450});
    auto* rows = new QSplitter(Qt::Vertical, this);
    rows->setObjectName(QStringLiteral("dashboardSplitter"));
    rows->addWidget(upper);
    rows->addWidget(lower);
    rows->setStretchFactor(0, 3);
    rows->setStretchFactor(1, 2);
    layout->addWidget(rows, 1);

    m_tick = new QTimer(this);
    m_tick->setInterval(1000);
    connect(m_tick, &QTimer::timeout, this, &TrainingDashboard::updateProgress);
    m_redrawTimer = new QTimer(this);
    m_redrawTimer->setSingleShot(true);
    connect(m_redrawTimer, &QTimer::timeout, this, &TrainingDashboard::redrawIterations);
}

QWidget* TrainingDashboard::buildEpochChart()
{
    auto* chart = new QChart;
    chart->setTitle(tr("Per epoch"));
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->legend()->setAlignment(Qt::AlignTop);
    m_trainLoss = makeSeries(tr("Train loss"), SeriesRole::TrainLoss);
    m_validLoss = makeSeries(tr("Valid loss"), SeriesRole::ValidLoss);
    m_testAccuracy = makeSeries(tr("Test accuracy"), SeriesRole::TestAccuracy);
    for (QLineSeries* s : {m_trainLoss, m_validLoss, m_testAccuracy}) {
        s->setPointsVisible(true);
        chart->addSeries(s);
        connect(s, &QLineSeries::hovered, this, &TrainingDashboard::showEpochTip);
    }

    m_epochAxis = new QValueAxis;
    m_epochAxis->setTitleText(tr("Epoch"));
    m_epochAxis->setLabelFormat(QStringLiteral("%.0f"));
    m_epochAxis->setTickType(QValueAxis::TicksDynamic);
    m_epochAxis->setTickAnchor(0);
    m_epochAxis->setTickInterval(1);
    m_epochAxis->setRange(1, 10);
    // Each quantity has its own axis, coloured like its curve: a Dropout model's train loss is
    // far above its valid loss, and one shared axis would flatten the valid curve.
    auto logAxis = [](const QString& title, SeriesRole role) {
        auto* a = new QLogValueAxis;
        a->setBase(10);
        a->setTitleText(title);
        a->setLabelFormat(QStringLiteral("%g"));
        a->setMinorTickCount(-1);
        setAxisRole(a, role);
        a->setRange(0.01, 10);
        return a;
    };
    m_trainAxis = logAxis(tr("Train loss (log)"), SeriesRole::TrainLoss);
    m_validAxis = logAxis(tr("Valid loss (log)"), SeriesRole::ValidLoss);
    m_validAxis->setGridLineVisible(false);
    m_validAxis->setMinorGridLineVisible(false);
    m_accuracyAxis = new QValueAxis;
    m_accuracyAxis->setTitleText(tr("Test accuracy %"));
    m_accuracyAxis->setLabelFormat(QStringLiteral("%.1f"));
    setAxisRole(m_accuracyAxis, SeriesRole::TestAccuracy);
    m_accuracyAxis->setGridLineVisible(false);
    m_accuracyAxis->setRange(90, 100);

    chart->addAxis(m_epochAxis, Qt::AlignBottom);
    chart->addAxis(m_trainAxis, Qt::AlignLeft);
    chart->addAxis(m_validAxis, Qt::AlignRight);
    chart->addAxis(m_accuracyAxis, Qt::AlignRight);
    m_trainLoss->attachAxis(m_epochAxis);
    m_trainLoss->attachAxis(m_trainAxis);
    m_validLoss->attachAxis(m_epochAxis);
    m_validLoss->attachAxis(m_validAxis);
    m_testAccuracy->attachAxis(m_epochAxis);
    m_testAccuracy->attachAxis(m_accuracyAxis);

    m_epochView = new QChartView(chart, this);
    m_epochView->setObjectName(QStringLiteral("epochChart"));
    m_epochView->setRenderHint(QPainter::Antialiasing);
    m_epochView->setMinimumSize(360, 240);
    addChartExportMenu(m_epochView, QStringLiteral("epochs"));
    return m_epochView;
}

QWidget* TrainingDashboard::buildLrChart()
{
    auto* box = new QWidget(this);
    auto* layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* header = new QHBoxLayout;
    header->addWidget(new QLabel(tr("Learning rate per iteration:"), box));
    m_lrMode = new QComboBox(box);
    m_lrMode->setObjectName(QStringLiteral("lrViewMode"));
    m_lrMode->addItem(tr("current epoch"));
    m_lrMode->addItem(tr("whole run"));
    m_lrMode->setToolTip(tr("The notebook plots the LR over the current epoch; the whole run shows every cycle"));
    m_lrMode->setCurrentIndex(1);
    connect(m_lrMode, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] { redrawIterations(); });
    header->addWidget(m_lrMode);
    header->addStretch(1);
    layout->addLayout(header);

    auto* chart = new QChart;
    m_lrSeries = makeSeries(tr("Learning rate"), SeriesRole::LearningRate);
    chart->addSeries(m_lrSeries);
    m_lrX = new QValueAxis;
    m_lrX->setTitleText(tr("Iteration"));
    m_lrX->setLabelFormat(QStringLiteral("%.0f"));
    m_lrX->setRange(0, 100);
    setNiceTicks(m_lrX, 100, 5);
    m_lrY = new QValueAxis;
    m_lrY->setLabelFormat(QStringLiteral("%.2g"));
    m_lrY->setTitleText(tr("Learning rate"));
    chart->addAxis(m_lrX, Qt::AlignBottom);
    chart->addAxis(m_lrY, Qt::AlignLeft);
    m_lrSeries->attachAxis(m_lrX);
    m_lrSeries->attachAxis(m_lrY);
    styleCompactChart(chart);
    // The LR is drawn as it is: smoothing never applies to it.
    connect(m_lrSeries, &QLineSeries::hovered, this, &TrainingDashboard::showIterationTip);
    m_lrView = new QChartView(chart, box);
    m_lrView->setObjectName(QStringLiteral("lrChart"));
    m_lrView->setRenderHint(QPainter::Antialiasing);
    m_lrView->setMinimumSize(260, 200);
    addChartExportMenu(m_lrView, QStringLiteral("learning-rate"));
    layout->addWidget(m_lrView, 1);
    return box;
}

QWidget* TrainingDashboard::buildLossChart()
{
    auto* box = new QWidget(this);
    auto* layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* header = new QHBoxLayout;
    header->addWidget(new QLabel(tr("Loss per iteration (raw and smoothed); smoothing:"), box));
    m_smoothing = new QDoubleSpinBox(box);
    m_smoothing->setObjectName(QStringLiteral("smoothing"));
    m_smoothing->setRange(0.0, 0.999);
    m_smoothing->setDecimals(3);
    m_smoothing->setSingleStep(0.01);
    m_smoothing->setValue(m_emaWeight);
    m_smoothing->setToolTip(tr("Weight of the exponential moving average (0: none), as in TensorBoard"));
    connect(m_smoothing, qOverload<double>(&QDoubleSpinBox::valueChanged), this, [this](double w) {
        m_emaWeight = w;
        recomputeSmoothing();
        redrawIterations();
    });
    header->addWidget(m_smoothing);
    m_lossDisplay = new QComboBox(box);
    m_lossDisplay->setObjectName(QStringLiteral("lossDisplay"));
    m_lossDisplay->addItem(tr("Smoothed"));
    m_lossDisplay->addItem(tr("Envelope"));
    m_lossDisplay->addItem(tr("Both"));
    m_lossDisplay->setToolTip(tr("Smoothed: the raw loss and its moving average. Envelope: the minimum and maximum "
                                 "of the raw loss over each stretch of iterations instead. Both: the envelope "
                                 "and the moving average."));
    connect(m_lossDisplay, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
        showLossSeries();
        redrawIterations();
    });
    header->addWidget(m_lossDisplay);
    header->addStretch(1);
    layout->addLayout(header);

    auto* chart = new QChart;
    m_lossRaw = makeSeries(tr("Loss"), SeriesRole::IterationLoss);
    m_lossSmooth = makeSeries(tr("Smoothed"), SeriesRole::IterationLossSmoothed);
    // The area series draws between two line series it does not own: they are its children.
    auto* upper = new QLineSeries;
    auto* lower = new QLineSeries;
    m_lossEnvelope = new QAreaSeries(upper, lower);
    upper->setParent(m_lossEnvelope);
    lower->setParent(m_lossEnvelope);
    m_lossEnvelope->setName(tr("Min-max"));
    m_lossEnvelope->setPen(Qt::NoPen);
    chart->addSeries(m_lossEnvelope);
    chart->addSeries(m_lossRaw);
    chart->addSeries(m_lossSmooth);
    m_lossX = new QValueAxis;
    m_lossX->setTitleText(tr("Iteration"));
    m_lossX->setLabelFormat(QStringLiteral("%.0f"));
    m_lossX->setRange(0, 100);
    setNiceTicks(m_lossX, 100, 6);
    m_lossY = new QLogValueAxis;
    m_lossY->setBase(10);
    m_lossY->setLabelFormat(QStringLiteral("%g"));
    m_lossY->setMinorTickCount(-1);
    m_lossY->setTitleText(tr("Batch loss (log)"));
    m_lossY->setRange(0.01, 10);
    chart->addAxis(m_lossX, Qt::AlignBottom);
    chart->addAxis(m_lossY, Qt::AlignLeft);
    m_lossEnvelope->attachAxis(m_lossX);
    m_lossEnvelope->attachAxis(m_lossY);
    for (QLineSeries* s : {m_lossRaw, m_lossSmooth}) {
        s->attachAxis(m_lossX);
        s->attachAxis(m_lossY);
        connect(s, &QLineSeries::hovered, this, &TrainingDashboard::showIterationTip);
    }
    styleCompactChart(chart);
    chart->legend()->show();
    chart->legend()->setAlignment(Qt::AlignTop);
    m_lossView = new QChartView(chart, box);
    m_lossView->setObjectName(QStringLiteral("lossChart"));
    showLossSeries();
    // No antialiasing: up to 2,000 min/max points of a dense zig-zag cost the GUI thread far more
    // antialiased (docs/benchmarks.md), and a curve that dense loses little without it.
    m_lossView->setMinimumSize(300, 200);
    addChartExportMenu(m_lossView, QStringLiteral("loss-per-iteration"));
    layout->addWidget(m_lossView, 1);
    return box;
}

void TrainingDashboard::startRun(const mnist::TrainConfig& config)
{
    m_config = config;
    m_info = mnist::RunInfo{};
    m_info.epochs = config.epochs;
    m_points.clear();
    m_historyLr.clear();
    m_smoothed.clear();
    m_emaState = 0;
    m_epochStart = 0;
    m_rateSamples.clear();
    m_pausedMs = 0;
    m_endText.clear();
    m_state = State::Loading;
    m_clock.start();
    m_epochModel->clear();
    for (QLineSeries* s : {m_trainLoss, m_validLoss, m_testAccuracy, m_lrSeries, m_lossRaw, m_lossSmooth,
                           m_lossEnvelope->upperSeries(), m_lossEnvelope->lowerSeries()})
        s->clear();
    const double epochs = static_cast<double>(std::max<int64_t>(config.epochs, 1));
    m_epochAxis->setRange(epochs > 1 ? 1 : 0.5, epochs > 1 ? epochs : 1.5);
    m_epochAxis->setTickInterval(niceInterval(epochs));
    m_progressBar->setValue(0);
    m_tick->start();
    updateProgress();
}

void TrainingDashboard::setDataLoading(const QString& folder)
{
    m_state = State::Loading;
    m_progress->setText(tr("Loading data from %1 …").arg(folder));
}

void TrainingDashboard::setRunInfo(const mnist::RunInfo& info)
{
    m_info = info;
    if (m_state == State::Loading)
        m_state = State::Running;
    // Time spent loading the data is not training time.
    m_clock.start();
    m_pausedMs = 0;
    updateProgress();
}

void TrainingDashboard::appendIterations(const QVector<mnist::IterationPoint>& points)
{
    if (points.isEmpty())
        return;
    for (const mnist::IterationPoint& p : points) {
        if (p.iteration == 0)
            m_epochStart = static_cast<int>(m_points.size());
        m_points.append(p);
        // TensorBoard's debiased EMA: without the correction the curve would start near zero.
        m_emaState = m_emaWeight * m_emaState + (1 - m_emaWeight) * p.loss;
        const double correction = 1 - std::pow(m_emaWeight, static_cast<double>(m_points.size()));
        m_smoothed.append(correction > 0 ? m_emaState / correction : p.loss);
    }
    m_rateSamples.append({activeMs(), static_cast<qint64>(m_points.size())});
    while (m_rateSamples.size() > 2 && m_rateSamples.back().first - m_rateSamples[1].first > 3000)
        m_rateSamples.removeFirst();
    // The progress line follows with the next redraw (and the 1 s tick), not with every batch:
    // each label change costs the GUI thread a relayout.
    scheduleIterationRedraw();
}

void TrainingDashboard::scheduleIterationRedraw()
{
    if (!m_sinceRedraw.isValid() || m_sinceRedraw.elapsed() >= kRedrawIntervalMs)
        redrawIterations();
    else if (!m_redrawTimer->isActive())
        m_redrawTimer->start(static_cast<int>(kRedrawIntervalMs - m_sinceRedraw.elapsed()));
}

void TrainingDashboard::recomputeSmoothing()
{
    m_emaState = 0;
    m_smoothed.resize(m_points.size());
    for (int i = 0; i < m_points.size(); ++i) {
        m_emaState = m_emaWeight * m_emaState + (1 - m_emaWeight) * m_points[i].loss;
        const double correction = 1 - std::pow(m_emaWeight, static_cast<double>(i + 1));
        m_smoothed[i] = correction > 0 ? m_emaState / correction : m_points[i].loss;
    }
}

void TrainingDashboard::appendEpoch(const mnist::EpochMetrics& m)
{
    addEpochRow(m);
    redrawEpochs();
    redrawIterations();
    updateProgress();
}

void TrainingDashboard::restoreHistory(const QVector<mnist::EpochMetrics>& epochs, const QVector<double>& lrPerIteration)
{
    m_historyLr = lrPerIteration;
    for (const auto& m : epochs)
        addEpochRow(m);
    redrawEpochs();
    redrawIterations();
    updateProgress();
}

void TrainingDashboard::showRecordedRun(const QString& name, const mnist::TrainConfig& config,
                                        const QVector<mnist::EpochMetrics>& epochs, const QVector<double>& lrPerIteration)
{
    startRun(config);
    m_tick->stop();
    m_info.epochs = config.epochs;
    // lr.csv holds every iteration of the finished epochs; an interrupted epoch's extra rows (a
    // crash between the two files' writes) are ignored by the integer division.
    if (!epochs.isEmpty())
        m_info.iterationsPerEpoch = lrPerIteration.size() / epochs.size();
    restoreHistory(epochs, lrPerIteration);
    m_state = State::Finished;
    QString best;
    if (m_epochModel->bestRow() >= 0)
        best = tr(", best test accuracy %1% (epoch %2)")
                   .arg(formatReal(this->epochs()[m_epochModel->bestRow()].testAccuracy, 2))
                   .arg(this->epochs()[m_epochModel->bestRow()].epoch);
    m_endText = tr("Recorded run %1: %2 of %3 epochs").arg(name).arg(epochs.size()).arg(config.epochs) + best + QLatin1Char('.');
    m_progressBar->setValue(static_cast<int>(1000 * epochs.size() / std::max<int64_t>(config.epochs, 1)));
    updateProgress();
}

void TrainingDashboard::addEpochRow(const mnist::EpochMetrics& m)
{
    m_epochModel->append(m);
    // The evaluation that ends an epoch trains nothing: the live rate restarts with the next epoch.
    m_rateSamples.clear();
    m_table->scrollToBottom();

    m_trainLoss->append(static_cast<double>(m.epoch), logSafe(m.trainLoss));
    m_validLoss->append(static_cast<double>(m.epoch), logSafe(m.validLoss));
    m_testAccuracy->append(static_cast<double>(m.epoch), m.testAccuracy);
}

void TrainingDashboard::redrawEpochs()
{
    if (epochs().isEmpty())
        return;
    double trainLo = std::numeric_limits<double>::max(), trainHi = 0;
    double validLo = trainLo, validHi = 0, accLo = 100, accHi = 0;
    for (const auto& m : epochs()) {
        trainLo = std::min(trainLo, logSafe(m.trainLoss));
        trainHi = std::max(trainHi, logSafe(m.trainLoss));
        validLo = std::min(validLo, logSafe(m.validLoss));
        validHi = std::max(validHi, logSafe(m.validLoss));
        accLo = std::min(accLo, m.testAccuracy);
        accHi = std::max(accHi, m.testAccuracy);
    }
    setLogRange(m_trainAxis, trainLo, trainHi);
    setLogRange(m_validAxis, validLo, validHi);
    setAccuracyRange(m_accuracyAxis, accLo, accHi);
    const double epochs = static_cast<double>(std::max<int64_t>({m_info.epochs, m_config.epochs,
                                                                   static_cast<int64_t>(m_epochModel->rowCount())}));
    if (epochs > 1) {
        m_epochAxis->setRange(1, epochs);
        m_epochAxis->setTickInterval(niceInterval(epochs));
    }
}

void TrainingDashboard::redrawIterations()
{
    m_redrawTimer->stop();
    m_sinceRedraw.restart();
    updateProgress();
    const auto n = static_cast<std::size_t>(m_points.size());
    const auto h = static_cast<std::size_t>(m_historyLr.size());
    if (n + h == 0)
        return;
    // Iteration i of the whole run: a recorded LR before this session, a live point after it.
    const auto lrAt = [this, h](std::size_t i) {
        return i < h ? m_historyLr[static_cast<int>(i)] : m_points[static_cast<int>(i - h)].lr;
    };
    const auto runX = [this, h](std::size_t i) {
        return i < h ? static_cast<double>(i) : static_cast<double>(m_points[static_cast<int>(i - h)].step);
    };
    const int lrBudget = drawBudget(m_lrView, kMaxDrawnPoints);
    const int lossBudget = drawBudget(m_lossView, kMaxDrawnPoints);
    // The smoothed loss has no spikes to keep: one point per pixel column is all it shows. (Qt
    // Charts strokes every line's outline for hit-testing at each update, at a cost per point.)
    const int smoothBudget = std::max(4, lossBudget / 2);

    // LR: the current epoch (x = iteration within it, the notebook's view) or the whole run.
    if (lrShowsWholeRun()) {
        m_lrSeries->replace(decimateMinMax(n + h, runX, lrAt, lrBudget));
        m_lrX->setTitleText(tr("Iteration (whole run)"));
        m_lrX->setRange(0, std::max(1.0, runX(n + h - 1)));
        setNiceTicks(m_lrX, m_lrX->max(), 5);
    } else if (n > 0) {
        const int start = std::min(m_epochStart, static_cast<int>(n) - 1);
        m_lrSeries->replace(decimateMinMax(
            n - static_cast<std::size_t>(start),
            [this, start](std::size_t i) { return static_cast<double>(m_points[start + static_cast<int>(i)].iteration); },
            [this, start](std::size_t i) { return m_points[start + static_cast<int>(i)].lr; }, lrBudget));
        m_lrX->setTitleText(tr("Iteration of epoch %1").arg(m_points.back().epoch));
        const double perEpoch = m_info.iterationsPerEpoch > 0 ? static_cast<double>(m_info.iterationsPerEpoch - 1)
                                                              : static_cast<double>(m_points.back().iteration);
        m_lrX->setRange(0, std::max(1.0, perEpoch));
        setNiceTicks(m_lrX, m_lrX->max(), 5);
    } else {
        // Only recorded iterations: the last recorded epoch.
        const auto perEpoch = static_cast<std::size_t>(std::clamp<int64_t>(m_info.iterationsPerEpoch, 1, static_cast<int64_t>(h)));
        const std::size_t start = h - perEpoch;
        m_lrSeries->replace(decimateMinMax(
            perEpoch, [](std::size_t i) { return static_cast<double>(i); },
            [this, start](std::size_t i) { return m_historyLr[static_cast<int>(start + i)]; }, lrBudget));
        m_lrX->setTitleText(tr("Iteration of epoch %1").arg(epochs().isEmpty() ? 1 : epochs().back().epoch));
        m_lrX->setRange(0, std::max(1.0, static_cast<double>(perEpoch - 1)));
        setNiceTicks(m_lrX, m_lrX->max(), 5);
    }
    double lrHi = 0;
    for (const QPointF& p : m_lrSeries->points())
        lrHi = std::max(lrHi, p.y());
    m_lrY->setRange(0, lrHi > 0 ? lrHi * 1.08 : 1);
    m_lrY->applyNiceNumbers();

    const LossDisplay display = lossDisplay();
    const bool envelope = display != LossDisplay::Smoothed;
    const bool smoothed = display != LossDisplay::Envelope;
    if (n == 0) {
        m_lossRaw->clear();
        m_lossSmooth->clear();
        m_lossEnvelope->upperSeries()->clear();
        m_lossEnvelope->lowerSeries()->clear();
        return;
    }
    const auto stepX = [this](std::size_t i) { return static_cast<double>(m_points[static_cast<int>(i)].step); };
    const auto rawLoss = [this](std::size_t i) { return logSafe(m_points[static_cast<int>(i)].loss); };
    double lo = std::numeric_limits<double>::max(), hi = 0;
    const auto widen = [&lo, &hi](const QList<QPointF>& points) {
        for (const QPointF& p : points) {
            lo = std::min(lo, p.y());
            hi = std::max(hi, p.y());
        }
    };
    if (envelope) {
        // Recomputed per redraw (at most one a second), like the decimation: the buckets move as
        // the run grows, so there is nothing to keep per new point.
        const MinMaxEnvelope edges = envelopeMinMax(n, stepX, rawLoss, kEnvelopeBuckets);
        m_lossEnvelope->upperSeries()->replace(edges.upper);
        m_lossEnvelope->lowerSeries()->replace(edges.lower);
        // The role's colour, translucent; set here so that a theme change reaches it too.
        m_lossEnvelope->setBrush(bandFill(seriesColor(SeriesRole::IterationLoss)));
        widen(edges.lower);
        widen(edges.upper);
        m_lossRaw->clear();
    } else {
        m_lossEnvelope->upperSeries()->clear();
        m_lossEnvelope->lowerSeries()->clear();
        m_lossRaw->replace(decimateMinMax(n, stepX, rawLoss, lossBudget));
        widen(m_lossRaw->points());
    }
    if (smoothed)
        m_lossSmooth->replace(decimateMinMax(
            n, stepX, [this](std::size_t i) { return logSafe(m_smoothed[static_cast<int>(i)]); }, smoothBudget));
    else
        m_lossSmooth->clear();
    setLogRange(m_lossY, lo, hi);
    m_lossX->setRange(0, std::max(1.0, static_cast<double>(m_points.back().step)));
    setNiceTicks(m_lossX, m_lossX->max(), 6);
}

qint64 TrainingDashboard::activeMs() const
{
    if (!m_clock.isValid())
        return 0;
    qint64 paused = m_pausedMs;
    if (m_state == State::Paused && m_pauseClock.isValid())
        paused += m_pauseClock.elapsed();
    return m_clock.elapsed() - paused;
}

void TrainingDashboard::setPaused(bool paused)
{
    if (paused && m_state == State::Running) {
        m_state = State::Paused;
        m_pauseClock.start();
    } else if (!paused && m_state == State::Paused) {
        m_pausedMs += m_pauseClock.elapsed();
        m_state = State::Running;
    }
    updateProgress();
}

void TrainingDashboard::finishRun(const RunSummary& s)
{
    if (m_state == State::Paused)
        m_pausedMs += m_pauseClock.elapsed();
    const qint64 elapsed = activeMs();
    m_state = State::Finished;
    m_tick->stop();
    redrawIterations(); // whatever a pending redraw would have shown
    QString best;
    if (m_epochModel->bestRow() >= 0)
        best = tr(", best test accuracy %1% (epoch %2)")
                   .arg(formatReal(epochs()[m_epochModel->bestRow()].testAccuracy, 2))
                   .arg(epochs()[m_epochModel->bestRow()].epoch);
    if (s.failed)
        m_endText = tr("Failed after %1 of %2 epochs").arg(epochs().size()).arg(m_info.epochs) + best + QLatin1Char('.');
    else if (s.stopped)
        m_endText = tr("Stopped after %1 of %2 epochs in %3").arg(epochs().size()).arg(m_info.epochs).arg(duration(elapsed)) +
                    best + QLatin1Char('.');
    else
        m_endText = tr("Finished %1 epochs in %2").arg(epochs().size()).arg(duration(elapsed)) + best + QLatin1Char('.');
    if (!s.failed && !s.earlyStop.isEmpty())
        m_endText += QLatin1Char(' ') + s.earlyStop.left(1).toUpper() + s.earlyStop.mid(1) + QLatin1Char('.');
    if (!s.failed && !s.stopped)
        m_progressBar->setValue(m_progressBar->maximum());
    updateProgress();
}

QString TrainingDashboard::progressText() const
{
    return m_progress->text();
}

void TrainingDashboard::updateProgress()
{
    if (m_state == State::Finished) {
        m_progress->setText(m_endText);
        return;
    }
    if (m_state == State::Idle || (m_state == State::Loading && m_points.isEmpty() && m_info.iterationsPerEpoch == 0)) {
        if (m_state == State::Loading && !m_progress->text().startsWith(tr("Loading")))
            m_progress->setText(tr("Starting …"));
        return;
    }
    const int64_t perEpoch = std::max<int64_t>(m_info.iterationsPerEpoch, 1);
    const int64_t total = perEpoch * std::max<int64_t>(m_info.epochs, 1);
    const int64_t live = m_points.size();
    const int64_t done = live + m_historyLr.size();
    const qint64 active = activeMs();
    QStringList parts;
    if (live > 0) {
        const auto& last = m_points.back();
        parts << tr("Epoch %1/%2").arg(last.epoch).arg(m_info.epochs)
              << tr("iteration %1/%2").arg(formatCount(last.iteration + 1), formatCount(perEpoch));
    } else if (!epochs().isEmpty()) {
        parts << tr("Epoch %1/%2").arg(epochs().back().epoch + 1).arg(m_info.epochs) << tr("iteration 0/%1").arg(formatCount(perEpoch));
    } else {
        parts << tr("Epoch 1/%1").arg(m_info.epochs) << tr("iteration 0/%1").arg(formatCount(perEpoch));
    }
    double imagesPerSecond = epochs().isEmpty() ? 0 : epochs().back().imagesPerSecond;
    if (m_rateSamples.size() >= 2) {
        const auto& a = m_rateSamples.front();
        const auto& b = m_rateSamples.back();
        if (b.first - a.first >= 500)
            imagesPerSecond = 1000.0 * static_cast<double>(b.second - a.second) * static_cast<double>(m_config.batchSize) /
                              static_cast<double>(b.first - a.first);
    }
    if (imagesPerSecond > 0)
        parts << tr("%1 images/s").arg(formatCount(std::llround(imagesPerSecond)));
    parts << tr("elapsed %1").arg(duration(active));
    // The rate of this session only: recorded iterations took no time here.
    if (live > 0 && done < total)
        parts << tr("remaining ~%1").arg(duration(static_cast<qint64>(static_cast<double>(active) *
                                                                       static_cast<double>(total - done) / static_cast<double>(live))));
    if (m_epochModel->bestRow() >= 0)
        parts << tr("best test accuracy %1% (epoch %2)")
                     .arg(formatReal(epochs()[m_epochModel->bestRow()].testAccuracy, 2))
                     .arg(epochs()[m_epochModel->bestRow()].epoch);
    if (m_state == State::Paused)
        parts << tr("paused");
    m_progress->setText(parts.join(QStringLiteral("  ·  ")));
    m_progressBar->setValue(static_cast<int>(1000 * done / std::max<int64_t>(total, 1)));
}

void TrainingDashboard::showEpochTip(const QPointF& point, bool state)
{
    if (!state) {
        QToolTip::hideText();
        return;
    }
    const int64_t epoch = std::llround(point.x());
    for (const auto& m : epochs()) {
        if (m.epoch != epoch)
            continue;
        QToolTip::showText(QCursor::pos(),
                           tr("Epoch %1\nTrain loss %2\nValid loss %3\nTest accuracy %4%\nLR %5")
                               .arg(m.epoch)
                               .arg(m.trainLoss, 0, 'g', 5)
                               .arg(m.validLoss, 0, 'g', 5)
                               .arg(formatReal(m.testAccuracy, 2))
                               .arg(m.lr, 0, 'g', 4),
                           m_epochView);
        return;
    }
}

void TrainingDashboard::showIterationTip(const QPointF& point, bool state)
{
    if (!state || m_points.isEmpty()) {
        QToolTip::hideText();
        return;
    }
    // In the current-epoch LR view x is the iteration within the epoch.
    const auto* series = qobject_cast<QLineSeries*>(sender());
    int index;
    if (series == m_lrSeries && !lrShowsWholeRun())
        index = m_epochStart + static_cast<int>(std::llround(point.x()));
    else
        index = static_cast<int>(std::llround(point.x() - static_cast<double>(m_points.front().step)));
    index = std::clamp(index, 0, static_cast<int>(m_points.size()) - 1);
    const auto& p = m_points[index];
    QToolTip::showText(QCursor::pos(),
                       tr("Iteration %1 (epoch %2, iteration %3)\nLoss %4\nSmoothed %5\nLR %6")
                           .arg(p.step)
                           .arg(p.epoch)
                           .arg(p.iteration + 1)
                           .arg(p.loss, 0, 'g', 5)
                           .arg(m_smoothed.value(index), 0, 'g', 5)
                           .arg(p.lr, 0, 'g', 5),
                       series == m_lrSeries ? m_lrView : m_lossView);
}

int TrainingDashboard::drawnEpochPoints() const
{
    return static_cast<int>(m_trainLoss->count());
}

int TrainingDashboard::drawnLrPoints() const
{
    return static_cast<int>(m_lrSeries->count());
}

int TrainingDashboard::drawnLossPoints() const
{
    return static_cast<int>(m_lossRaw->count());
}

int TrainingDashboard::tableRows() const
{
    return m_epochModel->rowCount();
}

// The series and legend entries of the loss display chosen; the hidden ones are emptied by the
// redraw, since Qt Charts still pays per point for a hidden series' updates.
void TrainingDashboard::showLossSeries()
{
    const LossDisplay display = lossDisplay();
    const bool envelope = display != LossDisplay::Smoothed;
    const bool smoothed = display != LossDisplay::Envelope;
    m_lossRaw->setVisible(!envelope);
    m_lossSmooth->setVisible(smoothed);
    m_lossEnvelope->setVisible(envelope);
    QLegend* legend = m_lossView->chart()->legend();
    for (QLegendMarker* marker : legend->markers(m_lossEnvelope))
        marker->setVisible(envelope);
    for (QLegendMarker* marker : legend->markers(m_lossRaw))
        marker->setVisible(!envelope);
    for (QLegendMarker* marker : legend->markers(m_lossSmooth))
        marker->setVisible(smoothed);
}

TrainingDashboard::LossDisplay TrainingDashboard::lossDisplay() const
{
    return static_cast<LossDisplay>(std::clamp(m_lossDisplay->currentIndex(), 0, 2));
}

void TrainingDashboard::setLossDisplay(LossDisplay display)
{
    m_lossDisplay->setCurrentIndex(static_cast<int>(display));
}

bool TrainingDashboard::lrShowsWholeRun() const
{
    return m_lrMode->currentIndex() == 1;
}

void TrainingDashboard::setLrShowsWholeRun(bool wholeRun)
{
    m_lrMode->setCurrentIndex(wholeRun ? 1 : 0);
}

const QVector<mnist::EpochMetrics>& TrainingDashboard::epochs() const
{
    return m_epochModel->epochs();
}

} // namespace studio
