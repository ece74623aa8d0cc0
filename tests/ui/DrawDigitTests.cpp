#include "UiTestSupport.h"

#include "RunFixtures.h"

#include "draw/DrawDigitView.h"
#include "draw/DrawingPad.h"

#include "data/DigitPreprocess.h"

#include <catch2/catch.hpp>

#include <QImage>
#include <QLabel>
#include <QPainter>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>

#include <algorithm>
#include <numeric>

using studio::DrawDigitView;

namespace {

constexpr int kTimeoutMs = 10'000;

// A recorded run whose model.safetensors holds seeded fresh weights of a small network.
struct DrawRun {
    uitest::TinyDataset data{20, 10};
    TempDir runs;
    std::string dir;
    explicit DrawRun(const std::string& dataset = "idx", bool normalize = false)
    {
        mnist::TrainConfig c = data.config();
        c.dataset = dataset;
        c.augment.normalize = normalize;
        dir = runs.file("20260105-130000-LeNet");
        uitest::writeRunFolder(dir, c, uitest::makeEpochs({12.0}, {2.3}));
        uitest::saveFreshWeights("LeNet", dir + "/model.safetensors", 5);
    }
};

struct Box {
    int left = 28, top = 28, right = -1, bottom = -1;
};
Box inkBox(const std::vector<uint8_t>& p)
{
    Box b;
    for (int y = 0; y < 28; ++y)
        for (int x = 0; x < 28; ++x)
            if (p[static_cast<std::size_t>(y * 28 + x)] > 0) {
                b.left = std::min(b.left, x);
                b.right = std::max(b.right, x);
                b.top = std::min(b.top, y);
                b.bottom = std::max(b.bottom, y);
            }
    return b;
}

// A "7" drawn with the mouse in the pad's upper-left quarter: press, moves, release.
void drawSeven(QWidget* pad)
{
    const int w = pad->width(), h = pad->height();
    const QPoint a(w * 15 / 100, h * 12 / 100), b(w * 45 / 100, h * 12 / 100), c(w * 25 / 100, h * 48 / 100);
    QTest::mousePress(pad, Qt::LeftButton, Qt::NoModifier, a);
    for (int i = 1; i <= 10; ++i)
        QTest::mouseMove(pad, a + (b - a) * i / 10);
    for (int i = 1; i <= 10; ++i)
        QTest::mouseMove(pad, b + (c - b) * i / 10);
    QTest::mouseRelease(pad, Qt::LeftButton, Qt::NoModifier, c);
}

} // namespace

TEST_CASE("a stroke drawn on the pad reaches the model as a centred 28x28 image, and Clear resets", "[ui][draw]")
{
    DrawRun run;
    auto w = uitest::makeWindow();
    w->showTab(studio::MainWindow::Tab::DrawDigit);
    DrawDigitView* view = w->drawDigitView();
    REQUIRE(view);
    REQUIRE(view->isVisible());
    CHECK(view->isBlank());
    CHECK(view->statusText().contains(QStringLiteral("Nothing drawn")));
    REQUIRE(view->useRun(QString::fromStdString(run.dir)));
    CHECK(view->modelDescription().contains(QStringLiteral("20260105-130000-LeNet")));

    view->strokeWidthBox()->setValue(24);
    CHECK(view->pad()->strokeWidth() == 24);
    QSignalSpy classified(view, &DrawDigitView::classified);
    drawSeven(view->pad());
    REQUIRE(classified.wait(kTimeoutMs));
    CHECK_FALSE(view->isBlank());
    CHECK(view->statusText().contains(QStringLiteral("inverted"))); // black ink on the white pad

    // What the model was fed: MNIST's shape (ink box long side 20, centre of mass on (14, 14)),
    // though the stroke was drawn off-centre.
    const std::vector<uint8_t> input = view->lastInput();
    REQUIRE(input.size() == 784u);
    const Box b = inkBox(input);
    CHECK(std::max(b.right - b.left + 1, b.bottom - b.top + 1) == 20);
    CHECK(b.right - b.left + 1 <= 20);
    CHECK(b.bottom - b.top + 1 <= 20);
    const mnist::MassCentre m = mnist::massCentre(input.data(), 28, 28);
    CHECK(m.row == Approx(14).margin(0.5));
    CHECK(m.col == Approx(14).margin(0.5));
    CHECK(*std::max_element(input.begin(), input.end()) == 255);
    // The preview shows exactly that image, enlarged without smoothing.
    const QImage shown = view->inputPreview()->pixmap().toImage().convertToFormat(QImage::Format_Grayscale8);
    REQUIRE(shown.width() == 28 * DrawDigitView::PreviewScale);
    for (int y : {3, 10, 14, 20})
        for (int x : {3, 10, 14, 20})
            CHECK(qGray(shown.pixel(x * DrawDigitView::PreviewScale + 2, y * DrawDigitView::PreviewScale + 2)) ==
                  input[static_cast<std::size_t>(y * 28 + x)]);

    // Ten bars with the class names, holding the model's probabilities.
    const std::vector<float> p = view->probabilities();
    REQUIRE(p.size() == 10u);
    CHECK(std::accumulate(p.begin(), p.end(), 0.0) == Approx(1.0).epsilon(1e-5));
    int bars = 0;
    for (int k = 0; k < 10; ++k) {
        CHECK(view->barLabel(k) == QString::number(k));
        CHECK(view->barValue(k) == static_cast<int>(std::lround(p[static_cast<std::size_t>(k)] * 1000)));
        bars += view->barValue(k);
    }
    CHECK(bars == Approx(1000).margin(5));
    CHECK(view->predictedClass() == static_cast<int>(std::max_element(p.begin(), p.end()) - p.begin()));

    // Clear: nothing drawn, nothing predicted, no bar.
    QSignalSpy blank(view, &DrawDigitView::blankInput);
    QTest::mouseClick(view->clearButton(), Qt::LeftButton);
    CHECK(blank.count() == 1);
    CHECK(view->isBlank());
    CHECK(view->pad()->isEmpty());
    CHECK(view->probabilities().empty());
    CHECK(view->predictedClass() == -1);
    CHECK(view->statusText().contains(QStringLiteral("Nothing drawn")));
    CHECK(std::all_of(view->lastInput().begin(), view->lastInput().end(), [](uint8_t v) { return v == 0; }));
    for (int k = 0; k < 10; ++k)
        CHECK(view->barValue(k) == 0);
}

