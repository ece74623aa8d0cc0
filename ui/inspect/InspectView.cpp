#include "inspect/InspectView.h"
#include "shared/ClassNames.h"
#include "shared/PlaneImage.h"

#include "shared/QtText.h"
#include "shared/BackgroundCall.h"
#include "shared/ChartStyle.h"
#include "run/RunFiles.h"
#include "shared/NumberFormat.h"
#include "run/RunLayout.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QPainter>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QToolButton>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace studio {
namespace {

constexpr int kMapPixels = 40;     // each activation map's thumbnail
constexpr int kFilterPixels = 36;  // each filter's
constexpr int kMapsPerRow = 12;
constexpr int kMaxChannelsShown = 64;

// Grey levels from the picture's own minimum (black) to its maximum (white).
QImage greyImage(const InspectPicture& p)
{
    QImage img(p.cols, p.rows, QImage::Format_RGB32);
    if (p.values.empty())
        return img;
    const auto [lo, hi] = std::minmax_element(p.values.begin(), p.values.end());
    const float span = *hi - *lo > 0 ? *hi - *lo : 1.0f;
    for (int y = 0; y < p.rows; ++y)
        for (int x = 0; x < p.cols; ++x) {
            const int g = static_cast<int>(std::lround(255.0f * (p.values[static_cast<size_t>(y * p.cols + x)] - *lo) / span));
            img.setPixel(x, y, qRgb(g, g, g));
        }
    return img;
}

// The input image: colour data in colour on [0, 1], grey as greyImage().
QImage inputImage(const InspectPicture& p)
{
    if (p.channels == 3)
        return imageFromPlanes(p.values.data(), 3, p.rows, p.cols, 0.0f, 1.0f);
    return greyImage(p);
}

// The image in grey (a colour image's channel mean) with the saliency in red on top: strong
// where a change of the pixel would change the predicted class's logit most.
QImage saliencyOverlay(const InspectPicture& image, const InspectPicture& saliency)
{
    QImage img(image.cols, image.rows, QImage::Format_RGB32);
    const float top = saliency.values.empty() ? 0.0f : *std::max_element(saliency.values.begin(), saliency.values.end());
    const size_t plane = static_cast<size_t>(image.rows) * static_cast<size_t>(image.cols);
    const int channels = std::max(1, image.channels);
    if (image.values.size() < plane * static_cast<size_t>(channels))
        return img;
    for (int y = 0; y < image.rows; ++y)
        for (int x = 0; x < image.cols; ++x) {
            const size_t i = static_cast<size_t>(y * image.cols + x);
            float mean = 0.0f;
            for (int c = 0; c < channels; ++c)
                mean += image.values[static_cast<size_t>(c) * plane + i];
            const float g = 0.6f * mean / static_cast<float>(channels);
            const float s = top > 0 && i < saliency.values.size() ? saliency.values[i] / top : 0.0f;
            const auto channel = [](float v) { return static_cast<int>(std::lround(255.0f * std::clamp(v, 0.0f, 1.0f))); };
            img.setPixel(x, y, qRgb(channel(g + s), channel(g * (1 - s)), channel(g * (1 - s))));
        }
    return img;
}

QPixmap scaled(const QImage& img, int size)
{
    return QPixmap::fromImage(img.scaled(size, size, Qt::KeepAspectRatio, Qt::FastTransformation));
}

void clearLayout(QLayout* layout)
{
    while (QLayoutItem* item = layout->takeAt(0)) {
        if (QWidget* w = item->widget())
            w->deleteLater();
        if (QLayout* inner = item->layout())
            clearLayout(inner);
        delete item;
    }
}

} // namespace

InspectView::InspectView(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("inspectView"));
    m_watcher = new QFutureWatcher<CallOutcome<InspectResult>>(this);
    connect(m_watcher, &QFutureWatcher<CallOutcome<InspectResult>>::finished, this, &InspectView::onInspected);
    buildUi();
}

InspectView::~InspectView()
{
    m_watcher->waitForFinished();
}

