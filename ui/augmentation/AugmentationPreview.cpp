#include "augmentation/AugmentationPreview.h"

#include "shared/PlaneImage.h"
#include "shared/StatusStyle.h"
#include "shared/NumberFormat.h"

#include <QEvent>
#include <QFrame>
#include <QFutureWatcher>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPixmap>
#include <QPushButton>
#include <QRandomGenerator>
#include <QScrollArea>
#include <QSpinBox>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <exception>

namespace studio {
namespace {

// Each image fits a square of this side: 28 x 28 pixels drawn 3x, nearest neighbour; a large one
// shrunk smoothly (shared/PlaneImage.h).
constexpr int kImageSide = 84;

struct LoadResult {
    std::shared_ptr<const mnist::Dataset> images;
    int64_t count = 0;
    std::vector<std::string> classes;
    QString error;
};

QString folderOf(const mnist::TrainConfig& config)
{
    return QString::fromStdString(dataFolderFor(config));
}

} // namespace

AugmentationPreview::AugmentationPreview(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("augmentationPreview"));
    auto* layout = new QVBoxLayout(this);

    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Samples"), this));
    m_count = new QSpinBox(this);
    m_count->setObjectName(QStringLiteral("previewCount"));
    m_count->setRange(1, 32);
    m_count->setValue(8);
    connect(m_count, qOverload<int>(&QSpinBox::valueChanged), this, [this] {
        rebuildGrid();
        refresh();
    });
    controls->addWidget(m_count);
    auto* previous = new QPushButton(tr("◀ Previous"), this);
    previous->setObjectName(QStringLiteral("previewPrevious"));
    connect(previous, &QPushButton::clicked, this, &AugmentationPreview::previous);
    auto* next = new QPushButton(tr("Next ▶"), this);
    next->setObjectName(QStringLiteral("previewNext"));
    connect(next, &QPushButton::clicked, this, &AugmentationPreview::next);
    auto* resample = new QPushButton(tr("Resample"), this);
    resample->setObjectName(QStringLiteral("previewResample"));
    resample->setToolTip(tr("Draw new random transforms for the same images"));
    connect(resample, &QPushButton::clicked, this, &AugmentationPreview::resample);
    controls->addWidget(previous);
    controls->addWidget(next);
    controls->addWidget(resample);
    controls->addSpacing(12);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("previewStatus"));
    controls->addWidget(m_status, 1);
    layout->addLayout(controls);

    auto* legend = new QLabel(tr("Each sample: the original on a [0, 1] grey scale; the transformed image (what the "
                                 "network sees, Normalize included) on a [-1, 1] and on a [0, 1] grey scale. Values "
                                 "below 0 look black on the last one, so normalised digits look thinner there."),
                              this);
    legend->setWordWrap(true);
    layout->addWidget(legend);

    m_messageLabel = new QLabel(this);
    m_messageLabel->setObjectName(QStringLiteral("previewMessage"));
    m_messageLabel->setWordWrap(true);
    markProblem(m_messageLabel, true); // it only ever says why the preview cannot be drawn
    m_messageLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_messageLabel->hide();
    layout->addWidget(m_messageLabel);

    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    m_gridHost = new QWidget(scroll);
    m_grid = new QGridLayout(m_gridHost);
    m_grid->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    scroll->setWidget(m_gridHost);
    m_viewport = scroll->viewport();
    m_viewport->installEventFilter(this);
    layout->addWidget(scroll, 1);

    m_seed = QRandomGenerator::global()->generate64();
    rebuildGrid();
}

void AugmentationPreview::setConfig(const mnist::TrainConfig& config)
{
    const bool folderChanged = folderOf(config) != folderOf(m_config) || config.dataset != m_config.dataset;
    // Compared through JSON so that a field added to AugmentConfig is never missed here.
    const bool augmentChanged = nlohmann::json(config.augment) != nlohmann::json(m_config.augment);
    m_config = config;
    if (folderChanged && (m_images || m_loading || isVisible())) {
        m_images.reset();
        m_first = 0;
        load();
    } else if (augmentChanged) {
        refresh();
    }
}

void AugmentationPreview::setSampleCount(int count)
{
    m_count->setValue(count);
}

int AugmentationPreview::sampleCount() const
{
    return m_count->value();
}

