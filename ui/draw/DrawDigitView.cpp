#include "draw/DrawDigitView.h"

#include "shared/ClassNames.h"
#include "shared/PlaneImage.h"
#include "draw/DrawingPad.h"
#include "shared/StatusStyle.h"
#include "shared/NumberFormat.h"

#include "data/DigitPreprocess.h"
#include "run/PretrainedModel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QImage>
#include <QImageReader>
#include <QLabel>
#include <QLocale>
#include <QPainter>
#include <QPixmap>
#include <QProgressBar>
#include <QPushButton>
#include <QShowEvent>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <exception>

namespace studio {

DrawDigitView::DrawDigitView(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("drawDigitView"));
    auto* layout = new QVBoxLayout(this);

    // The model, and where it came from.
    auto* modelBox = new QGroupBox(tr("Model"), this);
    auto* modelLayout = new QGridLayout(modelBox);
    m_modelLabel = new QLabel(tr("No model yet: train one, or use a saved run or a weights file."), modelBox);
    m_modelLabel->setObjectName(QStringLiteral("drawModelLabel"));
    m_modelLabel->setWordWrap(true);
    m_modelLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    modelLayout->addWidget(m_modelLabel, 0, 0, 1, 7);
    auto* current = new QPushButton(tr("Current run"), modelBox);
    current->setObjectName(QStringLiteral("drawUseCurrentRun"));
    current->setToolTip(tr("The run in progress (its best weights so far, updated every epoch) or the latest run"));
    connect(current, &QPushButton::clicked, this, [this] {
        const QString dir = m_currentRunProvider ? m_currentRunProvider() : QString();
        if (dir.isEmpty())
            showStatus(tr("No run in this session yet: train one, or use a saved run."), true);
        else
            useRun(dir, true);
    });
    auto* selected = new QPushButton(tr("Selected run"), modelBox);
    selected->setObjectName(QStringLiteral("drawUseSelectedRun"));
    selected->setToolTip(tr("The run selected in the Runs tab"));
    connect(selected, &QPushButton::clicked, this, [this] {
        const QString dir = m_selectedRunProvider ? m_selectedRunProvider() : QString();
        if (dir.isEmpty())
            showStatus(tr("Select a run in the Runs tab first."), true);
        else
            useRun(dir);
    });
    auto* pretrained = new QPushButton(tr("Pretrained"), modelBox);
    pretrained->setObjectName(QStringLiteral("drawUsePretrained"));
    pretrained->setToolTip(tr("The model shipped with MNIST Studio, trained with the best recipe (its record is in the "
                              "models folder)"));
    connect(pretrained, &QPushButton::clicked, this, [this] { usePretrained(); });
    auto* folder = new QPushButton(tr("Run folder…"), modelBox);
    connect(folder, &QPushButton::clicked, this, &DrawDigitView::chooseRunFolder);
    auto* weights = new QPushButton(tr("Weights file…"), modelBox);
    weights->setToolTip(tr("A .safetensors (PyTorch state_dict names) or LibTorch .pt of the architecture chosen beside"));
    connect(weights, &QPushButton::clicked, this, &DrawDigitView::chooseWeights);
    m_arch = new QComboBox(modelBox);
    m_arch->setObjectName(QStringLiteral("drawWeightsArch"));
    m_arch->setToolTip(tr("Architecture of an imported weights file"));
    for (const auto& a : architectureSummaries())
        m_arch->addItem(QString::fromStdString(a.name));
    m_normalize = new QCheckBox(tr("Normalized"), modelBox);
    m_normalize->setToolTip(tr("Whether the imported weights were trained on normalized inputs"));
    // Another architecture or normalisation for the same imported file: load it again.
    auto reloadWeights = [this] {
        if (m_weightsPath.isEmpty())
            return;
        mnist::TrainConfig c = m_defaultConfig;
        c.arch = m_arch->currentText().toStdString();
        c.augment.normalize = m_normalize->isChecked();
        useWeights(c, m_weightsPath);
    };
    connect(m_arch, QOverload<int>::of(&QComboBox::activated), this, reloadWeights);
    connect(m_normalize, &QCheckBox::toggled, this, reloadWeights);
    modelLayout->addWidget(current, 1, 0);
    modelLayout->addWidget(selected, 1, 1);
    modelLayout->addWidget(pretrained, 1, 2);
    modelLayout->addWidget(folder, 1, 3);
    modelLayout->addWidget(weights, 1, 4);
    modelLayout->addWidget(m_arch, 1, 5);
    modelLayout->addWidget(m_normalize, 1, 6);
    modelLayout->setColumnStretch(7, 1);
    layout->addWidget(modelBox);

