// The window with data other than MNIST's: class names of any count, colour images, any size; the
// dataset view and File > Open dataset.
#include "UiTestSupport.h"
#include "RunFixtures.h"

#include "augmentation/AugmentationPreview.h"
#include "draw/DrawDigitView.h"
#include "draw/DrawingPad.h"
#include "dataset/DatasetView.h"
#include "dataset/OpenDatasetDialog.h"
#include "dataset/RecentDatasets.h"
#include "evaluation/ConfusionTable.h"
#include "evaluation/EvaluationView.h"
#include "setup/ConfigPanel.h"
#include "shared/CoreBridge.h"

#include "data/ScopedEnv.h"
#include "train/Predictions.h"

#include <catch2/catch.hpp>

#include <QChart>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHeaderView>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QListWidget>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QMenu>
#include <QTableWidget>
#include <QToolButton>

#include <algorithm>
#include <filesystem>
#include <memory>

namespace {

constexpr int kLoadTimeoutMs = 60'000;

// Three classes of colour images 10 wide and 8 high: each class a tint of its own, so that a
// grey rendering would be caught.
const QStringList kClasses{QStringLiteral("bird"), QStringLiteral("cat"), QStringLiteral("dog")};

// Writes ROOT/<class>/<n>.png, `perClass` of each class, `width` x `height` pixels.
void writeColourFolder(const std::filesystem::path& root, int perClass, int width = 10, int height = 8)
{
    const QColor tints[] = {QColor(200, 30, 30), QColor(30, 180, 40), QColor(40, 50, 220)};
    for (int k = 0; k < kClasses.size(); ++k) {
        const QString dir = QString::fromStdString((root / kClasses[k].toStdString()).string());
        REQUIRE(QDir().mkpath(dir));
        for (int i = 0; i < perClass; ++i) {
            QImage img(width, height, QImage::Format_RGB888);
            img.fill(tints[k].darker(100 + 10 * i));
            img.setPixelColor(i % width, i % height, Qt::white);
            REQUIRE(img.save(QStringLiteral("%1/%2.png").arg(dir).arg(i, 3, 10, QLatin1Char('0'))));
        }
    }
}

// A PNG cut short: a problem of the dataset, not a failure to read it.
void writeTruncatedPng(const std::filesystem::path& file)
{
    QImage img(10, 8, QImage::Format_RGB888);
    img.fill(Qt::red);
    const QString path = QString::fromStdString(file.string());
    REQUIRE(img.save(path));
    QFile f(path);
    REQUIRE(f.open(QIODevice::ReadWrite));
    REQUIRE(f.resize(f.size() / 2));
}

bool isGrey(const QImage& image)
{
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x) {
            const QColor c = image.pixelColor(x, y);
            if (c.red() != c.green() || c.green() != c.blue())
                return false;
        }
    return true;
}

// Predictions of three named classes on colour 8 x 10 images: image i has label i % 3 and is
// predicted (i + 1) % 3 for every fourth image.
std::shared_ptr<mnist::TestPredictions> colourPredictions(int n = 12)
{
    auto p = std::make_shared<mnist::TestPredictions>();
    p->rows = 8;
    p->cols = 10;
    p->channels = 3;
    p->classes = 3;
    p->classNames = {"bird", "cat", "dog"};
    p->confusion.assign(9, 0);
    const std::size_t plane = 8 * 10;
    for (int i = 0; i < n; ++i) {
        const int label = i % 3;
        const int predicted = i % 4 == 0 ? (label + 1) % 3 : label;
        p->labels.push_back(label);
        p->predicted.push_back(predicted);
        p->confidence.push_back(0.5f + 0.01f * static_cast<float>(i));
        for (int k = 0; k < 3; ++k)
            p->probabilities.push_back(k == predicted ? 0.8f : 0.1f);
        ++p->confusion[static_cast<std::size_t>(label * 3 + predicted)];
        // Red, green and blue planes of different levels: a colour image.
        for (std::size_t c = 0; c < 3; ++c)
            p->images.insert(p->images.end(), plane, static_cast<uint8_t>(60 + 80 * c));
    }
    return p;
}

} // namespace