void AugmentationPreview::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (!m_images && !m_loading)
        load();
}

void AugmentationPreview::load()
{
    const QString folder = folderOf(m_config);
    if (m_images && folder == m_folder)
        return;
    if (m_loading && folder == m_folder)
        return;
    m_folder = folder;
    m_loading = true;
    const int generation = ++m_loadGeneration;
    m_status->setText(tr("Loading the training images from %1 …").arg(folder));

    // 60,000 images take a fraction of a second, but the window must not wait even that long.
    auto* watcher = new QFutureWatcher<LoadResult>(this);
    connect(watcher, &QFutureWatcher<LoadResult>::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        if (generation != m_loadGeneration)
            return; // a newer folder was asked for meanwhile
        m_loading = false;
        const LoadResult result = watcher->result();
        if (!result.error.isEmpty()) {
            m_images.reset();
            m_imageCount = 0;
            m_samples.clear();
            m_status->clear();
            setMessage(result.error);
            rebuildGrid();
            Q_EMIT previewUpdated();
            return;
        }
        m_images = result.images;
        m_imageCount = result.count;
        m_classes = result.classes;
        refresh();
    });
    const mnist::TrainConfig config = m_config;
    watcher->setFuture(QtConcurrent::run([config, folder]() {
        LoadResult r;
        // Nothing may escape the pool thread: the error travels back as text.
        try {
            r.images = loadTrainingImages(config, &r.classes);
            r.count = imageCount(*r.images);
        } catch (const std::exception& e) {
            r.error = QString::fromStdString(explainDataProblem(config, e.what()));
        } catch (...) {
            r.error = QStringLiteral("The training images could not be read from %1.").arg(folder);
        }
        return r;
    }));
}

void AugmentationPreview::resample()
{
    m_seed = QRandomGenerator::global()->generate64();
    refresh();
}

void AugmentationPreview::next()
{
    if (m_imageCount > 0)
        m_first = (m_first + sampleCount()) % m_imageCount;
    refresh();
}

void AugmentationPreview::previous()
{
    if (m_imageCount > 0)
        m_first = ((m_first - sampleCount()) % m_imageCount + m_imageCount) % m_imageCount;
    refresh();
}

void AugmentationPreview::setMessage(const QString& text)
{
    m_message = text;
    m_messageLabel->setText(text);
    m_messageLabel->setVisible(!text.isEmpty());
}

void AugmentationPreview::refresh()
{
    if (!m_images)
        return;
    std::vector<int64_t> indices;
    const int n = static_cast<int>(std::min<int64_t>(sampleCount(), m_imageCount));
    for (int i = 0; i < n; ++i)
        indices.push_back((m_first + i) % m_imageCount);
    const auto problems = m_config.augment.validate();
    if (!problems.empty()) {
        setMessage(tr("The augmentation is not valid: %1").arg(QString::fromStdString(problems.front())));
        Q_EMIT previewUpdated();
        return;
    }
    try {
        m_samples = previewImages(*m_images, indices, m_config.augment, m_seed);
        setMessage(QString());
    } catch (const std::exception& e) {
        m_samples.clear();
        setMessage(tr("The preview failed: %1").arg(QString::fromStdString(e.what())));
    }
    m_status->setText(tr("Training images #%1–#%2 of %3 from %4 · seed %5")
                          .arg(formatCount(m_first))
                          .arg(formatCount(m_first + n - 1))
                          .arg(formatCount(m_imageCount))
                          .arg(m_folder)
                          .arg(m_seed % 100000));
    rebuildGrid();
    for (int i = 0; i < m_cells.size(); ++i) {
        Cell& cell = m_cells[i];
        const bool has = i < static_cast<int>(m_samples.size());
        cell.frame->setVisible(has);
        if (!has)
            continue;
        const PreviewImage& s = m_samples[static_cast<size_t>(i)];
        // A named class (not a digit's own number) reads better by its name.
        const bool named = s.label >= 0 && s.label < static_cast<int64_t>(m_classes.size()) &&
                           m_classes[static_cast<size_t>(s.label)] != std::to_string(s.label);
        cell.title->setText(named ? tr("Image #%1 · label %2 (%3)")
                                        .arg(formatCount(s.index))
                                        .arg(s.label)
                                        .arg(QString::fromStdString(m_classes[static_cast<size_t>(s.label)]))
                                  : tr("Image #%1 · label %2").arg(formatCount(s.index)).arg(s.label));
        const float mins[3] = {s.originalMin, s.augmentedMin, s.augmentedMin};
        const float maxs[3] = {s.originalMax, s.augmentedMax, s.augmentedMax};
        for (int v = 0; v < 3; ++v) {
            const QImage img = image(i, static_cast<View>(v));
            const QPixmap pixmap = QPixmap::fromImage(fitImage(img, kImageSide));
            cell.images[v]->setFixedSize(pixmap.size());
            cell.images[v]->setPixmap(pixmap);
            cell.ranges[v]->setText(tr("min %1\nmax %2").arg(mins[v], 0, 'f', 3).arg(maxs[v], 0, 'f', 3));
        }
    }
    Q_EMIT previewUpdated();
}

