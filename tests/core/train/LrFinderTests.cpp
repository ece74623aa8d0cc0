#include "Error.h"
#include "train/LayoutCalibration.h"
#include "train/LrFinder.h"
#include "train/Precision.h"
#include "train/Trainer.h"

#include "data/IdxFixtures.h"
#include "data/ScopedEnv.h"
#include "data/TempDir.h"

#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <cmath>

namespace {

const mnist::DataSplits& splits()
{
    static const mnist::DataSplits s = [] {
        TempDir dir;
        fixtures::writeSyntheticDataset(dir.path().string(), 1000, 50);
        return mnist::loadSplits(dir.path().string(), 0.9);
    }();
    return s;
}

mnist::TrainConfig finderConfig()
{
    mnist::TrainConfig c;
    c.arch = "LeNetDropBN"; // dropout and shuffling draw random numbers
    c.shuffle = true;
    c.epochs = 2;
    c.batchSize = 10; // 90 iterations per epoch
    c.device = "cpu";
    c.threads = 2;
    return c;
}

struct Null : mnist::TrainingObserver {};

} // namespace

TEST_CASE("The LR range test climbs the LR exponentially and stops once the loss diverges", "[train][lr-find]")
{
    mnist::StopToken stop;
    int64_t calls = 0, lastTotal = 0;
    const mnist::LrFinder finder(finderConfig(), {});
    REQUIRE(finder.iterations(splits().train.size()) == 90);
    const auto r = finder.run(splits(), [&](int64_t done, int64_t total) { calls = done, lastTotal = total; }, stop);
    INFO("points " << r.points.size());
    // Adam at an LR of 10 cannot train LeNet: the loss blows up well before the end.
    CHECK(r.diverged);
    CHECK_FALSE(r.stopped);
    CHECK(r.points.size() < 90);
    CHECK(r.points.size() > 30);
    CHECK(lastTotal == 90);
    CHECK(calls >= static_cast<int64_t>(r.points.size()));
    CHECK(r.points.front().lr == Approx(1e-7));
    for (size_t i = 1; i < r.points.size(); ++i) {
        CHECK(r.points[i].lr > r.points[i - 1].lr);
        // exponential: a constant ratio, that of 1e-7..10 over 90 iterations
        CHECK(r.points[i].lr / r.points[i - 1].lr == Approx(std::pow(1e8, 1.0 / 89)));
        CHECK(std::isfinite(r.points[i].loss));
    }
    // The last point is the one that exceeded 4x the lowest smoothed loss.
    double low = r.points.front().loss;
    for (const auto& p : r.points)
        low = std::min(low, p.loss);
    CHECK(r.points.back().loss > 4 * low);
    // The suggestion is one of the tested LRs, well inside the range, and before the blow-up.
    CHECK(r.suggestedLr > 1e-7);
    CHECK(r.suggestedLr < r.points.back().lr);
    CHECK(r.suggestedLr == mnist::steepestDescentLr(r.points));
}

TEST_CASE("The suggested LR is where the smoothed loss falls fastest against log LR", "[train][lr-find]")
{
    // Flat at 2.3, a fall centred on 1e-3 (steepest there), a low, then a rise.
    std::vector<mnist::LrPoint> points;
    for (int i = 0; i <= 80; ++i) {
        const double logLr = -7 + i * 0.1;
        const double loss = 1.3 + std::tanh(-(logLr + 3) * 2) + (logLr > -1 ? (logLr + 1) * (logLr + 1) : 0);
        points.push_back({std::pow(10.0, logLr), loss});
    }
    CHECK(std::log10(mnist::steepestDescentLr(points)) == Approx(-3).margin(0.06));
    // A fall among the skipped first points does not count: fastai skips them as noise.
    points[1].loss = -100;
    CHECK(std::log10(mnist::steepestDescentLr(points)) == Approx(-3).margin(0.06));
    CHECK(mnist::steepestDescentLr({}) == 0);
    CHECK(mnist::steepestDescentLr({{1e-3, 1}}) == 0);
}

TEST_CASE("The LR range test leaves the random draws alone: a run after it equals a run without", "[train][lr-find]")
{
    const auto config = finderConfig();
    mnist::LrFinderOptions few;
    few.maxIterations = 20;
    mnist::StopToken stop;
    Null null;

    torch::manual_seed(99);
    const auto without = mnist::Trainer(config).run(splits(), null, stop);
    const torch::Tensor drawsWithout = torch::rand({8});

    torch::manual_seed(99);
    const auto found = mnist::LrFinder(config, few).run(splits(), {}, stop);
    REQUIRE(found.points.size() == 20);
    const auto with = mnist::Trainer(config).run(splits(), null, stop);
    const torch::Tensor drawsWith = torch::rand({8});

    REQUIRE(with.epochs.size() == without.epochs.size());
    for (size_t i = 0; i < with.epochs.size(); ++i) {
        CHECK(with.epochs[i].trainLoss == without.epochs[i].trainLoss);
        CHECK(with.epochs[i].validLoss == without.epochs[i].validLoss);
        CHECK(with.epochs[i].testAccuracy == without.epochs[i].testAccuracy);
    }
    // The generator itself is where it was (the trainer reseeds, so this is the stricter check).
    torch::manual_seed(5);
    const torch::Tensor before = torch::rand({8});
    torch::manual_seed(5);
    mnist::LrFinder(config, few).run(splits(), {}, stop);
    CHECK(torch::equal(torch::rand({8}), before));
    CHECK(torch::equal(drawsWith, drawsWithout));
}