TEST_CASE("The evaluation tab names any classes and shows colour mistakes in colour", "[ui][evaluation][data]")
{
    studio::EvaluationView view;
    view.resize(1200, 700);
    view.show();
    mnist::TrainConfig config;
    config.dataset = "folder";
    config.data.channels = 3;
    config.data.height = 8;
    config.data.width = 10;
    config.data.classes = {"bird", "cat", "dog"};
    const auto p = colourPredictions();
    view.showPredictions(config, p, QStringLiteral("colour"));

    studio::ConfusionTable* table = view.confusionTable();
    REQUIRE(table->rowCount() == 3);
    REQUIRE(table->columnCount() == 4);
    CHECK(table->accuracyColumn() == 3);
    CHECK(table->verticalHeaderItem(0)->text() == "bird");
    CHECK(table->horizontalHeaderItem(2)->text() == "dog");
    CHECK(table->horizontalHeaderItem(3)->text() == "Acc.");
    CHECK(view.labelHeader(1) == "cat");
    // Class 0 is images 0, 3, 6 and 9; only image 0 is a mistake (predicted cat).
    CHECK(view.confusionCell(0, 0) == 3);
    CHECK(view.confusionCell(0, 1) == 1);
    CHECK(view.classAccuracyText(0) == "75.0%");
    CHECK(view.trueFilterBox()->itemText(view.trueFilterBox()->findData(2)) == "dog");

    REQUIRE(!view.galleryImages().empty());
    const int first = view.galleryImages().front();
    const auto s = static_cast<std::size_t>(first);
    CHECK(view.galleryCaption(0).startsWith(QStringLiteral("true: %1\npred: %2")
                                                .arg(QString::fromStdString(p->classNames[static_cast<std::size_t>(p->labels[s])]),
                                                     QString::fromStdString(p->classNames[static_cast<std::size_t>(p->predicted[s])]))));
    const QPixmap thumb = view.gallery()->model()->index(0, 0).data(Qt::DecorationRole).value<QPixmap>();
    REQUIRE(!thumb.isNull());
    CHECK(thumb.width() <= 84);
    CHECK(thumb.height() <= 84);
    CHECK(thumb.width() > thumb.height()); // 10 x 8 keeps its aspect
    CHECK_FALSE(isGrey(thumb.toImage()));
}

TEST_CASE("A confusion table of 62 classes scrolls with readable columns instead of squeezing them", "[ui][evaluation][data]")
{
    studio::ConfusionTable table;
    table.resize(600, 400);
    table.show();
    QStringList names;
    for (int k = 0; k < 62; ++k)
        names << (k < 10 ? QString::number(k) : QStringLiteral("class number %1").arg(k));
    table.setClassLabels(names);
    std::vector<int64_t> counts(62 * 62, 0);
    for (int k = 0; k < 62; ++k)
        counts[static_cast<std::size_t>(k * 62 + k)] = 1000 + k;
    table.setCounts(counts, 62);
    REQUIRE(table.rowCount() == 62);
    REQUIRE(table.columnCount() == 63);
    CHECK(table.count(61, 61) == 1061);
    CHECK(table.accuracyText(61) == "100.0%");
    CHECK(table.horizontalHeader()->sectionResizeMode(5) != QHeaderView::Stretch);
    CHECK(table.horizontalHeaderItem(20)->toolTip() == "class number 20");
    CHECK(table.horizontalHeaderItem(20)->text().size() <= 6);
    QApplication::processEvents();
    // Each column keeps room for its four digits, so the table is wider than its viewport.
    CHECK(table.horizontalHeader()->sectionSize(30) >= QFontMetrics(table.font()).horizontalAdvance(QStringLiteral("0000")));
    CHECK(table.horizontalHeader()->length() > table.viewport()->width());
}

TEST_CASE("The dataset view shows a colour image folder's classes, samples and unreadable files", "[ui][dataset]")
{
    TempDir root, cache;
    const ScopedEnv noCache("MNIST_STUDIO_CACHE_DIR", cache.path().string());
    writeColourFolder(root.path(), 5);
    writeTruncatedPng(root.path() / "cat" / "broken.png");

    studio::DatasetView view;
    view.resize(1100, 760);
    view.show();
    QSignalSpy loaded(&view, &studio::DatasetView::loaded);
    view.open(QStringLiteral("folder"), QString::fromStdString(root.path().string()));
    CHECK(view.isLoading());
    REQUIRE(uitest::arrived(loaded, kLoadTimeoutMs));
    INFO(view.statusText().toStdString());
    REQUIRE(loaded.at(0).at(0).toBool());
    const mnist::DatasetDescription* d = view.description();
    REQUIRE(d != nullptr);
    CHECK(d->classes == std::vector<std::string>{"bird", "cat", "dog"});
    CHECK(d->channels == 3);
    CHECK(d->height == 8);
    CHECK(d->width == 10);
    CHECK(d->heldOutTest);
    CHECK(d->train.images + d->valid.images + d->test.images == 15);
    CHECK(view.summaryText().contains(QStringLiteral("10 x 8")));
    CHECK(view.summaryText().contains(QStringLiteral("held out")));

    // The bar chart: one bar per class, the three splits stacked, summing to the class's images.
    REQUIRE(!view.classChart()->series().isEmpty());

    QTableWidget* samples = view.sampleTable();
    REQUIRE(samples->rowCount() == 3);
    CHECK(samples->verticalHeaderItem(1)->text() == "cat");
    CHECK(!samples->item(0, 0)->icon().isNull());
    const QImage sample = view.sampleImage(2, 0);
    REQUIRE(!sample.isNull());
    CHECK_FALSE(isGrey(sample));

    QTableWidget* problems = view.problemTable();
    REQUIRE(problems->rowCount() == 1);
    CHECK(problems->item(0, 0)->text().contains(QStringLiteral("broken.png")));
    CHECK(!problems->item(0, 1)->text().isEmpty());
    CHECK(view.statusText().contains(QStringLiteral("could not be read")));
}