TEST_CASE("an opened picture of any size is preprocessed and classified with the run's class names", "[ui][draw]")
{
    DrawRun run("fashion-mnist", true);
    TempDir pictures;
    // Dark ink on light paper, 300 x 90: a wide shape.
    QImage picture(300, 90, QImage::Format_RGB32);
    picture.fill(QColor(235, 235, 230));
    {
        QPainter p(&picture);
        p.setRenderHint(QPainter::Antialiasing);
        p.setPen(QPen(QColor(30, 30, 40), 9, Qt::SolidLine, Qt::RoundCap));
        p.drawEllipse(QRectF(40, 20, 220, 50));
    }
    const QString path = QString::fromStdString(pictures.file("wide.png"));
    REQUIRE(picture.save(path));

    DrawDigitView view;
    view.resize(900, 600);
    view.show();
    REQUIRE(QTest::qWaitForWindowExposed(&view));
    REQUIRE(view.useRun(QString::fromStdString(run.dir)));
    QSignalSpy classified(&view, &DrawDigitView::classified);
    REQUIRE(view.openImage(path));
    if (classified.isEmpty())
        REQUIRE(classified.wait(kTimeoutMs));
    CHECK(view.pad()->canvas().size() == QSize(300, 90));
    const Box b = inkBox(view.lastInput());
    CHECK(b.right - b.left + 1 == 20);
    CHECK(b.bottom - b.top + 1 < 10);
    CHECK(view.barLabel(0) == QStringLiteral("T-shirt/top"));
    CHECK(view.probabilities().size() == 10u);
    CHECK(view.modelDescription().contains(QStringLiteral("normalized")));

    SECTION("an unreadable file and weights of another architecture are refused in words")
    {
        CHECK_FALSE(view.openImage(QString::fromStdString(pictures.file("missing.png"))));
        CHECK(view.statusText().contains(QStringLiteral("missing.png")));
        mnist::TrainConfig other = run.data.config();
        other.arch = "LeNetDeep";
        CHECK_FALSE(view.useWeights(other, QString::fromStdString(run.dir + "/model.safetensors")));
        CHECK(view.statusText().contains(QStringLiteral("LeNetDeep")));
        CHECK(view.hasModel()); // the previous model stays
    }
}

TEST_CASE("With no run, Draw a digit uses the pretrained model until a run of the session has weights", "[ui][draw][pretrained]")
{
    DrawRun run;
    const uitest::PretrainedFixture pretrained(run.data.config());
    DrawDigitView view;
    QString current;
    view.setCurrentRunProvider([&] { return current; });
    view.resize(900, 600);
    view.show();
    REQUIRE(QTest::qWaitForWindowExposed(&view));
    REQUIRE(view.hasModel());
    CHECK(view.usingPretrained());
    CHECK(view.modelDescription().contains(QStringLiteral("pretrained model tiny")));
    CHECK(view.modelDescription().contains(QStringLiteral("LeNet")));
    drawSeven(view.pad());
    view.updateNow();
    CHECK(view.probabilities().size() == 10u);

    // A run starts and writes its first weights: it replaces the stand-in.
    current = QString::fromStdString(run.dir);
    view.currentRunChanged(current);
    CHECK_FALSE(view.usingPretrained());
    CHECK(view.modelDescription().contains(QStringLiteral("20260105-130000-LeNet")));

    // The Pretrained button brings it back.
    auto* button = view.findChild<QPushButton*>(QStringLiteral("drawUsePretrained"));
    REQUIRE(button);
    button->click();
    CHECK(view.usingPretrained());
}

TEST_CASE("A hidden Draw view takes a followed run's new weights when it is next shown, not every epoch", "[ui][draw]")
{
    DrawRun run;
    DrawDigitView view;
    view.resize(900, 600);
    view.show();
    REQUIRE(QTest::qWaitForWindowExposed(&view));
    REQUIRE(view.useRun(QString::fromStdString(run.dir), /*follow=*/true));
    drawSeven(view.pad());
    view.updateNow();
    const std::vector<float> first = view.probabilities();
    REQUIRE(first.size() == 10u);

    // Another tab is in front while the run's next epoch rewrites its weights.
    view.hide();
    uitest::saveFreshWeights("LeNet", run.dir + "/model.safetensors", 6);
    view.runWeightsChanged(QString::fromStdString(run.dir));
    view.updateNow();
    CHECK(view.probabilities() == first); // not reloaded while hidden

    view.show();
    REQUIRE(QTest::qWaitForWindowExposed(&view));
    view.updateNow();
    const std::vector<float> shown = view.probabilities();
    REQUIRE(shown.size() == 10u);
    CHECK(shown != first); // the newest weights, without a click

    // Shown, a rewrite is taken at once.
    uitest::saveFreshWeights("LeNet", run.dir + "/model.safetensors", 7);
    view.runWeightsChanged(QString::fromStdString(run.dir));
    view.updateNow();
    CHECK(view.probabilities() != shown);
}
