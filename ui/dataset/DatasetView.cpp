#include "dataset/DatasetView.h"

#include "shared/ChartStyle.h"
#include "shared/ClassNames.h"
#include "shared/NumberFormat.h"
#include "shared/PlaneImage.h"
#include "shared/StatusStyle.h"

#include "data/ImageSet.h"
#include "spec/TrainConfig.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QDir>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLegend>
#include <QPixmap>
#include <QProgressBar>
#include <QSplitter>
#include <QStackedBarSeries>
#include <QTableWidget>
#include <QValueAxis>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <exception>

namespace studio {

namespace {

constexpr int kSampleSide = 56; // each sample fits this square: 28 x 28 drawn 2x

QString formatName(const std::string& kind)
{
    if (kind == "mnist" || kind == "fashion-mnist" || kind == "idx")
        return QObject::tr("IDX files (%1)").arg(QString::fromStdString(kind));
    if (kind == "folder")
        return QObject::tr("image folder (one subfolder per class)");
    if (kind == "csv")
        return QObject::tr("CSV (label, then one column per pixel)");
    return QObject::tr("%1 release (IDX files)").arg(QString::fromStdString(kind));
}

// The first few images of each class, from the part the source labels best: its training part.
std::vector<std::vector<QImage>> sampleImages(const mnist::ImageSet& set, std::size_t classes)
{
    std::vector<std::vector<QImage>> out(classes);
    const auto bytes = static_cast<std::size_t>(set.imageBytes());
    std::size_t full = 0;
    for (int64_t i = 0; i < set.count() && full < classes; ++i) {
        const int64_t label = set.labels[static_cast<std::size_t>(i)];
        if (label < 0 || static_cast<std::size_t>(label) >= classes)
            continue;
        auto& mine = out[static_cast<std::size_t>(label)];
        if (static_cast<int>(mine.size()) >= DatasetView::SamplesPerClass)
            continue;
        mine.push_back(imageFromPlanes(set.pixels.data() + static_cast<std::size_t>(i) * bytes,
                                       static_cast<int>(set.channels), static_cast<int>(set.height),
                                       static_cast<int>(set.width)));
        if (static_cast<int>(mine.size()) == DatasetView::SamplesPerClass)
            ++full;
    }
    return out;
}

QString splitText(const mnist::PartCounts& part)
{
    return formatCount(part.images);
}

} // namespace

DatasetView::DatasetView(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("datasetView"));
    auto* layout = new QVBoxLayout(this);
    auto* top = new QHBoxLayout;
    m_status = new QLabel(tr("No dataset opened."), this);
    m_status->setObjectName(QStringLiteral("datasetStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    top->addWidget(m_status, 1);
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("datasetProgress"));
    m_progress->setMaximumWidth(220);
    m_progress->hide();
    top->addWidget(m_progress);
    layout->addLayout(top);

    auto* vertical = new QSplitter(Qt::Vertical, this);
    auto* upper = new QSplitter(Qt::Horizontal, vertical);

    auto* about = new QGroupBox(tr("Dataset"), upper);
    auto* aboutLayout = new QVBoxLayout(about);
    m_summary = new QLabel(about);
    m_summary->setObjectName(QStringLiteral("datasetSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    aboutLayout->addWidget(m_summary);
    m_chart = new QChart;
    m_chart->setTitle(tr("Images per class"));
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    styleCompactChart(m_chart);
    m_chart->legend()->show(); // which split each part of a bar is
    m_chartView = new QChartView(m_chart, about);
    m_chartView->setObjectName(QStringLiteral("datasetClassChart"));
    m_chartView->setRenderHint(QPainter::Antialiasing);
    m_chartView->setMinimumHeight(220);
    aboutLayout->addWidget(m_chartView, 1);

    auto* samplesBox = new QGroupBox(tr("Samples per class (training part)"), upper);
    auto* samplesLayout = new QVBoxLayout(samplesBox);
    m_samples = new QTableWidget(0, SamplesPerClass, samplesBox);
    m_samples->setObjectName(QStringLiteral("datasetSamples"));
    m_samples->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_samples->setIconSize(QSize(kSampleSide, kSampleSide));
    m_samples->horizontalHeader()->hide();
    m_samples->horizontalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_samples->horizontalHeader()->setDefaultSectionSize(kSampleSide + 8);
    m_samples->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_samples->verticalHeader()->setDefaultSectionSize(kSampleSide + 8);
    samplesLayout->addWidget(m_samples);
    upper->setStretchFactor(0, 3);
    upper->setStretchFactor(1, 2);
    // The chart needs the width (a bar per class); the samples table scrolls.
    upper->setSizes({600, 400});

    auto* problemsBox = new QGroupBox(tr("Files that could not be read"), vertical);
    auto* problemsLayout = new QVBoxLayout(problemsBox);
    m_problems = new QTableWidget(0, 2, problemsBox);
    m_problems->setObjectName(QStringLiteral("datasetProblems"));
    m_problems->setHorizontalHeaderLabels({tr("File"), tr("Reason")});
    m_problems->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_problems->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_problems->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Interactive);
    m_problems->horizontalHeader()->setStretchLastSection(true);
    m_problems->horizontalHeader()->resizeSection(0, 320);
    m_problems->verticalHeader()->hide();
    problemsLayout->addWidget(m_problems);
    vertical->setStretchFactor(0, 4);
    vertical->setStretchFactor(1, 1);
    vertical->setSizes({600, 160});
    layout->addWidget(vertical, 1);

    connect(&m_watcher, &QFutureWatcher<Outcome>::finished, this, &DatasetView::onFinished);
    m_progressTimer.setInterval(100);
    connect(&m_progressTimer, &QTimer::timeout, this, &DatasetView::showProgress);
    clearViews();
}

DatasetView::~DatasetView()
{
    // The read owns copies of what it uses; waiting keeps it from outliving the application.
    m_watcher.waitForFinished();
}

void DatasetView::open(const QString& kind, const QString& location, double trainFraction, const QString& imageSize)
{
    Request r{kind, location, trainFraction, imageSize};
    if (isLoading()) {
        // Only the latest request matters.
        m_pending = std::make_unique<Request>(r);
        return;
    }
    start(r);
}

void DatasetView::start(const Request& request)
{
    markProblem(m_status, false);
    m_status->setText(tr("Reading %1 as %2 …").arg(QDir::toNativeSeparators(request.location), request.kind));
    m_progress->setRange(0, 0); // busy until the reader reports a total
    m_progress->show();
    mnist::DataRequest data;
    data.kind = request.kind.toStdString();
    data.location = request.location.toStdString();
    // An invalid size is the set-up panel's to report; the view then reads the images as they are.
    if (!mnist::parseImageSize(request.imageSize.toStdString(), data.resize.height, data.resize.width))
        data.resize = mnist::ResizePolicy{};
    auto progress = std::make_shared<Progress>();
    m_progressState = progress;
    data.progress = [progress](const std::string& what, int64_t done, int64_t total) {
        const std::lock_guard<std::mutex> lock(progress->mutex);
        progress->what = what;
        progress->done = done;
        progress->total = total;
    };
    m_progressTimer.start();
    const double fraction = request.trainFraction;
    m_watcher.setFuture(QtConcurrent::run([data, fraction]() {
        Outcome out;
        try {
            const mnist::SourceData source = mnist::readDataSource(data);
            out.description =
                std::make_shared<const mnist::DatasetDescription>(mnist::describeSource(source, fraction));
            out.samples = sampleImages(source.train, source.classes.size());
            out.fromCache = source.fromCache;
            out.ok = true;
        } catch (const std::exception& e) {
            out.error = QString::fromStdString(e.what());
        } catch (...) {
            out.error = QStringLiteral("unknown error");
        }
        return out;
    }));
}

void DatasetView::showProgress()
{
    if (!m_progressState || !isLoading())
        return;
    std::string what;
    int64_t done = 0, total = 0;
    {
        const std::lock_guard<std::mutex> lock(m_progressState->mutex);
        what = m_progressState->what;
        done = m_progressState->done;
        total = m_progressState->total;
    }
    if (what.empty())
        return;
    if (total > 0) {
        // Percent: a byte count may exceed an int.
        m_progress->setRange(0, 100);
        m_progress->setValue(static_cast<int>(100 * std::min(done, total) / total));
    }
    m_status->setText(tr("Reading %1 …").arg(QString::fromStdString(what)));
}

void DatasetView::onFinished()
{
    const Outcome out = m_watcher.result();
    if (m_pending) {
        const Request next = *m_pending;
        m_pending.reset();
        start(next);
        return;
    }
    m_progressTimer.stop();
    m_progress->hide();
    present(out);
    Q_EMIT loaded(out.ok);
}

void DatasetView::clearViews()
{
    m_description.reset();
    m_sampleImages.clear();
    m_summary->setText(tr("Open a dataset: File ▸ Open dataset…"));
    m_chart->removeAllSeries();
    for (QAbstractAxis* axis : m_chart->axes())
        m_chart->removeAxis(axis);
    m_samples->setRowCount(0);
    m_problems->setRowCount(0);
}

void DatasetView::present(const Outcome& out)
{
    clearViews();
    if (!out.ok) {
        markProblem(m_status, true);
        m_status->setText(tr("The dataset could not be read: %1").arg(out.error));
        m_summary->setText(QString());
        return;
    }
    m_description = out.description;
    m_sampleImages = out.samples;
    const mnist::DatasetDescription& d = *m_description;
    const QStringList names = classLabels(d.classes, static_cast<int>(d.classes.size()), d.kind);

    markProblem(m_status, !d.problems.empty());
    const QString cached = out.fromCache ? tr(" (from the decoded cache)") : QString();
    m_status->setText(d.problems.empty()
                          ? tr("%1: every file was read%2.").arg(QString::fromStdString(d.name), cached)
                          : tr("%1: %2 could not be read; a run refuses this data until %3 fixed or removed.")
                                .arg(QString::fromStdString(d.name),
                                     d.problems.size() == 1 ? tr("1 file") : tr("%1 files").arg(d.problems.size()),
                                     d.problems.size() == 1 ? tr("it is") : tr("they are")));

    const QString test = d.heldOutTest ? tr("%1 (held out from the training part: the source has no test part)")
                                              .arg(splitText(d.test))
                                       : splitText(d.test);
    m_summary->setText(tr("<b>%1</b><br>Format: %2<br>Location: %3<br>Images: %4 x %5 pixels, %6<br>Classes: %7<br>"
                          "Train: %8 · Valid: %9 · Test: %10")
                           .arg(QString::fromStdString(d.name).toHtmlEscaped(), formatName(d.kind).toHtmlEscaped(),
                                QDir::toNativeSeparators(QString::fromStdString(d.location)).toHtmlEscaped())
                           .arg(d.width)
                           .arg(d.height)
                           .arg(d.channels == 3 ? tr("colour (3 channels)")
                                                : d.channels == 1 ? tr("grey (1 channel)")
                                                                  : tr("%1 channels").arg(d.channels))
                           .arg(names.size())
                           .arg(splitText(d.train), splitText(d.valid), test.toHtmlEscaped()));

    // Images per class, the three splits stacked: a class short in one split shows at a glance.
    auto* series = new QStackedBarSeries;
    const std::pair<QString, const mnist::PartCounts*> parts[] = {
        {tr("train"), &d.train}, {tr("valid"), &d.valid}, {tr("test"), &d.test}};
    qint64 highest = 0;
    std::vector<qint64> totals(static_cast<std::size_t>(names.size()), 0);
    for (const auto& [title, part] : parts) {
        if (part->perClass.empty())
            continue;
        auto* set = new QBarSet(title);
        for (int k = 0; k < names.size(); ++k) {
            const auto at = static_cast<std::size_t>(k);
            const qint64 n = at < part->perClass.size() ? part->perClass[at] : 0;
            *set << static_cast<qreal>(n);
            totals[static_cast<std::size_t>(k)] += n;
        }
        series->append(set);
    }
    for (const qint64 t : totals)
        highest = std::max(highest, t);
    m_chart->addSeries(series);
    auto* classes = new QBarCategoryAxis;
    QStringList shortNames;
    for (const QString& n : names)
        shortNames << shortClassName(n, 10);
    classes->append(shortNames);
    if (names.size() > 12)
        classes->setLabelsAngle(-90);
    auto* counts = new QValueAxis;
    counts->setRange(0, static_cast<qreal>(std::max<qint64>(highest, 1)) * 1.05);
    counts->setLabelFormat(QStringLiteral("%d"));
    m_chart->addAxis(classes, Qt::AlignBottom);
    m_chart->addAxis(counts, Qt::AlignLeft);
    series->attachAxis(classes);
    series->attachAxis(counts);
    applyChartTheme(m_chart);

    m_samples->setRowCount(names.size());
    m_samples->setVerticalHeaderLabels(names);
    for (int k = 0; k < names.size(); ++k) {
        const auto& images = m_sampleImages[static_cast<std::size_t>(k)];
        for (int j = 0; j < SamplesPerClass; ++j) {
            auto* item = new QTableWidgetItem;
            if (j < static_cast<int>(images.size())) {
                item->setIcon(QPixmap::fromImage(fitImage(images[static_cast<std::size_t>(j)], kSampleSide)));
                item->setToolTip(tr("%1, sample %2").arg(names[k]).arg(j + 1));
            }
            m_samples->setItem(k, j, item);
        }
    }

    m_problems->setRowCount(static_cast<int>(d.problems.size()));
    for (std::size_t i = 0; i < d.problems.size(); ++i) {
        const int row = static_cast<int>(i);
        m_problems->setItem(row, 0, new QTableWidgetItem(QString::fromStdString(d.problems[i].file)));
        m_problems->setItem(row, 1, new QTableWidgetItem(QString::fromStdString(d.problems[i].reason)));
    }
}

QString DatasetView::statusText() const
{
    return m_status->text();
}

QString DatasetView::summaryText() const
{
    return m_summary->text();
}

QImage DatasetView::sampleImage(int label, int k) const
{
    if (label < 0 || label >= static_cast<int>(m_sampleImages.size()))
        return {};
    const auto& images = m_sampleImages[static_cast<std::size_t>(label)];
    return k >= 0 && k < static_cast<int>(images.size()) ? images[static_cast<std::size_t>(k)] : QImage();
}

} // namespace studio