    auto* body = new QHBoxLayout;
    // The pad and its tools.
    auto* padBox = new QGroupBox(tr("Draw a digit (mouse or pen), or open a picture"), this);
    auto* padLayout = new QVBoxLayout(padBox);
    m_pad = new DrawingPad(padBox);
    padLayout->addWidget(m_pad, 1);
    auto* tools = new QHBoxLayout;
    tools->addWidget(new QLabel(tr("Stroke:"), padBox));
    m_stroke = new QSpinBox(padBox);
    m_stroke->setObjectName(QStringLiteral("drawStrokeWidth"));
    m_stroke->setRange(2, 60);
    m_stroke->setSuffix(tr(" px"));
    m_stroke->setValue(m_pad->strokeWidth());
    connect(m_stroke, QOverload<int>::of(&QSpinBox::valueChanged), m_pad, &DrawingPad::setStrokeWidth);
    tools->addWidget(m_stroke);
    m_clear = new QPushButton(tr("Clear"), padBox);
    m_clear->setObjectName(QStringLiteral("drawClear"));
    connect(m_clear, &QPushButton::clicked, this, &DrawDigitView::clear);
    tools->addWidget(m_clear);
    auto* open = new QPushButton(tr("Open image…"), padBox);
    connect(open, &QPushButton::clicked, this, &DrawDigitView::chooseImage);
    tools->addWidget(open);
    tools->addStretch(1);
    padLayout->addLayout(tools);
    body->addWidget(padBox, 3);
    m_padBox = padBox;

    // A model of colour data cannot be drawn for: it classifies picture files instead.
    m_fileBox = new QGroupBox(tr("Classify an image file"), this);
    auto* fileLayout = new QVBoxLayout(m_fileBox);
    auto* fileHint = new QLabel(tr("This model was trained on colour images: choose a picture (PNG, JPEG, BMP, PPM). "
                                   "It is converted and resized to the model's input as its training data was."),
                                m_fileBox);
    fileHint->setWordWrap(true);
    fileLayout->addWidget(fileHint);
    m_classifyFile = new QPushButton(tr("Classify an image &file…"), m_fileBox);
    m_classifyFile->setObjectName(QStringLiteral("drawClassifyFile"));
    connect(m_classifyFile, &QPushButton::clicked, this, &DrawDigitView::chooseImage);
    fileLayout->addWidget(m_classifyFile, 0, Qt::AlignLeft);
    m_filePicture = new QLabel(m_fileBox);
    m_filePicture->setObjectName(QStringLiteral("drawFilePicture"));
    m_filePicture->setAlignment(Qt::AlignCenter);
    m_filePicture->setMinimumSize(160, 160);
    fileLayout->addWidget(m_filePicture, 1);
    m_fileBox->hide();
    body->addWidget(m_fileBox, 3);

