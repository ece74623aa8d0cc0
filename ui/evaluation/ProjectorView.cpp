#include "evaluation/ProjectorView.h"

#include "evaluation/ProjectionScatter.h"
#include "shared/ClassNames.h"
#include "shared/CoreBridge.h"
#include "shared/NumberFormat.h"
#include "shared/StatusStyle.h"

#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QShowEvent>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>

namespace studio {
namespace {

constexpr int kDefaultCount = 2000;
constexpr int kMaxCount = 10000; // MNIST's whole test set; t-SNE stops at kMaxTsnePoints
constexpr int kProgressMs = 100;

} // namespace

ProjectorView::ProjectorView(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("projectorView"));
    buildUi();
    connect(&m_watcher, &QFutureWatcher<CallOutcome<Outcome>>::finished, this, &ProjectorView::onFinished);
    m_progressTimer = new QTimer(this);
    m_progressTimer->setInterval(kProgressMs);
    connect(m_progressTimer, &QTimer::timeout, this, &ProjectorView::showProgress);
    updateControls();
}

ProjectorView::~ProjectorView()
{
    // The pool thread holds the shared state, not this view; it is told to stop and waited for,
    // so nothing of the projection outlives the window.
    if (m_shared)
        m_shared->stop.requestStop();
    m_watcher.waitForFinished();
}