void InspectView::buildUi()
{
    auto* layout = new QVBoxLayout(this);
    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Test image:")));
    m_index = new QSpinBox;
    m_index->setObjectName(QStringLiteral("inspectImageIndex"));
    m_index->setRange(0, 9999);
    m_index->setToolTip(tr("Index of the image in the run's test set (0-based, as in the Evaluation tab's tooltips); "
                           "below 0, the digit sent from the Draw a digit tab"));
    top->addWidget(m_index);
    m_inspect = new QPushButton(tr("Inspect"));
    m_inspect->setObjectName(QStringLiteral("inspectButton"));
    m_inspect->setToolTip(tr("Run the image through the run's saved network again (Enter in the index field)"));
    top->addWidget(m_inspect);
    m_status = new QLabel(tr("Choose a run in the Runs tab, or train one"));
    m_status->setObjectName(QStringLiteral("inspectStatus"));
    m_status->setWordWrap(true);
    top->addWidget(m_status, 1);
    layout->addLayout(top);
    connect(m_inspect, &QPushButton::clicked, this, &InspectView::inspect);
    connect(m_index, &QSpinBox::editingFinished, this, &InspectView::inspect);

    auto* split = new QSplitter(Qt::Vertical);
    layout->addWidget(split, 1);

    // Upper half: the image, its saliency and probabilities; the filters; the maps; the enlarged map.
    auto* upper = new QWidget;
    auto* upperLayout = new QHBoxLayout(upper);
    upperLayout->setContentsMargins(0, 0, 0, 0);
    auto* imageBox = new QGroupBox(tr("Image and saliency"));
    auto* imageLayout = new QVBoxLayout(imageBox);
    m_image = new QLabel;
    m_image->setObjectName(QStringLiteral("inspectImage"));
    m_image->setFixedSize(112, 112);
    m_saliency = new QLabel;
    m_saliency->setObjectName(QStringLiteral("inspectSaliency"));
    m_saliency->setFixedSize(112, 112);
    m_saliency->setToolTip(tr("Red: the pixels whose change would move the predicted class's score most (|gradient|)"));
    m_probabilities = new QLabel;
    m_probabilities->setObjectName(QStringLiteral("inspectProbabilities"));
    m_probabilities->setTextFormat(Qt::RichText);
    imageLayout->addWidget(m_image);
    imageLayout->addWidget(m_saliency);
    imageLayout->addWidget(m_probabilities);
    imageLayout->addStretch(1);
    upperLayout->addWidget(imageBox);

    auto* middle = new QWidget;
    auto* middleLayout = new QVBoxLayout(middle);
    middleLayout->setContentsMargins(0, 0, 0, 0);
    auto* filterBox = new QGroupBox(tr("First convolution's filters"));
    auto* filterLayout = new QVBoxLayout(filterBox);
    m_filtersTitle = new QLabel;
    filterLayout->addWidget(m_filtersTitle);
    m_filters = new QGridLayout;
    m_filters->setSpacing(2);
    filterLayout->addLayout(m_filters);
    middleLayout->addWidget(filterBox);
    auto* mapsBox = new QGroupBox(tr("Activation maps (click one to enlarge)"));
    auto* mapsBoxLayout = new QVBoxLayout(mapsBox);
    auto* scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    auto* mapsWidget = new QWidget;
    m_maps = new QVBoxLayout(mapsWidget);
    m_maps->setAlignment(Qt::AlignTop);
    scroll->setWidget(mapsWidget);
    mapsBoxLayout->addWidget(scroll);
    middleLayout->addWidget(mapsBox, 1);
    upperLayout->addWidget(middle, 1);

    auto* enlargedBox = new QGroupBox(tr("Enlarged"));
    auto* enlargedLayout = new QVBoxLayout(enlargedBox);
    m_enlarged = new QLabel;
    m_enlarged->setObjectName(QStringLiteral("inspectEnlarged"));
    m_enlarged->setFixedSize(224, 224);
    m_enlargedCaption = new QLabel;
    m_enlargedCaption->setWordWrap(true);
    enlargedLayout->addWidget(m_enlarged);
    enlargedLayout->addWidget(m_enlargedCaption);
    enlargedLayout->addStretch(1);
    upperLayout->addWidget(enlargedBox);
    split->addWidget(upper);

    // Lower half: the per-layer norms over the epochs and one layer's weight histogram.
    auto* lower = new QWidget;
    auto* lowerLayout = new QHBoxLayout(lower);
    lowerLayout->setContentsMargins(0, 0, 0, 0);
    auto* normsBox = new QGroupBox(tr("Per-layer norms over the run"));
    auto* normsLayout = new QVBoxLayout(normsBox);
    m_quantity = new QComboBox;
    m_quantity->setObjectName(QStringLiteral("inspectQuantity"));
    m_quantity->addItem(tr("Gradient norm (mean over the epoch)"));
    m_quantity->addItem(tr("Weight norm (end of the epoch)"));
    m_quantity->setToolTip(tr("A layer whose gradient norm falls by decades has vanishing gradients; one that climbs, exploding ones"));
    normsLayout->addWidget(m_quantity);
    m_layerChart = new QChartView(new QChart);
    m_layerChart->setObjectName(QStringLiteral("inspectLayerChart"));
    m_layerChart->setRenderHint(QPainter::Antialiasing);
    m_layerChart->setMinimumHeight(200);
    normsLayout->addWidget(m_layerChart, 1);
    lowerLayout->addWidget(normsBox, 3);
    connect(m_quantity, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] { fillLayerChart(); });

    auto* histBox = new QGroupBox(tr("Weight histogram"));
    auto* histLayout = new QVBoxLayout(histBox);
    auto* histControls = new QHBoxLayout;
    m_histogramLayer = new QComboBox;
    m_histogramLayer->setObjectName(QStringLiteral("inspectHistogramLayer"));
    m_histogramEpoch = new QSpinBox;
    m_histogramEpoch->setObjectName(QStringLiteral("inspectHistogramEpoch"));
    m_histogramEpoch->setPrefix(tr("epoch "));
    m_histogramEpoch->setRange(1, 1);
    histControls->addWidget(m_histogramLayer, 1);
    histControls->addWidget(m_histogramEpoch);
    histLayout->addLayout(histControls);
    m_histogramChart = new QChartView(new QChart);
    m_histogramChart->setObjectName(QStringLiteral("inspectHistogramChart"));
    m_histogramChart->setMinimumHeight(200);
    histLayout->addWidget(m_histogramChart, 1);
    lowerLayout->addWidget(histBox, 2);
    connect(m_histogramLayer, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] { fillHistogram(); });
    connect(m_histogramEpoch, qOverload<int>(&QSpinBox::valueChanged), this, [this] { fillHistogram(); });
    split->addWidget(lower);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);

    styleCompactChart(m_layerChart->chart());
    styleCompactChart(m_histogramChart->chart());
    m_layerChart->chart()->legend()->setVisible(true);
    m_layerChart->chart()->legend()->setAlignment(Qt::AlignRight);
}