    // What the model sees, and what it says.
    auto* resultBox = new QGroupBox(tr("What the model sees"), this);
    auto* resultLayout = new QVBoxLayout(resultBox);
    m_preview = new QLabel(resultBox);
    m_preview->setObjectName(QStringLiteral("drawInputPreview"));
    m_preview->setFixedSize(28 * PreviewScale, 28 * PreviewScale);
    m_preview->setToolTip(tr("The 28 x 28 input: ink box scaled to 20 x 20, centred by its centre of mass, as MNIST's digits"));
    resultLayout->addWidget(m_preview, 0, Qt::AlignHCenter);
    m_status = new QLabel(resultBox);
    m_status->setObjectName(QStringLiteral("drawStatus"));
    m_status->setWordWrap(true);
    m_status->setAlignment(Qt::AlignHCenter);
    resultLayout->addWidget(m_status);
    m_prediction = new QLabel(resultBox);
    m_prediction->setObjectName(QStringLiteral("drawPrediction"));
    QFont big = m_prediction->font();
    big.setPointSizeF(big.pointSizeF() * 1.6);
    big.setBold(true);
    m_prediction->setFont(big);
    m_prediction->setAlignment(Qt::AlignHCenter);
    resultLayout->addWidget(m_prediction);
    auto* bars = new QGridLayout;
    for (int k = 0; k < 10; ++k) {
        auto* name = new QLabel(resultBox);
        auto* bar = new QProgressBar(resultBox);
        bar->setObjectName(QStringLiteral("drawBar%1").arg(k));
        bar->setRange(0, 1000);
        bar->setTextVisible(true);
        bar->setFormat(QString());
        bars->addWidget(name, k, 0, Qt::AlignRight);
        bars->addWidget(bar, k, 1);
        m_names.push_back(name);
        m_bars.push_back(bar);
    }
    bars->setColumnStretch(1, 1);
    resultLayout->addLayout(bars);
    m_inspect = new QPushButton(tr("Inspect…"), resultBox);
    m_inspect->setObjectName(QStringLiteral("drawInspect"));
    m_inspect->setEnabled(false);
    connect(m_inspect, &QPushButton::clicked, this, [this] {
        if (!m_blank && !m_modelRun.isEmpty())
            Q_EMIT inspectRequested(m_modelRun, m_lastInput);
    });
    resultLayout->addWidget(m_inspect, 0, Qt::AlignHCenter);
    resultLayout->addStretch(1);
    body->addWidget(resultBox, 2);
    layout->addLayout(body, 1);

    // Every stroke segment changes the pad; the model is asked at most once per interval.
    m_timer.setSingleShot(true);
    m_timer.setInterval(UpdateIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, &DrawDigitView::updateNow);
    connect(m_pad, &DrawingPad::changed, this, &DrawDigitView::scheduleUpdate);
    showBars();
    updateNow();
}

void DrawDigitView::setDefaultConfig(const mnist::TrainConfig& config)
{
    m_defaultConfig = config;
    if (m_weightsPath.isEmpty()) {
        const QSignalBlocker block(m_normalize);
        m_normalize->setChecked(config.augment.normalize);
        m_arch->setCurrentText(QString::fromStdString(config.arch));
    }
}

void DrawDigitView::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (m_followedWeightsStale && !m_followedRun.isEmpty())
        useRun(m_followedRun, true); // clears the mark
    // A first visit: the session's run if there is one, else the shipped model, without a click.
    if (!hasModel() && m_modelSource.isEmpty()) {
        const QString dir = m_currentRunProvider ? m_currentRunProvider() : QString();
        if (!dir.isEmpty())
            useRun(dir, true);
        else
            usePretrained(/*quietIfNone=*/true);
    }
}

QString DrawDigitView::modelDescription() const
{
    return m_modelLabel->text();
}

bool DrawDigitView::useRun(const QString& runDir, bool follow)
{
    m_followedWeightsStale = false;
    const QString dir = QDir(runDir).absolutePath();
    try {
        setModel(loadRunDigitModel(dir.toStdString()),
                 tr("%1 of run %2").arg(follow ? tr("The latest weights") : tr("The weights"), QFileInfo(dir).fileName()));
        m_followedRun = follow ? dir : QString();
        m_modelRun = dir;
        m_weightsPath.clear();
        m_pretrained = false;
        updateInspectButton();
        return true;
    } catch (const std::exception& e) {
        // A followed run without weights yet keeps being followed: its first epoch brings them.
        m_followedRun = follow ? dir : QString();
        showStatus(tr("%1: %2").arg(QFileInfo(dir).fileName(), QString::fromStdString(e.what())), true);
        return false;
    }
}