void ProjectorView::buildUi()
{
    m_method = new QComboBox;
    m_method->setObjectName(QStringLiteral("projectorMethod"));
    m_method->addItem(QString::fromLatin1(mnist::projectionMethodName(mnist::ProjectionMethod::Pca)));
    m_method->addItem(QString::fromLatin1(mnist::projectionMethodName(mnist::ProjectionMethod::Tsne)));
    m_method->setToolTip(tr("PCA: the two directions of largest variance (seconds). t-SNE: keeps each image's "
                            "neighbours together (exact, for a few thousand images; takes longer)."));
    m_count = new QSpinBox;
    m_count->setObjectName(QStringLiteral("projectorCount"));
    m_count->setRange(10, kMaxCount);
    m_count->setSingleStep(500);
    m_count->setValue(kDefaultCount);
    m_count->setToolTip(tr("The test set's first images to project (t-SNE takes at most %1)")
                            .arg(formatCount(mnist::kMaxTsnePoints)));
    m_perplexity = new QDoubleSpinBox;
    m_perplexity->setObjectName(QStringLiteral("projectorPerplexity"));
    m_perplexity->setRange(2, 100);
    m_perplexity->setDecimals(0);
    m_perplexity->setValue(30);
    m_perplexity->setToolTip(tr("t-SNE's perplexity: about how many neighbours each image keeps close"));
    m_run = new QPushButton(tr("Run"));
    m_run->setObjectName(QStringLiteral("projectorRun"));
    m_stop = new QPushButton(tr("Stop"));
    m_stop->setObjectName(QStringLiteral("projectorStop"));
    m_stop->setToolTip(tr("Stop the projection (Esc)"));
    m_progress = new QProgressBar;
    m_progress->setObjectName(QStringLiteral("projectorProgress"));
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progress->setTextVisible(true);
    m_status = new QLabel;
    m_status->setObjectName(QStringLiteral("projectorStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_scatter = new ProjectionScatter;

    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Method:")));
    controls->addWidget(m_method);
    controls->addWidget(new QLabel(tr("Images:")));
    controls->addWidget(m_count);
    controls->addWidget(new QLabel(tr("Perplexity:")));
    controls->addWidget(m_perplexity);
    controls->addWidget(m_run);
    controls->addWidget(m_stop);
    controls->addWidget(m_progress, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addWidget(m_status);
    layout->addWidget(m_scatter, 1);

    connect(m_method, qOverload<int>(&QComboBox::currentIndexChanged), this, &ProjectorView::updateControls);
    connect(m_run, &QPushButton::clicked, this, &ProjectorView::start);
    connect(m_stop, &QPushButton::clicked, this, &ProjectorView::stop);
    connect(m_scatter, &ProjectionScatter::pointClicked, this, [this](int row) {
        if (m_projection && row >= 0 && row < m_projection->size())
            Q_EMIT inspectRequested(m_projectedDir, static_cast<int>(m_projection->indices[static_cast<size_t>(row)]));
    });
    showStatus(tr("No run chosen: pick one in the Runs tab, or train one."), false);
}

void ProjectorView::setRun(const QString& dir)
{
    if (dir == m_dir)
        return;
    m_dir = dir;
    if (!isBusy()) {
        if (m_projectedDir != dir) {
            m_projection.reset();
            m_scatter->setProjection(nullptr, {});
        }
        showStatus(dir.isEmpty() ? tr("No run chosen: pick one in the Runs tab, or train one.")
                                 : tr("Run %1: press Run to project its test images.").arg(QDir(dir).dirName()),
                   false);
    }
    updateControls();
    projectIfWanted();
}

void ProjectorView::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    projectIfWanted();
}

// Deferred to the event loop: settings made right after setRun() still apply.
void ProjectorView::projectIfWanted()
{
    if (!m_autoProject || !isVisible())
        return;
    QTimer::singleShot(0, this, [this] {
        if (m_autoProject && isVisible() && !isBusy() && !m_dir.isEmpty() && m_projectedDir != m_dir &&
            m_method->currentIndex() == 0)
            start();
    });
}

void ProjectorView::setMethod(mnist::ProjectionMethod method)
{
    m_method->setCurrentIndex(method == mnist::ProjectionMethod::Tsne ? 1 : 0);
}

void ProjectorView::setImageCount(int count)
{
    m_count->setValue(count);
}

void ProjectorView::setPerplexity(double perplexity)
{
    m_perplexity->setValue(perplexity);
}

void ProjectorView::updateControls()
{
    const bool busy = isBusy();
    m_perplexity->setEnabled(m_method->currentIndex() == 1);
    m_run->setEnabled(!busy && !m_dir.isEmpty());
    m_stop->setEnabled(busy);
    m_method->setEnabled(!busy);
    m_count->setEnabled(!busy);
}

void ProjectorView::start()
{
    if (isBusy() || m_dir.isEmpty())
        return;
    mnist::ProjectionRequest request;
    request.method = m_method->currentIndex() == 1 ? mnist::ProjectionMethod::Tsne : mnist::ProjectionMethod::Pca;
    request.count = m_count->value();
    request.perplexity = m_perplexity->value();
    m_shared = std::make_shared<Shared>();
    m_projectedDir = m_dir;
    const std::string dir = m_dir.toStdString();
    m_watcher.setFuture(runInBackground([shared = m_shared, dir, request] {
        const RunModel run = runModel(dir);
        Outcome out;
        out.dataset = run.config.dataset;
        out.projection = mnist::projectTestSet(
            run.weightsPath, run.config, request,
            [shared](const std::string& step, int64_t done, int64_t total) {
                shared->tsne = step == "t-SNE";
                shared->total = total;
                shared->done = done;
            },
            &shared->stop);
        return out;
    }));
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progress->setFormat(tr("Loading the data…"));
    m_progressTimer->start();
    showStatus(tr("Projecting the first %1 test images of %2 by %3…")
                   .arg(formatCount(request.count), QDir(m_dir).dirName(),
                        QString::fromLatin1(mnist::projectionMethodName(request.method))),
               false);
    updateControls();
}

void ProjectorView::stop()
{
    if (m_shared && isBusy())
        m_shared->stop.requestStop();
}

void ProjectorView::keyPressEvent(QKeyEvent* event)
{
    if (event->key() == Qt::Key_Escape && isBusy()) {
        stop();
        event->accept();
        return;
    }
    QWidget::keyPressEvent(event);
}

void ProjectorView::showProgress()
{
    if (!m_shared)
        return;
    const int64_t total = m_shared->total, done = m_shared->done;
    if (total <= 0)
        return;
    m_progress->setRange(0, static_cast<int>(total));
    m_progress->setValue(static_cast<int>(std::min(done, total)));
    m_progress->setFormat(m_shared->tsne ? tr("t-SNE: step %v of %m") : tr("Features: image %v of %m"));
}

void ProjectorView::onFinished()
{
    m_progressTimer->stop();
    const CallOutcome<Outcome> outcome = m_watcher.result();
    const bool stopped = outcome.ok && outcome.value.projection.stopped;
    const bool ok = outcome.ok && !stopped;
    m_progress->setRange(0, 1);
    m_progress->setValue(ok ? 1 : 0);
    m_progress->setFormat(ok ? tr("Done") : stopped ? tr("Stopped") : tr("Failed"));
    if (!outcome.ok) {
        showStatus(tr("Could not project %1: %2").arg(QDir(m_projectedDir).dirName(), outcome.error), true);
    } else if (stopped) {
        showStatus(tr("Stopped: the picture shown is of the last projection that finished."), false);
    } else {
        auto projection = std::make_shared<mnist::Projection>(outcome.value.projection);
        const QStringList labels = classLabels(projection->classNames, projection->classes, outcome.value.dataset);
        int64_t wrong = 0;
        for (int64_t i = 0; i < projection->size(); ++i)
            wrong += projection->misclassified(i) ? 1 : 0;
        QString text = tr("%1 of the first %2 test images of %3: the input of its last Linear layer %4 (%5 features).")
                           .arg(QString::fromLatin1(mnist::projectionMethodName(projection->method)),
                                formatCount(projection->size()), QDir(m_projectedDir).dirName(),
                                QString::fromStdString(projection->layerKey), formatCount(projection->featureDimensions));
        if (projection->explained.size() == 2)
            text += tr(" The axes hold %1 and %2 of the variance.")
                        .arg(formatPercent(100 * projection->explained[0], 1), formatPercent(100 * projection->explained[1], 1));
        text += tr(" In 2-D, %1 of the images share the class of most of their 5 nearest neighbours; %2 misclassified "
                   "(ringed). Hover a point to see its image, click it to inspect it.")
                    .arg(formatPercent(100 * projection->knnAccuracy, 1), formatCount(wrong));
        showStatus(text, false);
        m_projection = projection;
        m_scatter->setProjection(projection, labels);
    }
    m_shared.reset();
    updateControls();
    Q_EMIT projected(ok);
    projectIfWanted(); // another run chosen meanwhile
}

const mnist::Projection* ProjectorView::projection() const
{
    return m_projection.get();
}

QString ProjectorView::statusText() const
{
    return m_status->text();
}

void ProjectorView::showStatus(const QString& text, bool problem)
{
    m_status->setText(text);
    markProblem(m_status, problem);
}

} // namespace studio