QChart* InspectView::layerChart() const
{
    return m_layerChart->chart();
}

QChart* InspectView::histogramChart() const
{
    return m_histogramChart->chart();
}

QString InspectView::statusText() const
{
    return m_status->text();
}

void InspectView::setRun(const QString& dir, bool inspectNow)
{
    if (dir != m_dir) {
        m_dir = dir;
        m_stale = true;
    }
    reloadStats();
    if (inspectNow || isVisible())
        inspect();
}

void InspectView::runAdvanced()
{
    m_stale = true;
    // Re-reading layers.csv and rebuilding both charts is most of an epoch's window work on a
    // slow CPU (docs/reliability.md): a hidden tab leaves it to showEvent().
    if (!isVisible()) {
        m_statsStale = true;
        return;
    }
    reloadStats();
    inspect();
}

void InspectView::setImageIndex(int index)
{
    m_index->setValue(index);
    m_stale = true;
}

int InspectView::imageIndex() const
{
    return m_index->value();
}

void InspectView::setDrawnImage(const std::vector<uint8_t>& pixels)
{
    m_drawn = pixels;
    // Shown at the minimum, so only once -1 is the minimum (else test image 0 would read so).
    m_index->setSpecialValueText(tr("drawn digit"));
    m_index->setMinimum(-1);
    setImageIndex(-1);
}

void InspectView::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (m_statsStale)
        reloadStats();
    if (m_stale && !m_dir.isEmpty())
        inspect();
}