bool DrawDigitView::useWeights(const mnist::TrainConfig& config, const QString& weightsPath)
{
    try {
        setModel(loadDigitModel(config, weightsPath.toStdString()),
                 tr("%1 as %2%3").arg(QFileInfo(weightsPath).fileName(), QString::fromStdString(config.arch),
                                     config.augment.normalize ? tr(", normalized") : QString()));
        m_followedRun.clear();
        m_modelRun.clear();
        m_weightsPath = weightsPath;
        m_pretrained = false;
        updateInspectButton();
        const QSignalBlocker a(m_arch), b(m_normalize);
        m_arch->setCurrentText(QString::fromStdString(config.arch));
        m_normalize->setChecked(config.augment.normalize);
        return true;
    } catch (const std::exception& e) {
        showStatus(tr("%1 could not be loaded as %2: %3")
                       .arg(QFileInfo(weightsPath).fileName(), QString::fromStdString(config.arch), QString::fromStdString(e.what())),
                   true);
        return false;
    }
}

bool DrawDigitView::usePretrained(bool quietIfNone)
{
    try {
        const std::optional<mnist::PretrainedModel> model = mnist::findPretrainedModel();
        if (!model) {
            if (!quietIfNone)
                showStatus(tr("No pretrained model is installed: train one, or use a saved run or a weights file."), true);
            return false;
        }
        const QString weights = QString::fromStdString(model->weightsPath);
        if (!useWeights(model->config, weights))
            return false;
        m_weightsPath.clear(); // another architecture in the box beside must not reinterpret it
        m_pretrained = true;
        setModel(m_model, tr("The pretrained model %1 (epoch %2 of seed %3, %4% on the test set)")
                              .arg(QString::fromStdString(model->name))
                              .arg(model->epoch)
                              .arg(static_cast<qulonglong>(model->seed))
                              .arg(QLocale().toString(model->testAccuracy, 'f', 2)));
        return true;
    } catch (const std::exception& e) {
        showStatus(tr("The pretrained model could not be read: %1").arg(QString::fromStdString(e.what())), true);
        return false;
    }
}

void DrawDigitView::currentRunChanged(const QString& runDir)
{
    // The shipped model is only a stand-in until the user's own run has weights.
    if (runDir.isEmpty() || (hasModel() && m_followedRun.isEmpty() && !m_pretrained))
        return;
    useRun(runDir, true);
}

void DrawDigitView::runWeightsChanged(const QString& runDir)
{
    if (m_followedRun.isEmpty() || QDir(runDir).absolutePath() != m_followedRun)
        return;
    // Loading the network costs the GUI thread tens of ms on a slow CPU, every epoch of a run that
    // is watched from another tab: a hidden view takes the newest weights when it is next shown.
    if (!isVisible()) {
        m_followedWeightsStale = true;
        return;
    }
    useRun(m_followedRun, true);
}

void DrawDigitView::setModel(DigitModel model, const QString& source)
{
    m_model = std::move(model);
    m_modelSource = source;
    const bool colour = m_model.classifier && m_model.config.data.channels == 3;
    m_modelLabel->setText(tr("%1: %2 trained on %3%4")
                              .arg(source, QString::fromStdString(m_model.config.arch),
                                   QString::fromStdString(m_model.config.dataset),
                                   m_model.config.augment.normalize ? tr(" (normalized inputs)") : QString()));
    if (colour != m_colour) {
        m_colour = colour;
        m_padBox->setVisible(!colour);
        m_fileBox->setVisible(colour);
        m_timer.stop();
        m_blank = true;
        m_probabilities.clear();
        m_preview->clear();
        updateInspectButton();
        showBars();
    }
    if (colour) {
        if (m_imageFile.isEmpty() || !classifyFile(m_imageFile))
            showStatus(tr("This model takes colour images: classify an image file."), false);
        return;
    }
    updateNow();
}