TEST_CASE("The dataset view resizes images as the set-up's image size says", "[ui][dataset]")
{
    TempDir root, cache;
    const ScopedEnv noCache("MNIST_STUDIO_CACHE_DIR", cache.path().string());
    writeColourFolder(root.path(), 2);
    studio::DatasetView view;
    view.show();
    QSignalSpy loaded(&view, &studio::DatasetView::loaded);
    view.open(QStringLiteral("folder"), QString::fromStdString(root.path().string()), 0.8, QStringLiteral("16x20"));
    REQUIRE(uitest::arrived(loaded, kLoadTimeoutMs));
    REQUIRE(view.description() != nullptr);
    CHECK(view.description()->height == 16);
    CHECK(view.description()->width == 20);
    CHECK(view.sampleImage(0, 0).size() == QSize(20, 16));
}

TEST_CASE("The dataset view shows why a source cannot be read", "[ui][dataset]")
{
    TempDir root;
    studio::DatasetView view;
    view.show();
    QSignalSpy loaded(&view, &studio::DatasetView::loaded);
    view.open(QStringLiteral("csv"), QString::fromStdString(root.file("missing.csv")));
    REQUIRE(uitest::arrived(loaded, kLoadTimeoutMs));
    CHECK_FALSE(loaded.at(0).at(0).toBool());
    CHECK(view.description() == nullptr);
    CHECK(view.statusText().startsWith(QStringLiteral("The dataset could not be read")));
    CHECK(view.sampleTable()->rowCount() == 0);
}

TEST_CASE("File > Open dataset sets the set-up's dataset and data folder and shows the dataset", "[ui][dataset]")
{
    TempDir root, cache;
    const ScopedEnv noCache("MNIST_STUDIO_CACHE_DIR", cache.path().string());
    writeColourFolder(root.path(), 3);
    auto w = uitest::makeWindow();
    const QString path = QString::fromStdString(root.path().string());
    w->openDataset(QStringLiteral("folder"), path);
    CHECK(w->configPanel()->config().dataset == "folder");
    CHECK(w->configPanel()->config().dataDir == QFileInfo(path).absoluteFilePath().toStdString());
    REQUIRE(w->datasetView() != nullptr);
    QSignalSpy loaded(w->datasetView(), &studio::DatasetView::loaded);
    REQUIRE(uitest::arrived(loaded, kLoadTimeoutMs));
    CHECK(w->datasetView()->sampleTable()->rowCount() == 3);
    CHECK(w->datasetView()->isVisible());
}

TEST_CASE("The Open dataset dialog detects a folder's kind and asks for one it cannot tell", "[ui][dataset]")
{
    TempDir root, empty;
    writeColourFolder(root.path(), 1);
    studio::OpenDatasetDialog dialog({{QStringLiteral("csv"), QStringLiteral("/somewhere/train.csv")}});
    dialog.show();
    QPushButton* open = dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Open);
    CHECK_FALSE(open->isEnabled());

    QTest::keyClicks(dialog.pathEdit(), QString::fromStdString(root.path().string()));
    CHECK(dialog.detectedKind() == "folder");
    CHECK(dialog.kind() == "folder");
    CHECK(open->isEnabled());

    dialog.setPath(QString::fromStdString(empty.path().string()));
    CHECK(dialog.kind().isEmpty());
    CHECK_FALSE(open->isEnabled());
    dialog.kindBox()->setCurrentIndex(dialog.kindBox()->findData(QStringLiteral("idx")));
    CHECK(dialog.kind() == "idx");
    CHECK(open->isEnabled());

    // A recent dataset picked from the list fills both.
    REQUIRE(dialog.recentList()->count() == 1);
    dialog.recentList()->setCurrentRow(0);
    CHECK(dialog.path() == "/somewhere/train.csv");
    CHECK(dialog.kind() == "csv");
}

