#include "run/Checkpoint.h"
#include "run/RunLifecycle.h"
#include "train/EarlyStopping.h"
#include "train/Trainer.h"

#include "data/IdxFixtures.h"
#include "data/StopAfterEpoch.h"
#include "data/TempDir.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>

namespace {

std::vector<mnist::EpochMetrics> curve(std::initializer_list<double> validLosses)
{
    std::vector<mnist::EpochMetrics> out;
    for (double v : validLosses) {
        mnist::EpochMetrics m;
        m.epoch = static_cast<int64_t>(out.size()) + 1;
        m.validLoss = v;
        out.push_back(m);
    }
    return out;
}

const mnist::DataSplits& splits()
{
    static const mnist::DataSplits s = [] {
        TempDir dir;
        fixtures::writeSyntheticDataset(dir.path().string(), 400, 80);
        return mnist::loadSplits(dir.path().string(), 0.5);
    }();
    return s;
}

// Every epoch after the first fails to beat it by more than min_delta = 10 (cross-entropy of 10
// classes starts near 2.3), so patience p ends the run after epoch 1 + p.
mnist::TrainConfig stoppingConfig(int64_t patience)
{
    mnist::TrainConfig c;
    c.arch = "LeNetDropBN"; // dropout and shuffling draw random numbers: a resume must replay them
    c.shuffle = true;
    c.epochs = 6;
    c.batchSize = 20;
    c.lr = 1e-3;
    c.device = "cpu";
    c.threads = 2;
    c.earlyStopPatience = patience;
    c.earlyStopMinDelta = 10;
    return c;
}

struct Null : mnist::TrainingObserver {};

void requireSameEpochs(const mnist::TrainResult& a, const mnist::TrainResult& b)
{
    REQUIRE(a.epochs.size() == b.epochs.size());
    for (size_t i = 0; i < a.epochs.size(); ++i) {
        CHECK(a.epochs[i].trainLoss == b.epochs[i].trainLoss);
        CHECK(a.epochs[i].validLoss == b.epochs[i].validLoss);
        CHECK(a.epochs[i].testAccuracy == b.epochs[i].testAccuracy);
    }
}

} // namespace

TEST_CASE("Early stopping ends after patience epochs without an improvement larger than min_delta", "[train][early-stop]")
{
    // Epoch 3 improves by 0.05 (> 0.01), epoch 4 by only 0.005: patience counts from epoch 3.
    const auto losses = curve({1.0, 0.9, 0.85, 0.845, 0.86, 0.849, 0.7});
    CHECK(mnist::earlyStopAt(losses, 3, 0.01).epoch == 6);
    CHECK(mnist::earlyStopAt(losses, 3, 0.01).bestEpoch == 3);
    // Without a min delta epoch 4 counts as the best, and three epochs after it do not come before the end.
    CHECK_FALSE(mnist::earlyStopAt(losses, 3, 0.0).happened());
    CHECK(mnist::earlyStopAt(losses, 2, 0.0).epoch == 6);
    CHECK(mnist::earlyStopAt(losses, 2, 0.0).bestEpoch == 4);
    CHECK(mnist::earlyStopAt(losses, 1, 0.0).epoch == 5);
    // Patience 0 is off however flat the curve.
    CHECK_FALSE(mnist::earlyStopAt(curve({1, 1, 1, 1, 1}), 0, 0.0).happened());
    // A NaN never improves.
    CHECK(mnist::earlyStopAt(curve({1, std::nan(""), 2}), 2, 0.0).epoch == 3);
    CHECK(mnist::describeEarlyStop({6, 3}, 3, 0.01) ==
          "early stopping ended the run after epoch 6: no valid loss below epoch 3's by more than 0.01 for 3 epochs");
}

TEST_CASE("The trainer ends an early-stopped run as finished, with its summary's early_stop", "[train][early-stop]")
{
    Null null;
    mnist::StopToken stop;
    const auto config = stoppingConfig(2);
    const auto r = mnist::Trainer(config).run(splits(), null, stop);
    CHECK_FALSE(r.stopped);
    REQUIRE(r.epochs.size() == 3);
    CHECK(r.earlyStop.epoch == 3);
    CHECK(r.earlyStop.bestEpoch == 1);
    CHECK(r.model);
    const nlohmann::json summary = mnist::runSummaryJson(config, r, "x");
    CHECK(summary["early_stop"] == nlohmann::json({{"epoch", 3}, {"best_epoch", 1}}));
    CHECK(summary["stopped"] == false);

    // Off, or a patience the run never exhausts: every epoch, and no key.
    auto off = config;
    off.earlyStopPatience = GENERATE(0, 5);
    off.epochs = 4;
    const auto all = mnist::Trainer(off).run(splits(), null, stop);
    CHECK(all.epochs.size() == 4);
    CHECK_FALSE(all.earlyStop.happened());
    CHECK_FALSE(mnist::runSummaryJson(off, all, "x").contains("early_stop"));
    // The epochs before the end are the same run's: early stopping draws no random numbers.
    for (size_t i = 0; i < 3; ++i)
        CHECK(all.epochs[i].validLoss == r.epochs[i].validLoss);
}

TEST_CASE("A resumed run stops early exactly where the uninterrupted run did, and a new patience may continue it",
          "[train][early-stop][resume]")
{
    TempDir dir;
    Null null;
    const auto config = stoppingConfig(2);
    mnist::StopToken noStop;
    const auto full = mnist::Trainer(config).run(splits(), null, noStop);
    REQUIRE(full.earlyStop.epoch == 3);

    const std::string run = dir.file("run");
    std::filesystem::create_directories(run);
    {
        // Stopped on request after epoch 2 (the rule has counted one epoch without improvement).
        mnist::Trainer first(config);
        first.setCheckpointDir(run);
        mnist::StopToken stop;
        StopAfterEpoch obs;
        obs.token = &stop;
        obs.epoch = 2;
        REQUIRE(first.run(splits(), obs, stop).stopped);
    }
    mnist::Trainer second(config);
    second.setCheckpointDir(run);
    second.setResumeCheckpoint(run + "/checkpoint.pt");
    const auto resumed = second.run(splits(), null, noStop);
    requireSameEpochs(resumed, full);
    CHECK(resumed.earlyStop.epoch == full.earlyStop.epoch);
    CHECK(resumed.earlyStop.bestEpoch == full.earlyStop.bestEpoch);
    REQUIRE(mnist::readCheckpointSummary(run + "/checkpoint.pt").epoch == 3);

    SECTION("killed after the last checkpoint, before the summary: resuming only ends it")
    {
        mnist::Trainer again(config);
        again.setResumeCheckpoint(run + "/checkpoint.pt");
        const auto ended = again.run(splits(), null, noStop);
        requireSameEpochs(ended, full);
        CHECK(ended.earlyStop.epoch == 3);
    }
    SECTION("a larger patience trains on as if it had been given from the start")
    {
        auto longer = config;
        longer.earlyStopPatience = 0;
        mnist::Trainer again(longer);
        again.setResumeCheckpoint(run + "/checkpoint.pt");
        const auto more = again.run(splits(), null, noStop);
        const auto reference = mnist::Trainer(longer).run(splits(), null, noStop);
        requireSameEpochs(more, reference);
        CHECK(more.epochs.size() == 6);
        CHECK_FALSE(more.earlyStop.happened());
    }
}