bool DrawDigitView::classifyFile(const QString& path)
{
    if (!hasModel()) {
        showStatus(tr("No model to ask: train one, or use a saved run or a weights file."), true);
        return false;
    }
    try {
        const ImageClassification c = classifyImageFile(m_model, path.toStdString());
        m_imageFile = path;
        m_probabilities = c.probabilities;
        m_blank = false;
        m_preview->setPixmap(QPixmap::fromImage(
            fitImage(imageFromPlanes(c.pixels.data(), c.channels, c.rows, c.cols), 28 * PreviewScale)));
        // The picture as it is, beside what the model makes of it.
        QImageReader reader(path);
        reader.setAutoTransform(true);
        const QImage original = reader.read();
        m_filePicture->setPixmap(original.isNull() ? QPixmap()
                                                   : QPixmap::fromImage(fitImage(original, 360)));
        m_filePicture->setToolTip(QFileInfo(path).fileName());
        m_preview->setToolTip(tr("%1 as the model sees it: %2 x %3 pixels")
                                  .arg(QFileInfo(path).fileName())
                                  .arg(c.cols)
                                  .arg(c.rows));
    } catch (const std::exception& e) {
        m_probabilities.clear();
        showBars();
        showStatus(
            tr("%1 could not be classified: %2").arg(QFileInfo(path).fileName(), QString::fromStdString(e.what())),
            true);
        return false;
    }
    updateInspectButton();
    showBars();
    showStatus(tr("Classified %1.").arg(QFileInfo(path).fileName()), false);
    Q_EMIT classified();
    return true;
}

bool DrawDigitView::openImage(const QString& path)
{
    if (m_colour)
        return classifyFile(path);
    QImageReader reader(path);
    reader.setAutoTransform(true); // a phone's photo comes the right way up
    const QImage image = reader.read();
    if (image.isNull()) {
        showStatus(tr("%1 could not be read: %2").arg(QFileInfo(path).fileName(), reader.errorString()), true);
        return false;
    }
    // Transparent pixels (a PNG drawn on nothing) count as white paper.
    QImage flat(image.size(), QImage::Format_RGB32);
    flat.fill(Qt::white);
    QPainter(&flat).drawImage(0, 0, image);
    m_pad->setImage(flat);
    updateNow();
    return true;
}

void DrawDigitView::clear()
{
    m_pad->clear();
    updateNow();
}

void DrawDigitView::updateInspectButton()
{
    m_inspect->setEnabled(!m_colour && !m_blank && !m_modelRun.isEmpty());
    m_inspect->setToolTip(
        m_colour             ? tr("Inspect a colour model's test images from the Evaluation tab")
        : m_modelRun.isEmpty() ? tr("Inspecting needs a run's model (an imported weights file has no run)")
        : m_blank              ? tr("Draw a digit first")
                               : tr("Show the drawn digit's activation maps and saliency in the Inspect tab"));
}

void DrawDigitView::scheduleUpdate()
{
    if (!m_timer.isActive())
        m_timer.start();
}

void DrawDigitView::updateNow()
{
    m_timer.stop();
    if (m_colour)
        return; // nothing is drawn for a colour model; its picture file was classified once
    ++m_updates;
    const QImage& canvas = m_pad->canvas();
    const mnist::DigitImage digit = m_pad->isEmpty() ? mnist::DigitImage{}
                                                     : mnist::preprocessDigit(m_pad->grayBytes(), canvas.width(), canvas.height());
    m_blank = digit.blank;
    m_lastInput = digit.pixels;
    updateInspectButton();
    QImage input(m_lastInput.data(), 28, 28, 28, QImage::Format_Grayscale8);
    m_preview->setPixmap(QPixmap::fromImage(input.scaled(28 * PreviewScale, 28 * PreviewScale, Qt::IgnoreAspectRatio,
                                                         Qt::FastTransformation)));
    m_probabilities.clear();
    if (m_blank) {
        showBars();
        showStatus(m_pad->isEmpty() ? tr("Nothing drawn yet.") : tr("Nothing drawn: no ink stands out from the background."), false);
        Q_EMIT blankInput();
        return;
    }
    if (!hasModel()) {
        showBars();
        showStatus(tr("No model to ask: train one, or use a saved run or a weights file."), true);
        return;
    }
    try {
        m_probabilities = classifyDigit(m_model, m_lastInput);
    } catch (const std::exception& e) {
        m_probabilities.clear();
        showBars();
        showStatus(tr("The model failed: %1").arg(QString::fromStdString(e.what())), true);
        return;
    }
    showBars();
    showStatus(digit.inverted ? tr("Dark ink on a light background: inverted to MNIST's white on black.") : QString(), false);
    Q_EMIT classified();
}