void AugmentationPreview::rebuildGrid()
{
    const int wanted = sampleCount();
    static const char* const captions[3] = {QT_TR_NOOP("original [0, 1]"), QT_TR_NOOP("shown on [-1, 1]"),
                                            QT_TR_NOOP("shown on [0, 1]")};
    while (m_cells.size() < wanted) {
        Cell cell;
        cell.frame = new QFrame(m_gridHost);
        static_cast<QFrame*>(cell.frame)->setFrameShape(QFrame::StyledPanel);
        auto* v = new QVBoxLayout(cell.frame);
        cell.title = new QLabel(cell.frame);
        v->addWidget(cell.title);
        auto* row = new QHBoxLayout;
        for (int k = 0; k < 3; ++k) {
            auto* col = new QVBoxLayout;
            auto* caption = new QLabel(tr(captions[k]), cell.frame);
            caption->setAlignment(Qt::AlignCenter);
            cell.images[k] = new QLabel(cell.frame);
            cell.images[k]->setFixedSize(kImageSide, kImageSide);
            cell.images[k]->setProperty("digitImage", true); // black, from the stylesheet
            cell.ranges[k] = new QLabel(cell.frame);
            cell.ranges[k]->setAlignment(Qt::AlignCenter);
            col->addWidget(caption);
            col->addWidget(cell.images[k], 0, Qt::AlignCenter);
            col->addWidget(cell.ranges[k]);
            row->addLayout(col);
        }
        v->addLayout(row);
        cell.frame->hide();
        m_cells.append(cell);
        m_columns = 0; // place the new cell
    }
    placeCells();
    for (int i = 0; i < m_cells.size(); ++i)
        if (i >= wanted || i >= static_cast<int>(m_samples.size()))
            m_cells[i].frame->hide();
}

void AugmentationPreview::placeCells()
{
    if (m_cells.isEmpty())
        return;
    // As many columns as the width allows.
    const int cellWidth = m_cells.front().frame->sizeHint().width() + m_grid->horizontalSpacing();
    const int columns = std::max(1, (m_viewport->width() - 16) / std::max(cellWidth, 1));
    if (columns == m_columns)
        return;
    m_columns = columns;
    for (int i = 0; i < m_cells.size(); ++i) {
        m_grid->removeWidget(m_cells[i].frame);
        m_grid->addWidget(m_cells[i].frame, i / columns, i % columns);
    }
}

bool AugmentationPreview::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_viewport && event->type() == QEvent::Resize)
        placeCells();
    return QWidget::eventFilter(watched, event);
}

QImage AugmentationPreview::image(int sample, View view) const
{
    if (sample < 0 || sample >= static_cast<int>(m_samples.size()))
        return {};
    const PreviewImage& s = m_samples[static_cast<size_t>(sample)];
    const std::vector<float>& px = view == View::Original ? s.original : s.augmented;
    if (px.size() < static_cast<size_t>(s.channels) * static_cast<size_t>(s.rows) * static_cast<size_t>(s.cols))
        return {};
    // The notebook's imshow(vmin=-1, vmax=1) for the middle view, (0, 1) otherwise; colour images
    // in colour, each channel on the same scale.
    const float low = view == View::AugmentedSigned ? -1.0f : 0.0f;
    return imageFromPlanes(px.data(), s.channels, s.rows, s.cols, low, 1.0f);
}

} // namespace studio
