#include "evaluation/EvaluationView.h"
#include "evaluation/ConfusionTable.h"
#include "shared/StatusStyle.h"
#include "shared/NumberFormat.h"

#include "shared/ClassNames.h"
#include "shared/CoreBridge.h"
#include "evaluation/MisclassifiedModel.h"

#include "Error.h"
#include "run/PretrainedModel.h"
#include "train/PredictionsCsv.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListView>
#include <QMenu>
#include <QPushButton>
#include <QShowEvent>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cmath>
#include <exception>
#include <stdexcept>

namespace studio {

namespace {

// A run recorded on a GPU machine still opens on one without: its device falls back to the CPU.
mnist::TrainConfig onAvailableDevice(mnist::TrainConfig config)
{
    if (config.device == "auto" || config.device == "cpu")
        return config;
    const auto devices = deviceNames();
    if (std::find(devices.begin(), devices.end(), config.device) == devices.end() &&
        !(config.device == "cuda" && devices.size() > 1))
        config.device = "cpu";
    return config;
}

} // namespace

EvaluationView::EvaluationView(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("evaluationView"));
    auto* layout = new QVBoxLayout(this);

    auto* top = new QHBoxLayout;
    m_evaluateSelected = new QPushButton(tr("Evaluate selected run"), this);
    m_evaluateSelected->setObjectName(QStringLiteral("evaluateSelectedRun"));
    m_evaluateSelected->setToolTip(tr("Evaluates the run selected in the Runs tab (else the latest run) on its test set"));
    connect(m_evaluateSelected, &QPushButton::clicked, this, &EvaluationView::evaluateSelected);
    top->addWidget(m_evaluateSelected);
    auto* pretrained = new QPushButton(tr("Pretrained model"), this);
    pretrained->setObjectName(QStringLiteral("evaluatePretrained"));
    pretrained->setToolTip(tr("Evaluates the model shipped with MNIST Studio on the test set"));
    // Not the member directly: clicked(bool checked) would land in quietIfNone.
    connect(pretrained, &QPushButton::clicked, this, [this] { evaluatePretrained(); });
    top->addWidget(pretrained);
    m_predict = new QPushButton(tr("Predict a folder…"), this);
    m_predict->setObjectName(QStringLiteral("predictFolder"));
    m_predict->setToolTip(tr("Classifies every image of a folder (or a CSV file of pixel rows) with the model shown "
                             "and writes the predictions to a CSV file, as mnist-train --predict does"));
    m_predict->setEnabled(false);
    auto* predictMenu = new QMenu(m_predict);
    predictMenu->addAction(tr("A &folder of images…"), this, [this] { askPrediction(false); });
    predictMenu->addAction(tr("A &CSV file of pixel rows…"), this, [this] { askPrediction(true); });
    m_predict->setMenu(predictMenu);
    top->addWidget(m_predict);
    m_status = new QLabel(tr("Evaluate a saved run, or train one: its model is evaluated when it finishes."), this);
    m_status->setObjectName(QStringLiteral("evaluationStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    top->addWidget(m_status, 1);
    layout->addLayout(top);

    auto* splitter = new QSplitter(Qt::Horizontal, this);
    // Short titles and wrapped lines: the tab must not widen the window's minimum size.
    auto* matrixBox = new QGroupBox(tr("Confusion matrix"), splitter);
    auto* matrixLayout = new QVBoxLayout(matrixBox);
    auto* axes = new QLabel(tr("Rows: true class; columns: predicted class; last column: per-class accuracy."), matrixBox);
    axes->setWordWrap(true);
    matrixLayout->addWidget(axes);
    m_confusion = new ConfusionTable(matrixBox);
    m_confusion->setObjectName(QStringLiteral("evaluationConfusion"));
    m_confusion->setToolTip(tr("Click a cell to show its images in the gallery"));
    connect(m_confusion, &QTableWidget::cellClicked, this, [this](int row, int column) {
        if (column < m_confusion->accuracyColumn())
            filterToCell(row, column);
        else
            filterToCell(row, -1);
    });
    matrixLayout->addWidget(m_confusion);

    auto* galleryBox = new QGroupBox(tr("Misclassified test images"), splitter);
    auto* galleryLayout = new QVBoxLayout(galleryBox);
    auto* filters = new QGridLayout;
    m_trueFilter = new QComboBox(galleryBox);
    m_trueFilter->setObjectName(QStringLiteral("galleryTrueFilter"));
    m_predictedFilter = new QComboBox(galleryBox);
    m_predictedFilter->setObjectName(QStringLiteral("galleryPredictedFilter"));
    m_order = new QComboBox(galleryBox);
    m_order->setObjectName(QStringLiteral("galleryOrder"));
    m_order->addItem(tr("Most confident first"), static_cast<int>(Qt::DescendingOrder));
    m_order->addItem(tr("Least confident first"), static_cast<int>(Qt::AscendingOrder));
    auto* showAll = new QPushButton(tr("Show all"), galleryBox);
    connect(showAll, &QPushButton::clicked, this, [this] { filterToCell(-1, -1); });
    filters->addWidget(new QLabel(tr("True:"), galleryBox), 0, 0);
    filters->addWidget(m_trueFilter, 0, 1);
    filters->addWidget(new QLabel(tr("Predicted:"), galleryBox), 0, 2);
    filters->addWidget(m_predictedFilter, 0, 3);
    filters->addWidget(m_order, 1, 0, 1, 2);
    filters->addWidget(showAll, 1, 2, 1, 2, Qt::AlignLeft);
    filters->setColumnStretch(4, 1);
    galleryLayout->addLayout(filters);
    m_galleryLabel = new QLabel(galleryBox);
    m_galleryLabel->setObjectName(QStringLiteral("galleryCount"));
    galleryLayout->addWidget(m_galleryLabel);

    m_model = new MisclassifiedModel(this);
    m_gallery = new QListView(galleryBox);
    m_gallery->setObjectName(QStringLiteral("misclassifiedGallery"));
    m_gallery->setViewMode(QListView::IconMode);
    m_gallery->setResizeMode(QListView::Adjust);
    m_gallery->setMovement(QListView::Static);
    m_gallery->setUniformItemSizes(true);
    m_gallery->setWordWrap(true);
    m_gallery->setIconSize(QSize(MisclassifiedModel::ThumbnailSide, MisclassifiedModel::ThumbnailSide));
    m_gallery->setGridSize(QSize(150, MisclassifiedModel::ThumbnailSide + 48));
    m_gallery->setSelectionMode(QAbstractItemView::SingleSelection);
    m_gallery->setModel(m_model);
    m_gallery->setToolTip(tr("Double-click an image (or press Enter) to look inside the network at it (Inspect tab)"));
    connect(m_gallery, &QListView::activated, this, [this](const QModelIndex& index) {
        if (!m_shownRun.isEmpty() && index.isValid())
            Q_EMIT inspectRequested(m_shownRun, index.data(MisclassifiedModel::ImageIndexRole).toInt());
    });
    galleryLayout->addWidget(m_gallery, 1);
    splitter->addWidget(matrixBox);
    splitter->addWidget(galleryBox);
    // The matrix needs eleven readable columns; the gallery wraps to any width.
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    layout->addWidget(splitter, 1);

    fillClassBoxes();
    fillConfusion();
    connect(m_trueFilter, QOverload<int>::of(&QComboBox::currentIndexChanged), this, &EvaluationView::applyFilters);
    connect(m_predictedFilter, QOverload<int>::of(&QComboBox::currentIndexChanged), this, &EvaluationView::applyFilters);
    connect(m_order, QOverload<int>::of(&QComboBox::currentIndexChanged), this, &EvaluationView::applyFilters);
    connect(&m_watcher, &QFutureWatcher<Outcome>::finished, this, &EvaluationView::onFinished);
    connect(&m_predictWatcher, &QFutureWatcher<CallOutcome<qint64>>::finished, this, &EvaluationView::onPredicted);
    updateGalleryLabel();
}

EvaluationView::~EvaluationView()
{
    // The evaluation owns copies of what it uses; waiting keeps it from outliving the application.
    m_watcher.waitForFinished();
    m_predictWatcher.waitForFinished();
}

void EvaluationView::evaluateRun(const QString& runDir)
{
    Request r;
    r.runDir = runDir;
    r.title = QFileInfo(runDir).fileName();
    start(r);
}

void EvaluationView::evaluateWeights(const mnist::TrainConfig& config, const QString& weightsPath, const QString& title)
{
    Request r;
    r.config = config;
    r.weightsPath = weightsPath;
    r.title = title.isEmpty() ? QFileInfo(weightsPath).fileName() : title;
    start(r);
}

void EvaluationView::setLatestRun(const QString& runDir)
{
    if (runDir.isEmpty())
        return;
    if (isVisible()) {
        m_latestRun.clear();
        evaluateRun(runDir);
    } else {
        m_latestRun = runDir;
    }
}

void EvaluationView::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (!m_latestRun.isEmpty()) {
        const QString dir = m_latestRun;
        m_latestRun.clear();
        evaluateRun(dir);
    } else if (!m_offeredPretrained && !m_predictions && !isBusy() && !(m_runProvider && !m_runProvider().isEmpty())) {
        // No run anywhere yet: a new user still sees what a trained model gets right and wrong.
        m_offeredPretrained = true;
        evaluatePretrained(/*quietIfNone=*/true);
    }
}

bool EvaluationView::evaluatePretrained(bool quietIfNone)
{
    try {
        const std::optional<mnist::PretrainedModel> model = mnist::findPretrainedModel();
        if (!model) {
            if (!quietIfNone)
                showStatus(tr("No pretrained model is installed: train one, or evaluate a saved run."), true);
            return false;
        }
        evaluateWeights(model->config, QString::fromStdString(model->weightsPath),
                        tr("the pretrained model %1").arg(QString::fromStdString(model->name)));
        return true;
    } catch (const std::exception& e) {
        showStatus(tr("The pretrained model could not be read: %1").arg(QString::fromStdString(e.what())), true);
        return false;
    }
}

void EvaluationView::evaluateSelected()
{
    const QString dir = m_runProvider ? m_runProvider() : QString();
    if (dir.isEmpty()) {
        showStatus(tr("Select a run in the Runs tab first."), true);
        Q_EMIT evaluationFinished(false);
        return;
    }
    evaluateRun(dir);
}

void EvaluationView::start(const Request& request)
{
    if (isBusy()) {
        // Only the latest request matters: an older pending one is replaced.
        m_pending = request;
        return;
    }
    m_currentTitle = request.title;
    m_inFlightRun = request.runDir;
    m_evaluateSelected->setEnabled(false);
    showStatus(tr("Evaluating %1 on its test set …").arg(request.title), false);
    // A full test set takes a second or more on a small CPU: never on the GUI thread.
    m_watcher.setFuture(QtConcurrent::run([request]() {
        Outcome out;
        mnist::TrainConfig config = request.config;
        try {
            std::string weights = request.weightsPath.toStdString();
            if (!request.runDir.isEmpty()) {
                const std::string dir = QDir(request.runDir).absolutePath().toStdString();
                // The run's own network (its arch.json), not the registry's: a user network
                // edited or deleted since would evaluate other layers, or not at all.
                RunModel run = runModel(dir);
                config = std::move(run.config);
                weights = std::move(run.weightsPath);
            }
            config = onAvailableDevice(config);
            out.config = config;
            out.weightsPath = weights;
            out.predictions = std::make_shared<const mnist::TestPredictions>(mnist::predictTestSet(weights, config));
            out.ok = true;
        } catch (const mnist::DataError& e) {
            out.error = QString::fromStdString(explainDataProblem(config, e.what()));
        } catch (const std::exception& e) {
            out.error = QString::fromStdString(e.what());
        } catch (...) {
            out.error = QStringLiteral("unknown error");
        }
        return out;
    }));
}

void EvaluationView::onFinished()
{
    const Outcome out = m_watcher.result();
    if (m_pending) {
        // A newer request superseded this result.
        const Request next = *m_pending;
        m_pending.reset();
        start(next);
        return;
    }
    m_evaluateSelected->setEnabled(true);
    if (!out.ok) {
        m_predictions.reset();
        m_weightsPath.clear();
        m_predict->setEnabled(false);
        m_model->setPredictions(nullptr, {});
        fillClassBoxes();
        fillConfusion();
        updateGalleryLabel();
        showStatus(tr("%1 could not be evaluated: %2").arg(m_currentTitle, out.error), true);
        Q_EMIT evaluationFinished(false);
        return;
    }
    m_shownRun = m_inFlightRun;
    m_weightsPath = out.weightsPath;
    present(out.config, out.predictions);
    Q_EMIT evaluationFinished(true);
}

void EvaluationView::showPredictions(const mnist::TrainConfig& config,
                                     std::shared_ptr<const mnist::TestPredictions> predictions, const QString& title,
                                     const QString& runDir)
{
    if (!predictions || m_watcher.isRunning())
        return;
    m_currentTitle = title;
    m_shownRun = runDir;
    m_weightsPath.clear(); // the run's folder says which weights
    present(config, std::move(predictions));
}

void EvaluationView::present(const mnist::TrainConfig& config, std::shared_ptr<const mnist::TestPredictions> predictions)
{
    m_config = config;
    m_predictions = std::move(predictions);
    const auto& p = *m_predictions;
    fillClassBoxes();
    m_predict->setEnabled(!m_weightsPath.empty() || !m_shownRun.isEmpty());
    m_model->setPredictions(m_predictions, m_classLabels);
    applyFilters();
    fillConfusion();
    showStatus(tr("%1 (%2): test accuracy %3 (%4 of %5 images), %6 misclassified")
                   .arg(m_currentTitle, QString::fromStdString(m_config.arch),
                        formatPercent(p.accuracy(), 2))
                   .arg(p.correct())
                   .arg(p.size())
                   .arg(p.size() - p.correct()),
               false);
}

void EvaluationView::askPrediction(bool csvInput)
{
    const QString location = csvInput ? QFileDialog::getOpenFileName(this, tr("Images to predict (CSV)"), QString(),
                                                                     tr("CSV files (*.csv);;All files (*)"))
                                      : QFileDialog::getExistingDirectory(this, tr("Folder of images to predict"));
    if (location.isEmpty())
        return;
    const QString suggested = QFileInfo(location).absolutePath() + QStringLiteral("/predictions.csv");
    const QString out =
        QFileDialog::getSaveFileName(this, tr("Write the predictions to"), suggested, tr("CSV files (*.csv)"));
    if (!out.isEmpty())
        predictFolder(location, out);
}

void EvaluationView::predictFolder(const QString& location, const QString& outCsv)
{
    if (isPredicting())
        return;
    if (m_weightsPath.empty() && m_shownRun.isEmpty()) {
        showStatus(tr("Evaluate a run or a weights file first: its model predicts the images."), true);
        Q_EMIT predictionsWritten(false);
        return;
    }
    const QString run = m_weightsPath.empty() ? m_shownRun : QString();
    const mnist::TrainConfig config = m_config;
    const std::string weights = m_weightsPath;
    const std::string from = QFileInfo(location).absoluteFilePath().toStdString();
    const std::string to = QFileInfo(outCsv).absoluteFilePath().toStdString();
    m_predictTarget = QDir::toNativeSeparators(outCsv);
    m_predict->setEnabled(false);
    showStatus(tr("Predicting the images of %1 with %2 …").arg(QDir::toNativeSeparators(location), m_currentTitle),
               false);
    // Decoding a folder and the forward passes take seconds: never on the GUI thread.
    m_predictWatcher.setFuture(runInBackground([run, config, weights, from, to]() -> qint64 {
        if (run.isEmpty())
            return mnist::predictToCsv(weights, config, from, to);
        RunModel model = runModel(QDir(run).absolutePath().toStdString());
        return mnist::predictToCsv(model.weightsPath, onAvailableDevice(model.config), from, to);
    }));
}

void EvaluationView::onPredicted()
{
    const CallOutcome<qint64> out = m_predictWatcher.result();
    m_predict->setEnabled(m_predictions && (!m_weightsPath.empty() || !m_shownRun.isEmpty()));
    if (out.ok)
        showStatus(
            tr("Predicted %1 images with %2; wrote %3").arg(formatCount(out.value), m_currentTitle, m_predictTarget),
            false);
    else
        showStatus(tr("The images could not be predicted: %1").arg(out.error), true);
    Q_EMIT predictionsWritten(out.ok);
}

void EvaluationView::showStatus(const QString& text, bool error)
{
    markProblem(m_status, error);
    m_status->setText(text);
}

QString EvaluationView::statusText() const
{
    return m_status->text();
}

QString EvaluationView::labelHeader(int label) const
{
    return label >= 0 && label < m_classLabels.size() ? m_classLabels[label] : QString::number(label);
}

void EvaluationView::fillClassBoxes()
{
    // The predictions' own names first: they are the data's the model was tested on.
    if (m_predictions)
        m_classLabels = studio::classLabels(m_predictions->classNames.empty() ? m_config.data.classes
                                                                              : m_predictions->classNames,
                                            m_predictions->classes, m_config.dataset);
    else
        m_classLabels = studio::classLabels(m_config.data.classes, static_cast<int>(m_config.data.classCount()),
                                            m_config.dataset);
    m_confusion->setClassLabels(m_classLabels);
    for (QComboBox* box : {m_trueFilter, m_predictedFilter}) {
        const QSignalBlocker block(box);
        const int current = box->currentData().isValid() ? box->currentData().toInt() : -1;
        box->clear();
        box->addItem(tr("Any class"), -1);
        for (int k = 0; k < m_classLabels.size(); ++k)
            box->addItem(m_classLabels[k], k);
        box->setCurrentIndex(std::max(0, box->findData(current)));
    }
}

void EvaluationView::fillConfusion()
{
    if (m_predictions)
        m_confusion->setCounts(m_predictions->confusion, m_predictions->classes);
    else
        m_confusion->clearCounts();
}

int EvaluationView::confusionCell(int trueLabel, int predicted) const
{
    return m_confusion->count(trueLabel, predicted);
}

QString EvaluationView::classAccuracyText(int label) const
{
    return m_confusion->accuracyText(label);
}

void EvaluationView::setTrueClassFilter(int label)
{
    m_trueFilter->setCurrentIndex(std::max(0, m_trueFilter->findData(label)));
}

void EvaluationView::setPredictedClassFilter(int label)
{
    m_predictedFilter->setCurrentIndex(std::max(0, m_predictedFilter->findData(label)));
}

void EvaluationView::setConfidenceOrder(Qt::SortOrder order)
{
    m_order->setCurrentIndex(std::max(0, m_order->findData(static_cast<int>(order))));
}

void EvaluationView::filterToCell(int trueLabel, int predicted)
{
    {
        const QSignalBlocker a(m_trueFilter), b(m_predictedFilter);
        setTrueClassFilter(trueLabel);
        // A diagonal cell holds no mistakes: show every mistake of its class instead.
        setPredictedClassFilter(trueLabel >= 0 && predicted == trueLabel ? -1 : predicted);
    }
    applyFilters();
}

void EvaluationView::applyFilters()
{
    m_model->setFilter(m_trueFilter->currentData().toInt(), m_predictedFilter->currentData().toInt());
    m_model->setConfidenceOrder(static_cast<Qt::SortOrder>(m_order->currentData().toInt()));
    updateGalleryLabel();
}

void EvaluationView::updateGalleryLabel()
{
    if (!m_predictions) {
        m_galleryLabel->setText(tr("No evaluation yet."));
        return;
    }
    m_galleryLabel->setText(tr("%1 of %2 misclassified images shown").arg(m_model->rowCount()).arg(m_model->totalMistakes()));
}

std::vector<int> EvaluationView::galleryImages() const
{
    return m_model->shownImages();
}

QString EvaluationView::galleryCaption(int row) const
{
    return m_model->data(m_model->index(row), Qt::DisplayRole).toString();
}

} // namespace studio