void InspectView::inspect()
{
    if (m_dir.isEmpty()) {
        m_status->setText(tr("Choose a run in the Runs tab, or train one"));
        Q_EMIT inspected(false);
        return;
    }
    if (m_watcher->isRunning()) {
        m_pending = true;
        return;
    }
    m_stale = false;
    const int64_t index = m_index->value();
    m_status->setText((index < 0 ? tr("Inspecting the drawn digit with %1…") : tr("Inspecting test image %2 of %1…").arg(index))
                          .arg(QDir(m_dir).dirName()));
    const std::string dir = m_dir.toStdString();
    m_inspectedDir = m_dir;
    m_watcher->setFuture(runInBackground([dir, index, drawn = m_drawn] { return inspectRun(dir, index, drawn); }));
}

void InspectView::onInspected()
{
    const CallOutcome<InspectResult> outcome = m_watcher->result();
    if (m_pending || m_inspectedDir != m_dir) {
        // Asked again meanwhile, or the run changed: this result is not of what is shown now.
        m_pending = false;
        m_stale = true;
        if (isVisible())
            inspect(); // else showEvent() does, once the tab is looked at
        return;
    }
    if (!outcome.ok) {
        m_status->setText(outcome.error);
        Q_EMIT inspected(false);
        return;
    }
    m_result = outcome.value;
    m_hasResult = true;
    showResult();
    Q_EMIT inspected(true);
}

void InspectView::showResult()
{
    const InspectResult& r = m_result;
    const float p = r.probabilities.empty() ? 0.0f : r.probabilities[static_cast<size_t>(r.predicted)];
    const QStringList names = classLabels(r.classNames, static_cast<int>(r.probabilities.size()), r.dataset);
    const auto name = [&names](int64_t k) {
        return k >= 0 && k < names.size() ? names[static_cast<int>(k)] : QString::number(k);
    };
    const QString image = r.imageIndex < 0 ? tr("the drawn digit")
                                           : tr("test image %1, true %2").arg(r.imageIndex).arg(name(r.label));
    m_status->setText(tr("%1, %2: %3, predicted %4 (%5%)")
                          .arg(QDir(m_dir).dirName(), QFileInfo(fromStd(r.weightsFile)).fileName(), image)
                          .arg(name(r.predicted))
                          .arg(formatReal(100.0 * p, 1)));
    m_image->setPixmap(scaled(inputImage(r.image), m_image->width()));
    m_image->setToolTip(r.imageIndex < 0 ? tr("The digit drawn in the Draw a digit tab, as the network sees it")
                                         : tr("Test image %1 (true class %2)").arg(r.imageIndex).arg(name(r.label)));
    m_saliency->setPixmap(scaled(saliencyOverlay(r.image, r.saliency), m_saliency->width()));
    // Up to ten classes in label order; of more (EMNIST's 62), the ten most probable.
    std::vector<int64_t> order(r.probabilities.size());
    for (size_t c = 0; c < order.size(); ++c)
        order[c] = static_cast<int64_t>(c);
    if (order.size() > 10) {
        std::stable_sort(order.begin(), order.end(), [&r](int64_t a, int64_t b) {
            return r.probabilities[static_cast<size_t>(a)] > r.probabilities[static_cast<size_t>(b)];
        });
        order.resize(10);
    }
    QString probs;
    for (const int64_t c : order) {
        const QString line = tr("%1: %2%").arg(shortClassName(name(c), 14).toHtmlEscaped(),
                                               formatReal(100.0 * r.probabilities[static_cast<size_t>(c)], 1));
        probs += (c == r.predicted ? QStringLiteral("<b>%1</b>").arg(line) : line) + QStringLiteral("<br>");
    }
    m_probabilities->setText(probs);

    clearLayout(m_filters);
    m_filtersTitle->setText(r.filterKey.empty() ? tr("This network has no convolution")
                                                : tr("%1: %2 filters of %3×%4")
                                                      .arg(fromStd(r.filterKey))
                                                      .arg(r.filters.size())
                                                      .arg(r.filters.empty() ? 0 : r.filters.front().rows)
                                                      .arg(r.filters.empty() ? 0 : r.filters.front().cols));
    for (size_t i = 0; i < r.filters.size(); ++i) {
        auto* b = new QToolButton;
        b->setObjectName(QStringLiteral("filter_%1").arg(i));
        b->setAutoRaise(true);
        b->setIconSize(QSize(kFilterPixels, kFilterPixels));
        b->setIcon(scaled(greyImage(r.filters[i]), kFilterPixels));
        b->setToolTip(fromStd(r.filters[i].title));
        const InspectPicture pic = r.filters[i];
        connect(b, &QToolButton::clicked, this, [this, pic, key = r.filterKey] { enlarge(pic, fromStd(key + ": " + pic.title)); });
        m_filters->addWidget(b, static_cast<int>(i) / 16, static_cast<int>(i) % 16);
    }

    clearLayout(m_maps);
    for (const InspectLayer& layer : r.maps) {
        const int shown = std::min<int>(static_cast<int>(layer.channels.size()), kMaxChannelsShown);
        auto* title = new QLabel(tr("<b>%1</b> %2 %3%4")
                                     .arg(fromStd(layer.key), fromStd(layer.type), fromStd(layer.shape))
                                     .arg(shown < static_cast<int>(layer.channels.size()) ? tr(" (first %1 channels)").arg(shown)
                                                                                          : QString()));
        m_maps->addWidget(title);
        auto* grid = new QGridLayout;
        grid->setSpacing(2);
        for (int c = 0; c < shown; ++c) {
            const InspectPicture& pic = layer.channels[static_cast<size_t>(c)];
            auto* b = new QToolButton;
            b->setObjectName(QStringLiteral("map_%1_%2").arg(fromStd(layer.key)).arg(c));
            b->setAutoRaise(true);
            b->setIconSize(QSize(kMapPixels, kMapPixels));
            b->setIcon(scaled(greyImage(pic), kMapPixels));
            b->setToolTip(fromStd(layer.key + " " + pic.title));
            connect(b, &QToolButton::clicked, this,
                    [this, pic, caption = fromStd(layer.key + " (" + layer.type + "), " + pic.title)] { enlarge(pic, caption); });
            grid->addWidget(b, c / kMapsPerRow, c % kMapsPerRow);
        }
        grid->setColumnStretch(kMapsPerRow, 1);
        m_maps->addLayout(grid);
    }
    if (!r.maps.empty() && !r.maps.front().channels.empty())
        enlarge(r.maps.front().channels.front(), fromStd(r.maps.front().key + " (" + r.maps.front().type + "), " +
                                                         r.maps.front().channels.front().title));
    else
        m_enlarged->clear();
}