TEST_CASE("Opened datasets are remembered, newest first, once each", "[ui][dataset]")
{
    QSettings().remove(QStringLiteral("recentDatasets"));
    studio::rememberDataset({QStringLiteral("folder"), QStringLiteral("/a")});
    studio::rememberDataset({QStringLiteral("csv"), QStringLiteral("/b.csv")});
    studio::rememberDataset({QStringLiteral("folder"), QStringLiteral("/a")});
    const QVector<studio::DatasetChoice> recent = studio::recentDatasets();
    REQUIRE(recent.size() == 2);
    CHECK(recent[0].path == "/a");
    CHECK(recent[1].kind == "csv");
    for (int i = 0; i < 12; ++i)
        studio::rememberDataset({QStringLiteral("idx"), QStringLiteral("/d%1").arg(i)});
    CHECK(studio::recentDatasets().size() == studio::kMaxRecentDatasets);
    QSettings().remove(QStringLiteral("recentDatasets"));
}

TEST_CASE("The augmentation preview draws colour images in colour at their own size", "[ui][augmentation][data]")
{
    TempDir root, cache;
    const ScopedEnv noCache("MNIST_STUDIO_CACHE_DIR", cache.path().string());
    writeColourFolder(root.path(), 4);
    mnist::TrainConfig config;
    config.dataset = "folder";
    config.dataDir = root.path().string();
    studio::AugmentationPreview preview;
    preview.setConfig(config);
    preview.show();
    QSignalSpy updated(&preview, &studio::AugmentationPreview::previewUpdated);
    preview.load();
    REQUIRE(QTest::qWaitFor([&] { return preview.shownSamples() > 0 || !preview.message().isEmpty(); }, kLoadTimeoutMs));
    INFO(preview.message().toStdString());
    REQUIRE(preview.shownSamples() > 0);
    const QImage original = preview.image(0, studio::AugmentationPreview::View::Original);
    CHECK(original.width() == 10);
    CHECK(original.height() == 8);
    CHECK_FALSE(isGrey(original));
    // Samples are titled with their class's name (the first images are of the first class).
    bool named = false;
    for (const QLabel* label : preview.findChildren<QLabel*>())
        named = named || label->text().contains(QStringLiteral("label 0 (bird)"));
    CHECK(named);
}

TEST_CASE("A drawn digit is fitted to a model's image size and channels", "[ui][draw][data]")
{
    std::vector<uint8_t> digit(28 * 28, 0);
    for (int i = 0; i < 28; ++i)
        digit[static_cast<std::size_t>(i * 28 + 14)] = 255;
    mnist::DataShape shape;
    shape.channels = 3;
    shape.height = 14;
    shape.width = 14;
    const std::vector<uint8_t> fitted = studio::drawnForModel(digit, shape);
    REQUIRE(fitted.size() == 3u * 14u * 14u);
    // Grey repeated: the three planes agree, and the stroke is still there.
    CHECK(std::equal(fitted.begin(), fitted.begin() + 196, fitted.begin() + 196));
    CHECK(*std::max_element(fitted.begin(), fitted.end()) > 0);
    mnist::DataShape mnist;
    CHECK(studio::drawnForModel(digit, mnist) == digit);
}

namespace {

// A recorded run of fresh LeNet weights on 32 x 32 colour images of three classes.
struct ColourRun {
    TempDir data, runs, cache;
    ScopedEnv noCache{"MNIST_STUDIO_CACHE_DIR", cache.path().string()};
    std::string dir;
    mnist::TrainConfig config;
    ColourRun()
    {
        writeColourFolder(data.path(), 7, 32, 32);
        config.dataset = "folder";
        config.dataDir = data.path().string();
        config.arch = "LeNet";
        config.device = "cpu";
        config.threads = 1;
        config.data.channels = 3;
        config.data.height = 32;
        config.data.width = 32;
        config.data.classes = {"bird", "cat", "dog"};
        dir = runs.file("20260105-120000-LeNet");
        uitest::writeRunFolder(dir, config, uitest::makeEpochs({40.0}, {1.1}));
        uitest::saveFreshWeights(config, dir + "/model.safetensors", 5);
    }
};

} // namespace

