#include "Error.h"
#include "data/DataLocations.h"
#include "data/DigitPreprocess.h"
#include "formats/StateDict.h"
#include "models/ModelRegistry.h"
#include "train/Predictions.h"

#include "data/IdxFixtures.h"
#include "data/TempDir.h"

#include <catch2/catch.hpp>

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <numeric>
#include <optional>
#include <random>

using mnist::DigitImage;
using mnist::kDigitSide;

namespace {

// A grayscale canvas to draw test digits on: strokes are discs stamped along line segments and
// ellipse arcs, with a one-pixel anti-aliased edge like a real pen's.
struct Canvas {
    int width, height;
    std::vector<uint8_t> px;
    uint8_t paper, ink;
    Canvas(int w, int h, uint8_t paperLevel, uint8_t inkLevel)
        : width(w), height(h), px(static_cast<std::size_t>(w) * static_cast<std::size_t>(h), paperLevel), paper(paperLevel), ink(inkLevel)
    {
    }
    void stamp(double cx, double cy, double radius)
    {
        for (int y = std::max(0, static_cast<int>(cy - radius - 2)); y < std::min(height, static_cast<int>(cy + radius + 2)); ++y)
            for (int x = std::max(0, static_cast<int>(cx - radius - 2)); x < std::min(width, static_cast<int>(cx + radius + 2)); ++x) {
                const double d = std::hypot(x + 0.5 - cx, y + 0.5 - cy);
                const double cover = std::clamp(radius + 0.5 - d, 0.0, 1.0);
                uint8_t& p = px[static_cast<std::size_t>(y) * static_cast<std::size_t>(width) + static_cast<std::size_t>(x)];
                const double target = paper + (ink - paper) * cover;
                // Darker-than-paper ink keeps the darkest value, lighter ink the lightest.
                p = static_cast<uint8_t>(std::lround(ink < paper ? std::min<double>(p, target) : std::max<double>(p, target)));
            }
    }
    void line(double x0, double y0, double x1, double y1, double radius)
    {
        const int steps = std::max(1, static_cast<int>(std::hypot(x1 - x0, y1 - y0) * 2));
        for (int i = 0; i <= steps; ++i)
            stamp(x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps, radius);
    }
    void ellipse(double cx, double cy, double rx, double ry, double radius)
    {
        for (int i = 0; i < 720; ++i) {
            const double t = i * M_PI / 360;
            stamp(cx + rx * std::cos(t), cy + ry * std::sin(t), radius);
        }
    }
};

struct Box {
    int left = kDigitSide, top = kDigitSide, right = -1, bottom = -1;
    int width() const { return right - left + 1; }
    int height() const { return bottom - top + 1; }
};

Box inkBox(const std::vector<uint8_t>& pixels)
{
    Box b;
    for (int y = 0; y < kDigitSide; ++y)
        for (int x = 0; x < kDigitSide; ++x)
            if (pixels[static_cast<std::size_t>(y * kDigitSide + x)] > 0) {
                b.left = std::min(b.left, x);
                b.right = std::max(b.right, x);
                b.top = std::min(b.top, y);
                b.bottom = std::max(b.bottom, y);
            }
    return b;
}

// What every non-blank result must satisfy: MNIST's 20x20 box with the long side filled, the
// centre of mass on (14, 14), full-strength ink and a black background.
void checkMnistShape(const DigitImage& d)
{
    REQUIRE_FALSE(d.blank);
    REQUIRE(d.pixels.size() == static_cast<std::size_t>(kDigitSide * kDigitSide));
    const Box b = inkBox(d.pixels);
    INFO("ink box " << b.width() << " x " << b.height() << " at (" << b.left << ", " << b.top << ")");
    CHECK(b.width() <= 20);
    CHECK(b.height() <= 20);
    CHECK(std::max(b.width(), b.height()) == 20);
    CHECK(b.width() == d.boxWidth);
    CHECK(b.height() == d.boxHeight);
    const mnist::MassCentre m = mnist::massCentre(d.pixels.data(), kDigitSide, kDigitSide);
    CHECK(m.row == Approx(14.0).margin(0.5));
    CHECK(m.col == Approx(14.0).margin(0.5));
    CHECK(*std::max_element(d.pixels.begin(), d.pixels.end()) == 255);
    // The corners are background.
    CHECK(d.pixels.front() == 0);
    CHECK(d.pixels.back() == 0);
}

} // namespace

TEST_CASE("Digit preprocessing centres an off-centre digit by its centre of mass in a 20x20 box", "[data][draw]")
{
    Canvas c(200, 200, 0, 255);
    c.ellipse(55, 60, 22, 38, 5); // a "0" in the top-left quarter
    const DigitImage d = mnist::preprocessDigit(c.px, c.width, c.height);
    CHECK_FALSE(d.inverted);
    checkMnistShape(d);
    // The box found is the drawn ring's: centre 55,60; half sizes 22+5, 38+5 (give or take the edge).
    CHECK(d.inkTop == Approx(60 - 43).margin(2));
    CHECK(d.inkHeight == Approx(86).margin(3));
    CHECK(d.inkLeft == Approx(55 - 27).margin(2));
    CHECK(d.boxHeight == 20);
    CHECK(d.boxWidth == Approx(20.0 * 54 / 86).margin(1));
}