void DrawDigitView::showBars()
{
    const mnist::TrainConfig& config = m_model.classifier ? m_model.config : m_defaultConfig;
    const int count = m_probabilities.empty() ? static_cast<int>(config.data.classCount())
                                              : static_cast<int>(m_probabilities.size());
    const QStringList names = classLabels(config.data.classes, count, config.dataset);
    // Up to ten classes in label order; more (EMNIST's 62) as the ten most probable, so the bars
    // stay readable and the ones that matter are there.
    std::vector<int> order(static_cast<std::size_t>(count));
    for (int k = 0; k < count; ++k)
        order[static_cast<std::size_t>(k)] = k;
    if (count > m_bars.size() && !m_probabilities.empty())
        std::stable_sort(order.begin(), order.end(), [this](int a, int b) {
            return m_probabilities[static_cast<std::size_t>(a)] > m_probabilities[static_cast<std::size_t>(b)];
        });
    m_barClasses.clear();
    const int best = predictedClass();
    for (int row = 0; row < m_bars.size(); ++row) {
        const bool used = row < count;
        m_names[row]->setVisible(used);
        m_bars[row]->setVisible(used);
        if (!used)
            continue;
        const int k = order[static_cast<std::size_t>(row)];
        m_barClasses.push_back(k);
        const double p = k < static_cast<int>(m_probabilities.size()) ? m_probabilities[static_cast<std::size_t>(k)] : 0.0;
        m_names[row]->setText(shortClassName(names.value(k), 16));
        m_names[row]->setToolTip(names.value(k));
        QFont f = m_names[row]->font();
        f.setBold(k == best);
        m_names[row]->setFont(f);
        m_bars[row]->setValue(static_cast<int>(std::lround(p * 1000)));
        m_bars[row]->setFormat(m_probabilities.empty() ? QString() : formatPercent(100 * p, 1));
    }
    m_prediction->setText(best < 0 ? QStringLiteral("–")
                                   : tr("%1  (%2%)").arg(names.value(best),
                                                         formatReal(100.0 * m_probabilities[static_cast<std::size_t>(best)], 1)));
}

int DrawDigitView::predictedClass() const
{
    if (m_probabilities.empty())
        return -1;
    return static_cast<int>(std::max_element(m_probabilities.begin(), m_probabilities.end()) - m_probabilities.begin());
}

int DrawDigitView::barValue(int label) const
{
    const int row = static_cast<int>(m_barClasses.indexOf(label));
    return row >= 0 ? m_bars[row]->value() : -1;
}

QString DrawDigitView::barLabel(int label) const
{
    const int row = static_cast<int>(m_barClasses.indexOf(label));
    return row >= 0 ? m_names[row]->text() : QString();
}

void DrawDigitView::showStatus(const QString& text, bool error)
{
    markProblem(m_status, error);
    m_status->setText(text);
}

QString DrawDigitView::statusText() const
{
    return m_status->text();
}

void DrawDigitView::chooseRunFolder()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Run folder"), m_selectedRunProvider ? m_selectedRunProvider() : QString());
    if (!dir.isEmpty())
        useRun(dir);
}

void DrawDigitView::chooseWeights()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Weights"), QString(),
                                                      tr("Weights (*.safetensors *.pt);;All files (*)"));
    if (path.isEmpty())
        return;
    mnist::TrainConfig c = m_defaultConfig;
    c.arch = m_arch->currentText().toStdString();
    c.augment.normalize = m_normalize->isChecked();
    useWeights(c, path);
}

void DrawDigitView::chooseImage()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open image"), QString(),
                                                      tr("Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp);;All files (*)"));
    if (!path.isEmpty())
        openImage(path);
}

} // namespace studio