TEST_CASE("The LR range test ends on a stop request and refuses a bad range, naming it", "[train][lr-find]")
{
    mnist::StopToken stop;
    const auto r = mnist::LrFinder(finderConfig(), {}).run(
        splits(), [&](int64_t done, int64_t) { if (done == 5) stop.requestStop(); }, stop);
    CHECK(r.stopped);
    CHECK(r.points.size() == 5);

    mnist::LrFinderOptions bad;
    bad.startLr = 1;
    bad.endLr = 0.1;
    CHECK_THROWS_AS(mnist::LrFinder(finderConfig(), bad), mnist::ConfigError);
    CHECK_THROWS_WITH(mnist::LrFinder(finderConfig(), bad), Catch::Matchers::Contains("start LR"));

    auto oneCycle = finderConfig();
    CHECK(mnist::suggestedLrField(oneCycle) == "lr");
    oneCycle.scheduler.type = "one-cycle";
    CHECK(mnist::suggestedLrField(oneCycle) == "scheduler.max_lr");
}

TEST_CASE("The LR range test trains in the run's precision, and refuses one the device cannot run", "[train][lr-find][precision]")
{
    mnist::LrFinderOptions few;
    few.maxIterations = 30;
    few.endLr = 1e-2; // no blow-up: both curves have all their points
    mnist::StopToken stop;
    auto config = finderConfig();
    const auto fp32 = mnist::LrFinder(config, few).run(splits(), {}, stop);
    config.precision = "bf16";
    const auto bf16 = mnist::LrFinder(config, few).run(splits(), {}, stop);
    CHECK(fp32.precision == "fp32");
    CHECK(bf16.precision == "bf16");
    CHECK_THAT(bf16.precisionWhy, Catch::Matchers::Contains("bf16"));
    REQUIRE(fp32.points.size() == 30);
    REQUIRE(bf16.points.size() == 30);
    bool differs = false;
    for (size_t i = 0; i < fp32.points.size(); ++i) {
        INFO("point " << i << ": fp32 " << fp32.points[i].loss << ", bf16 " << bf16.points[i].loss);
        CHECK(bf16.points[i].lr == fp32.points[i].lr);
        // bf16 keeps 8 bits of mantissa: the loss of the same draws lands within a few percent.
        CHECK(std::abs(bf16.points[i].loss - fp32.points[i].loss) < 0.05 * fp32.points[i].loss);
        differs = differs || bf16.points[i].loss != fp32.points[i].loss;
    }
    CHECK(differs); // autocast really ran

    config.precision = "fp16"; // CUDA only, refused before any data is read
    CHECK_THROWS_AS(mnist::LrFinder(config, few), mnist::ConfigError);
    CHECK_THROWS_WITH(mnist::LrFinder(config, few), Catch::Matchers::Contains("fp16"));
}

TEST_CASE("The LR range test decides auto's layout and precision under the run's keys: the run after it measures nothing",
          "[train][lr-find][precision][calibration]")
{
    TempDir dir;
    const ScopedEnv file("MNIST_STUDIO_CALIBRATION_FILE", dir.file("calibration.json"));
    const ScopedEnv measure("MNIST_STUDIO_NO_CALIBRATION", std::nullopt);
    mnist::LrFinderOptions few;
    few.maxIterations = 5;
    auto config = finderConfig();
    config.memoryFormat = "auto";
    config.precision = "auto";
    mnist::StopToken stop;
    const auto found = mnist::LrFinder(config, few).run(splits(), {}, stop);
    REQUIRE(found.points.size() == 5);

    // What the trainer decides next, for the same network, batch size and threads.
    const auto layout = mnist::decideLayout(config, torch::kCPU, config.threads);
    CHECK(layout.source == "cached");
    const auto precision = mnist::decidePrecision(config, torch::kCPU, config.threads, layout.channelsLast);
    CHECK(precision.precision == found.precision);
    if (mnist::cpuHasBf16())
        CHECK(precision.source == "cached");
    else
        CHECK(precision.source == "no-bf16"); // nothing to measure where bf16 would be emulated
}