TEST_CASE("Digit preprocessing inverts dark ink on light paper, and only then", "[data][draw]")
{
    // A "7" in dark ink on white paper, and the same drawing as white ink on black.
    Canvas dark(240, 240, 255, 20);
    Canvas light(240, 240, 0, 235);
    for (Canvas* c : {&dark, &light}) {
        c->line(60, 50, 170, 50, 7);
        c->line(170, 50, 100, 200, 7);
    }
    CHECK(mnist::hasLightBackground(dark.px.data(), dark.width, dark.height));
    CHECK_FALSE(mnist::hasLightBackground(light.px.data(), light.width, light.height));
    const DigitImage a = mnist::preprocessDigit(dark.px, dark.width, dark.height);
    const DigitImage b = mnist::preprocessDigit(light.px, light.width, light.height);
    CHECK(a.inverted);
    CHECK_FALSE(b.inverted);
    checkMnistShape(a);
    checkMnistShape(b);
    // 255 - dark == light pixel for pixel, so both give the same image.
    CHECK(a.pixels == b.pixels);

    SECTION("grey paper of a photo becomes black, not dim grey")
    {
        Canvas photo(240, 240, 190, 60);
        photo.line(60, 50, 170, 50, 7);
        photo.line(170, 50, 100, 200, 7);
        std::mt19937 rng(5);
        std::uniform_int_distribution<int> noise(-6, 6);
        for (auto& p : photo.px)
            p = static_cast<uint8_t>(std::clamp(p + noise(rng), 0, 255));
        const DigitImage d = mnist::preprocessDigit(photo.px, photo.width, photo.height);
        CHECK(d.inverted);
        checkMnistShape(d);
        const auto background = std::count(d.pixels.begin(), d.pixels.end(), uint8_t{0});
        CHECK(background > 28 * 28 / 2);
    }
}

TEST_CASE("Digit preprocessing keeps the aspect ratio of non-square pictures and ink", "[data][draw]")
{
    SECTION("300 x 90: a wide shape fills the box's width")
    {
        Canvas c(300, 90, 255, 0);
        c.ellipse(150, 45, 120, 25, 4);
        const DigitImage d = mnist::preprocessDigit(c.px, c.width, c.height);
        checkMnistShape(d);
        CHECK(d.boxWidth == 20);
        CHECK(d.boxHeight == Approx(20.0 * d.inkHeight / d.inkWidth).margin(1));
        CHECK(d.boxHeight < 10);
    }
    SECTION("60 x 200: a tall shape fills the box's height")
    {
        Canvas c(60, 200, 0, 255);
        c.line(32, 20, 26, 180, 5); // a "1"
        const DigitImage d = mnist::preprocessDigit(c.px, c.width, c.height);
        checkMnistShape(d);
        CHECK(d.boxHeight == 20);
        CHECK(d.boxWidth <= 4);
    }
}

TEST_CASE("Digit preprocessing keeps a one-pixel stroke in a large picture at full strength", "[data][draw]")
{
    Canvas c(400, 400, 255, 0);
    for (int i = 0; i < 300; ++i) // a hard-edged diagonal, one pixel wide
        c.px[static_cast<std::size_t>(50 + i) * 400 + static_cast<std::size_t>(60 + i)] = 0;
    const DigitImage d = mnist::preprocessDigit(c.px, c.width, c.height);
    CHECK(d.inverted);
    CHECK(d.inkWidth == 300);
    CHECK(d.inkHeight == 300);
    checkMnistShape(d);
    // The 20 diagonal pixels carry the stroke: each at least half strength after the stretch.
    for (int k = 0; k < 20; ++k)
        CHECK(d.pixels[static_cast<std::size_t>((d.boxTop + k) * kDigitSide + d.boxLeft + k)] >= 128);
}

TEST_CASE("Digit preprocessing reports a blank picture instead of inventing a digit", "[data][draw]")
{
    std::vector<uint8_t> white(280 * 280, 255), black(280 * 280, 0), noisy(120 * 90);
    std::mt19937 rng(3);
    std::uniform_int_distribution<int> grain(200, 215); // paper grain, no ink
    for (auto& p : noisy)
        p = static_cast<uint8_t>(grain(rng));
    const std::vector<std::pair<DigitImage, const char*>> cases = {
        {mnist::preprocessDigit(white, 280, 280), "white"},
        {mnist::preprocessDigit(black, 280, 280), "black"},
        {mnist::preprocessDigit(noisy, 120, 90), "grain"},
        {mnist::preprocessDigit(nullptr, 0, 0), "empty"},
        {mnist::preprocessDigit(white, 300, 300), "too small a buffer"}};
    for (const auto& [d, name] : cases) {
        INFO(name);
        CHECK(d.blank);
        CHECK(d.pixels.size() == static_cast<std::size_t>(kDigitSide * kDigitSide));
        CHECK(std::all_of(d.pixels.begin(), d.pixels.end(), [](uint8_t p) { return p == 0; }));
    }
    CHECK(mnist::massCentre(black.data(), 280, 280).row == -1);
}