void InspectView::enlarge(const InspectPicture& picture, const QString& caption)
{
    m_enlarged->setPixmap(scaled(greyImage(picture), m_enlarged->width()));
    m_enlargedCaption->setText(caption);
}

void InspectView::reloadStats()
{
    m_statsStale = false;
    m_stats.clear();
    m_statsProblem.clear();
    const QString file = QString::fromStdString(mnist::RunLayout(m_dir.toStdString()).layers());
    if (m_dir.isEmpty()) {
        m_statsProblem = tr("No run chosen");
    } else if (!QFileInfo::exists(file)) {
        m_statsProblem = tr("This run has no %1 (it was recorded before MNIST Studio kept per-layer statistics)")
                             .arg(QLatin1String(mnist::RunLayout::kLayers));
    } else {
        try {
            m_stats = mnist::readLayersCsv(file.toStdString());
            if (m_stats.empty())
                m_statsProblem = tr("No per-layer statistics yet: they are written after each epoch");
        } catch (const std::exception& e) {
            m_statsProblem = fromStd(e.what());
        }
    }
    const QString layer = m_histogramLayer->currentText();
    {
        const QSignalBlocker blockLayer(m_histogramLayer);
        const QSignalBlocker blockEpoch(m_histogramEpoch);
        m_histogramLayer->clear();
        if (!m_stats.empty())
            for (const mnist::LayerStat& l : m_stats.front().layers)
                m_histogramLayer->addItem(fromStd(l.layer));
        const int at = m_histogramLayer->findText(layer);
        m_histogramLayer->setCurrentIndex(at >= 0 ? at : 0);
        const bool followLast = m_histogramEpoch->value() == m_histogramEpoch->maximum();
        m_histogramEpoch->setRange(m_stats.empty() ? 1 : static_cast<int>(m_stats.front().epoch),
                                   m_stats.empty() ? 1 : static_cast<int>(m_stats.back().epoch));
        if (followLast)
            m_histogramEpoch->setValue(m_histogramEpoch->maximum());
    }
    fillLayerChart();
    fillHistogram();
}