TEST_CASE("Draw a digit with a colour model classifies an image file instead", "[ui][draw][data]")
{
    ColourRun run;
    studio::DrawDigitView view;
    view.show();
    REQUIRE(view.useRun(QString::fromStdString(run.dir)));
    CHECK(view.colourMode());
    CHECK_FALSE(view.pad()->isVisible());
    QPushButton* classify = view.findChild<QPushButton*>(QStringLiteral("drawClassifyFile"));
    REQUIRE(classify != nullptr);
    CHECK(classify->isVisible());

    // A 50 x 40 picture: converted and resized to the model's 32 x 32 by the core.
    TempDir pictures;
    QImage picture(50, 40, QImage::Format_RGB888);
    picture.fill(QColor(30, 180, 40));
    const QString file = QString::fromStdString(pictures.file("leaf.png"));
    REQUIRE(picture.save(file));
    QSignalSpy classified(&view, &studio::DrawDigitView::classified);
    REQUIRE(view.classifyFile(file));
    CHECK(classified.count() == 1);
    REQUIRE(view.probabilities().size() == 3);
    CHECK(view.barLabel(0) == "bird");
    CHECK(view.barLabel(2) == "dog");
    CHECK(view.predictedClass() >= 0);
    CHECK_FALSE(isGrey(view.inputPreview()->pixmap().toImage()));

    CHECK_FALSE(view.classifyFile(QString::fromStdString(pictures.file("missing.png"))));
    CHECK(view.statusText().contains(QStringLiteral("could not be classified")));
}

TEST_CASE("A colour run evaluates with its class names and colour thumbnails", "[ui][evaluation][data]")
{
    ColourRun run;
    studio::EvaluationView view;
    view.show();
    QSignalSpy done(&view, &studio::EvaluationView::evaluationFinished);
    view.evaluateRun(QString::fromStdString(run.dir));
    REQUIRE(uitest::arrived(done, kLoadTimeoutMs));
    INFO(view.statusText().toStdString());
    REQUIRE(done.at(0).at(0).toBool());
    REQUIRE(view.predictions() != nullptr);
    CHECK(view.predictions()->channels == 3);
    CHECK(view.confusionTable()->rowCount() == 3);
    CHECK(view.labelHeader(2) == "dog");
    if (!view.galleryImages().empty()) {
        const QPixmap thumb = view.gallery()->model()->index(0, 0).data(Qt::DecorationRole).value<QPixmap>();
        CHECK_FALSE(isGrey(thumb.toImage()));
    }
}

TEST_CASE("Inspect gives a colour run's test image in its three channels, and fits a drawn digit to it", "[ui][inspect][data]")
{
    ColourRun run;
    const studio::InspectResult test = studio::inspectRun(run.dir, 0);
    CHECK(test.image.channels == 3);
    CHECK(test.image.rows == 32);
    CHECK(test.image.cols == 32);
    CHECK(test.image.values.size() == 3u * 32u * 32u);
    CHECK(test.probabilities.size() == 3);
    CHECK(test.classNames == std::vector<std::string>{"bird", "cat", "dog"});

    std::vector<uint8_t> digit(28 * 28, 0);
    for (int i = 4; i < 24; ++i)
        digit[static_cast<std::size_t>(i * 28 + 14)] = 255;
    const studio::InspectResult drawn = studio::inspectRun(run.dir, -1, digit);
    CHECK(drawn.image.channels == 3);
    CHECK(drawn.image.rows == 32);
    CHECK(drawn.probabilities.size() == 3);
}

TEST_CASE("The Open… button beside the dataset offers the datasets opened before", "[ui][dataset][setup]")
{
    studio::ConfigPanel panel;
    panel.show();
    panel.setRecentDatasetsProvider([] {
        return QVector<studio::DatasetChoice>{{QStringLiteral("csv"), QStringLiteral("/data/digits/train.csv")}};
    });
    auto* open = panel.findChild<QToolButton*>(QStringLiteral("openDataset"));
    REQUIRE(open != nullptr);
    QSignalSpy asked(&panel, &studio::ConfigPanel::openDatasetRequested);
    open->click();
    CHECK(asked.count() == 1);
    QSignalSpy chosen(&panel, &studio::ConfigPanel::datasetChosen);
    Q_EMIT open->menu()->aboutToShow(); // as opening the menu does
    REQUIRE(open->menu()->actions().size() == 1);
    open->menu()->actions().front()->trigger();
    REQUIRE(chosen.count() == 1);
    CHECK(chosen.at(0).at(0).toString() == "csv");
    CHECK(chosen.at(0).at(1).toString() == "/data/digits/train.csv");
}