TEST_CASE("A one-pixel dot and a 1 x 1 picture of ink are handled", "[data][draw]")
{
    Canvas c(50, 50, 0, 255);
    c.px[25 * 50 + 10] = 255;
    const DigitImage d = mnist::preprocessDigit(c.px, 50, 50);
    REQUIRE_FALSE(d.blank);
    CHECK(d.boxWidth == 20);
    CHECK(d.boxHeight == 20);
    const mnist::MassCentre m = mnist::massCentre(d.pixels.data(), kDigitSide, kDigitSide);
    CHECK(m.row == Approx(14).margin(0.5));
    const std::vector<uint8_t> one{255};
    CHECK(mnist::preprocessDigit(one, 1, 1).blank); // its border is all of it: nothing stands out
}

TEST_CASE("The image classifier prepares a single image exactly as the test-set predictions do", "[draw][predict]")
{
    TempDir dir;
    fixtures::writeSyntheticDataset(dir.path().string(), 40, 12);
    const std::string weights = dir.file("w.safetensors");
    torch::manual_seed(11);
    mnist::saveWeights(*mnist::createNetwork("LeNet"), weights);
    mnist::TrainConfig config;
    config.dataset = "idx";
    config.dataDir = dir.path().string();
    config.device = "cpu";
    config.augment.normalize = GENERATE(false, true);
    config.augment.mean = 0.3;
    config.augment.std = 0.4;

    const mnist::TestPredictions all = mnist::predictTestSet(weights, config);
    const mnist::ImageClassifier classifier(config, weights);
    for (int i : {0, 5, 11}) {
        const std::vector<uint8_t> image(all.images.begin() + i * 784, all.images.begin() + (i + 1) * 784);
        const std::vector<float> p = classifier.probabilities(image);
        REQUIRE(p.size() == 10);
        CHECK(std::accumulate(p.begin(), p.end(), 0.0) == Approx(1.0).epsilon(1e-5));
        for (int k = 0; k < 10; ++k)
            CHECK(p[static_cast<std::size_t>(k)] == Approx(all.probabilities[static_cast<std::size_t>(i * 10 + k)]).margin(1e-6));
    }
    CHECK_THROWS_AS(classifier.probabilities(std::vector<uint8_t>(100)), mnist::DataError);
}

TEST_CASE("Data folders: the user's data folder is searched after the source tree, then Debian's Fashion-MNIST", "[data]")
{
    TempDir xdg;
    const char* old = std::getenv("XDG_DATA_HOME");
    const std::optional<std::string> saved = old ? std::optional<std::string>(old) : std::nullopt;
    ::setenv("XDG_DATA_HOME", xdg.path().c_str(), 1);

    mnist::TrainConfig c;
    c.dataset = "fashion-mnist";
    const auto candidates = mnist::dataDirCandidates(c);
    REQUIRE(candidates.size() >= 3);
    CHECK(candidates.front() == "data/fashion-mnist");
    CHECK(candidates[candidates.size() - 2] == xdg.file("mnist-studio/data/fashion-mnist"));
    CHECK(candidates.back() == "/usr/share/datasets/fashion-mnist");
    CHECK(mnist::userDatasetDir("mnist") == xdg.file("mnist-studio/data/mnist"));

    // A dataset found nowhere but in the user's folder resolves there once its four files exist.
    c.dataset = "downloaded-only";
    const std::string target = mnist::userDatasetDir(c.dataset);
    CHECK(mnist::resolveDataDir(c) == "data/downloaded-only");
    std::filesystem::create_directories(target);
    fixtures::writeSyntheticDataset(target, 10, 5, true);
    CHECK(mnist::hasIdxFiles(target));
    CHECK(mnist::resolveDataDir(c) == target);
    std::filesystem::remove(target + "/t10k-labels-idx1-ubyte.gz");
    CHECK_FALSE(mnist::hasIdxFiles(target));
    CHECK(mnist::resolveDataDir(c) == target); // exists, so the error names it

    c.dataDir = "/somewhere/else";
    CHECK(mnist::resolveDataDir(c) == "/somewhere/else");
    if (saved)
        ::setenv("XDG_DATA_HOME", saved->c_str(), 1);
    else
        ::unsetenv("XDG_DATA_HOME");
}