void InspectView::fillLayerChart()
{
    QChart* chart = m_layerChart->chart();
    chart->removeAllSeries();
    for (QAbstractAxis* a : chart->axes()) {
        chart->removeAxis(a); // hands the axis back to us
        delete a;
    }
    const bool gradients = m_quantity->currentIndex() == 0;
    chart->setTitle(m_stats.empty() ? m_statsProblem : gradients ? tr("Gradient norm per layer") : tr("Weight norm per layer"));
    if (m_stats.empty())
        return;
    auto* x = new QValueAxis;
    x->setTitleText(tr("epoch"));
    x->setLabelFormat(QStringLiteral("%d"));
    x->setRange(static_cast<double>(m_stats.front().epoch),
                std::max<double>(static_cast<double>(m_stats.front().epoch) + 1, static_cast<double>(m_stats.back().epoch)));
    x->setTickType(QValueAxis::TicksDynamic);
    x->setTickAnchor(static_cast<double>(m_stats.front().epoch));
    x->setTickInterval(std::max(1.0, std::ceil(static_cast<double>(m_stats.back().epoch - m_stats.front().epoch + 1) / 10.0)));
    auto* y = new QLogValueAxis;
    y->setLabelFormat(QStringLiteral("%g"));
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    applyChartTheme(chart); // new axes come in the chart's default (light) colours
    double lo = 0, hi = 0;
    bool first = true;
    for (size_t l = 0; l < m_stats.front().layers.size(); ++l) {
        auto* s = new QLineSeries;
        s->setName(fromStd(m_stats.front().layers[l].layer));
        for (const mnist::EpochLayerStats& e : m_stats) {
            const double v = logSafe(gradients ? e.layers[l].gradNorm : e.layers[l].weightNorm);
            s->append(static_cast<double>(e.epoch), v);
            lo = first ? v : std::min(lo, v);
            hi = first ? v : std::max(hi, v);
            first = false;
        }
        chart->addSeries(s);
        s->attachAxis(x);
        s->attachAxis(y);
    }
    setLogRange(y, lo, hi);
}

void InspectView::fillHistogram()
{
    QChart* chart = m_histogramChart->chart();
    chart->removeAllSeries();
    for (QAbstractAxis* a : chart->axes()) {
        chart->removeAxis(a); // hands the axis back to us
        delete a;
    }
    const int layer = m_histogramLayer->currentIndex();
    const int epoch = m_histogramEpoch->value();
    const auto at = std::find_if(m_stats.begin(), m_stats.end(), [&](const mnist::EpochLayerStats& e) { return e.epoch == epoch; });
    if (m_stats.empty() || layer < 0 || at == m_stats.end()) {
        chart->setTitle(m_stats.empty() ? m_statsProblem : tr("No statistics were recorded for epoch %1").arg(epoch));
        return;
    }
    const mnist::LayerStat& s = at->layers[static_cast<size_t>(layer)];
    chart->setTitle(tr("%1 after epoch %2: values from %3 to %4")
                        .arg(fromStd(s.layer))
                        .arg(epoch)
                        .arg(formatSignificant(s.weightMin, 3), formatSignificant(s.weightMax, 3)));
    auto* set = new QBarSet(tr("weights"));
    QStringList categories;
    const double width = (s.weightMax - s.weightMin) / static_cast<double>(s.histogram.size());
    for (size_t i = 0; i < s.histogram.size(); ++i) {
        *set << static_cast<double>(s.histogram[i]);
        // Categories must differ; a bin's name is its lower edge and its number.
        categories << formatSignificant(s.weightMin + width * static_cast<double>(i), 3) + QStringLiteral(" #%1").arg(i);
    }
    auto* series = new QBarSeries;
    series->setBarWidth(1.0);
    series->append(set);
    chart->addSeries(series);
    auto* x = new QBarCategoryAxis;
    x->append(categories);
    x->setLabelsVisible(false); // the range is in the title: 30 labels would not fit
    auto* y = new QValueAxis;
    y->setLabelFormat(QStringLiteral("%d"));
    y->setRange(0, std::max<double>(1, static_cast<double>(*std::max_element(s.histogram.begin(), s.histogram.end()))));
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    series->attachAxis(x);
    series->attachAxis(y);
    applyChartTheme(chart); // new axes come in the chart's default (light) colours
}

} // namespace studio
