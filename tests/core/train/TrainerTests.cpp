#include "TestPaths.h"
#include "Error.h"
#include "augment/BatchAugmenter.h"
#include "data/Dataset.h"
#include "models/MemoryLayout.h"
#include "models/ModelRegistry.h"
#include "train/Trainer.h"
#include "train/WeightAverage.h"

#include "data/IdxFixtures.h"
#include "data/SkipTest.h"
#include "data/TempDir.h"

#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

using Catch::Matchers::Contains;

namespace {

const mnist::DataSplits& syntheticSplits()
{
    static const mnist::DataSplits splits = [] {
        TempDir dir;
        fixtures::writeSyntheticDataset(dir.path().string(), 600, 200);
        return mnist::loadSplits(dir.path().string());
    }();
    return splits;
}

mnist::TrainConfig smallConfig()
{
    mnist::TrainConfig c;
    c.arch = "LeNet";
    c.epochs = 3;
    c.batchSize = 32;
    c.lr = 1e-3;
    c.device = "cpu";
    c.threads = 2;
    return c;
}

struct Recorder : mnist::TrainingObserver {
    std::vector<mnist::IterationPoint> points;
    std::vector<mnist::EpochMetrics> epochs;
    mnist::RunInfo info;
    const mnist::StopToken* unused = nullptr;
    mnist::StopToken* stopAt = nullptr;
    int64_t stopAfterStep = -1;
    void onRunStarted(const mnist::RunInfo& i) override { info = i; }
    void onIteration(const mnist::IterationPoint& p) override
    {
        points.push_back(p);
        if (stopAt && p.step == stopAfterStep)
            stopAt->requestStop();
    }
    void onEpoch(const mnist::EpochMetrics& m) override { epochs.push_back(m); }
};

} // namespace

TEST_CASE("Training on a small dataset lowers the loss and learns the classes", "[train]")
{
    mnist::Trainer trainer(smallConfig());
    Recorder rec;
    mnist::StopToken stop;
    const mnist::TrainResult r = trainer.run(syntheticSplits(), rec, stop);

    REQUIRE(r.epochs.size() == 3);
    CHECK(rec.info.trainSize == 480);
    CHECK(rec.info.validSize == 120);
    CHECK(rec.info.iterationsPerEpoch == 15);
    CHECK(rec.points.size() == 45);
    CHECK(r.lrPerIteration.size() == 45);
    CHECK(r.epochs.back().trainLoss < r.epochs.front().trainLoss);
    CHECK(r.epochs.back().validLoss < 2.0);
    CHECK(r.stats.finalTestAccuracy > 80.0); // chance is 10%
    CHECK(r.stats.bestTestAccuracy >= r.stats.finalTestAccuracy);
    CHECK(r.epochs[0].imagesPerSecond > 0);
    // The epoch's train loss is the mean of its batch losses.
    double sum = 0;
    for (int i = 0; i < 15; ++i)
        sum += rec.points[i].loss;
    CHECK(r.epochs[0].trainLoss == Approx(sum / 15));
    for (size_t i = 0; i < rec.points.size(); ++i)
        CHECK(rec.points[i].step == static_cast<int64_t>(i));
}

TEST_CASE("Label smoothing applies to the training and the valid loss", "[train]")
{
    // With smoothing e over K classes the target puts 1-e+e/K on the label and e/K elsewhere, so no
    // prediction can take the loss below that target's entropy; without smoothing it can.
    mnist::TrainConfig c = smallConfig();
    c.epochs = 6;
    c.lr = 3e-3;
    const double onLabel = 1 - 0.5 + 0.05, offLabel = 0.05;
    const double floor = -onLabel * std::log(onLabel) - 9 * offLabel * std::log(offLabel); // ~1.677
    const auto lowestTrainLoss = [](const std::vector<mnist::IterationPoint>& points) {
        double lowest = 1e9;
        for (const auto& p : points)
            lowest = std::min(lowest, p.loss);
        return lowest;
    };
    mnist::StopToken stop;

    c.labelSmoothing = 0.5;
    Recorder smoothed;
    const mnist::TrainResult r = mnist::Trainer(c).run(syntheticSplits(), smoothed, stop);
    CHECK(lowestTrainLoss(smoothed.points) >= floor - 1e-4);
    CHECK(lowestTrainLoss(smoothed.points) < floor + 0.3); // it did learn: close to the floor
    CHECK(r.epochs.back().validLoss >= floor - 1e-4);
    CHECK(r.epochs.back().validLoss < floor + 0.3);
    CHECK(r.stats.finalTestAccuracy > 80.0);

    c.labelSmoothing = 0;
    Recorder plain;
    const mnist::TrainResult p = mnist::Trainer(c).run(syntheticSplits(), plain, stop);
    CHECK(lowestTrainLoss(plain.points) < floor - 0.5);
    CHECK(p.epochs.back().validLoss < floor - 0.5);
}

TEST_CASE("Channels-last training follows the contiguous run and hands back contiguous weights", "[train]")
{
    // The same run in both layouts: only the order of float sums differs, so the losses agree
    // closely at first (dropout draws the same masks) and the trained networks are equally good.
    mnist::TrainConfig c = smallConfig();
    c.arch = "LeNetDeep";
    c.epochs = 2;
    c.lr = 3e-3;
    mnist::StopToken stop;
    const auto train = [&](const std::string& format, Recorder& rec) {
        c.memoryFormat = format;
        return mnist::Trainer(c).run(syntheticSplits(), rec, stop);
    };
    Recorder plain, nhwc, automatic;
    const mnist::TrainResult p = train("contiguous", plain);
    const mnist::TrainResult n = train("channels-last", nhwc);
    const mnist::TrainResult a = train("auto", automatic);
    REQUIRE(plain.points.size() == nhwc.points.size());
    for (size_t i = 0; i < 5; ++i)
        CHECK(nhwc.points[i].loss == Approx(plain.points[i].loss).epsilon(1e-3));
    CHECK(n.epochs.back().validLoss == Approx(p.epochs.back().validLoss).epsilon(0.1));
    CHECK(n.stats.finalTestAccuracy > 80.0);
    // auto is channels-last on the CPU: the very same arithmetic.
    REQUIRE(automatic.points.size() == nhwc.points.size());
    for (size_t i = 0; i < nhwc.points.size(); ++i)
        CHECK(automatic.points[i].loss == nhwc.points[i].loss);
    // The layout did change the arithmetic (sums in another order), so the runs are not one run.
    bool anyDiffers = false;
    for (size_t i = 0; i < nhwc.points.size(); ++i)
        anyDiffers = anyDiffers || nhwc.points[i].loss != plain.points[i].loss;
    CHECK(anyDiffers);
    // Callers save and export the model: every conv weight is back in PyTorch's default strides,
    // the first layer's (16, 1, 5, 5) included, whose channels-last strides also count as contiguous.
    int convWeights = 0;
    for (const auto& w : n.model->parameters())
        if (w.dim() == 4) {
            ++convWeights;
            CHECK(w.strides() == torch::empty(w.sizes()).strides());
        }
    CHECK(convWeights == 4);
}

TEST_CASE("An observer that asks for them gets every epoch's test predictions, consistent with its accuracy", "[train]")
{
    struct PredictionRecorder : Recorder {
        std::vector<int64_t> predictionEpochs;
        mnist::TestPredictions last;
        bool wantsTestPredictions() const override { return true; }
        void onTestPredictions(int64_t epoch, const mnist::TestPredictions& p) override
        {
            // Delivered before the epoch's metrics.
            CHECK(epochs.size() == static_cast<size_t>(epoch - 1));
            predictionEpochs.push_back(epoch);
            last = p;
        }
    };
    mnist::TrainConfig config = smallConfig();
    config.epochs = 2;
    mnist::Trainer trainer(config);
    PredictionRecorder rec;
    mnist::StopToken stop;
    const mnist::DataSplits& data = syntheticSplits();
    const mnist::TrainResult r = trainer.run(data, rec, stop);

    REQUIRE(rec.predictionEpochs == std::vector<int64_t>{1, 2});
    const mnist::TestPredictions& p = rec.last;
    REQUIRE(p.size() == data.test.size());
    int64_t total = 0;
    for (int64_t c : p.confusion)
        total += c;
    CHECK(total == data.test.size());
    CHECK(p.accuracy() == Approx(r.epochs.back().testAccuracy));
    REQUIRE(p.images.size() == static_cast<size_t>(data.test.size() * 28 * 28));
    CHECK(p.images[0] == data.test.images[0][0][0][0].item<uint8_t>());
    for (int64_t i = 0; i < p.size(); ++i) {
        CHECK(p.labels[static_cast<size_t>(i)] == data.test.labels[i].item<int64_t>());
        float rowSum = 0;
        for (int k = 0; k < p.classes; ++k)
            rowSum += p.probabilities[static_cast<size_t>(i * p.classes + k)];
        CHECK(rowSum == Approx(1.0f).margin(1e-4));
    }
}

TEST_CASE("Two CPU runs with the same seed give identical metrics", "[train]")
{
    auto c = smallConfig();
    c.epochs = 2;
    c.shuffle = GENERATE(false, true);
    c.arch = "LeNetDropBN"; // dropout draws random numbers too
    std::vector<mnist::TrainResult> runs;
    for (int i = 0; i < 2; ++i) {
        Recorder rec;
        mnist::StopToken stop;
        runs.push_back(mnist::Trainer(c).run(syntheticSplits(), rec, stop));
    }
    for (size_t e = 0; e < 2; ++e) {
        CHECK(runs[0].epochs[e].trainLoss == runs[1].epochs[e].trainLoss);
        CHECK(runs[0].epochs[e].validLoss == runs[1].epochs[e].validLoss);
        CHECK(runs[0].epochs[e].testAccuracy == runs[1].epochs[e].testAccuracy);
    }
    c.seed = 4321;
    Recorder rec;
    mnist::StopToken stop;
    const auto other = mnist::Trainer(c).run(syntheticSplits(), rec, stop);
    CHECK(other.epochs[0].trainLoss != runs[0].epochs[0].trainLoss);
}

TEST_CASE("A stop request ends the run within one iteration", "[train]")
{
    auto c = smallConfig();
    c.epochs = 5;
    Recorder rec;
    mnist::StopToken stop;
    rec.stopAt = &stop;
    rec.stopAfterStep = 20; // in the second epoch
    const auto r = mnist::Trainer(c).run(syntheticSplits(), rec, stop);
    CHECK(r.stopped);
    CHECK(rec.points.size() == 21);
    CHECK(r.epochs.size() == 1);
    CHECK(r.model);
}

TEST_CASE("A NaN loss from the data stops training without blaming the learning rate", "[train][nan]")
{
    // One image of the fourth batch is poisoned: the loss was falling and the LR is moderate, so
    // suggesting a smaller LR would send the user the wrong way.
    mnist::DataSplits poisoned = syntheticSplits();
    poisoned.train.images = poisoned.train.images.to(torch::kFloat32).clone();
    poisoned.train.images[3 * 32 + 5][0][10][10] = std::numeric_limits<float>::quiet_NaN();
    auto c = smallConfig();
    Recorder rec;
    mnist::StopToken stop;
    CHECK_THROWS_WITH(mnist::Trainer(c).run(poisoned, rec, stop),
                      Contains("NaN") && Contains("epoch 1, iteration 4") && Contains("unlikely cause") &&
                          Contains("check the data") && !Contains("try a smaller"));
    CHECK(rec.points.size() == 3); // the bad iteration is not reported as a point
    CHECK(rec.epochs.empty());

    SECTION("in the very first batch, before any update")
    {
        poisoned.train.images[5][0][10][10] = std::numeric_limits<float>::quiet_NaN();
        CHECK_THROWS_WITH(mnist::Trainer(c).run(poisoned, rec, stop),
                          Contains("epoch 1, iteration 1") && Contains("not the cause") && !Contains("try a smaller"));
    }
}

TEST_CASE("CUDA asked for where there is none is a clear error", "[train]")
{
    if (torch::cuda::is_available())
        return fixtures::skipTest("this machine has a CUDA device: the error cannot happen here");
    auto c = smallConfig();
    c.device = GENERATE(std::string("cuda"), std::string("cuda:1"));
    CHECK_THROWS_WITH(mnist::Trainer(c), Contains("no CUDA device is available"));
    c.device = "auto";
    CHECK_NOTHROW(mnist::Trainer(c));
}

TEST_CASE("An invalid config is refused before training starts", "[train]")
{
    auto c = smallConfig();
    c.batchSize = 0;
    c.lr = 0;
    CHECK_THROWS_WITH(mnist::Trainer(c), Contains("batch size") && Contains("learning rate"));
}

TEST_CASE("Every architecture trains an iteration and stays finite", "[train][models]")
{
    TempDir dir;
    fixtures::writeSyntheticDataset(dir.path().string(), 80, 20);
    const auto splits = mnist::loadSplits(dir.path().string());
    for (const char* arch : {"LeNet", "LeNetBN", "LeNetDrop", "LeNetDropBN", "LeNetDL-k5", "LeNetDL-k3", "LeNetDeep", "SimpleNet"}) {
        INFO(arch);
        auto c = smallConfig();
        c.arch = arch;
        c.epochs = 1;
        c.batchSize = 63; // leaves a last batch of one image, which must not break BatchNorm1d
        Recorder rec;
        mnist::StopToken stop;
        const auto r = mnist::Trainer(c).run(splits, rec, stop);
        CHECK(rec.points.size() == 1);
        CHECK(std::isfinite(r.epochs.at(0).validLoss));
    }
}

TEST_CASE("LeNet reaches 97% test accuracy on real MNIST in one epoch", "[train][real-data]")
{
    const std::string folder = std::string(MNIST_DATA_DIR) + "/mnist";
    REQUIRE(std::filesystem::exists(folder + "/train-images-idx3-ubyte")); // make test fetches it
    mnist::TrainConfig c;
    c.arch = "LeNet";
    c.epochs = 1;
    c.batchSize = 100;
    c.lr = 1e-2;
    c.device = "cpu";
    Recorder rec;
    mnist::StopToken stop;
    const auto r = mnist::Trainer(c).run(mnist::loadSplits(folder), rec, stop);
    CHECK(rec.info.iterationsPerEpoch == 480);
    CHECK(r.stats.finalTestAccuracy >= 97.0);
}

TEST_CASE("The weight average follows PyTorch's EMA update, BatchNorm statistics included", "[train][ema]")
{
    torch::NoGradGuard noGrad;
    const auto a = mnist::createNetwork("LeNetBN");
    const auto b = mnist::createNetwork("LeNetBN");
    for (auto& buffer : b->named_buffers()) {
        if (buffer.value().is_floating_point())
            buffer.value().uniform_(0.5, 1.5);
        else
            buffer.value().fill_(7); // num_batches_tracked
    }
    mnist::WeightAverage average(mnist::createNetwork("LeNetBN"), 0.75);
    average.update(*a); // the first update copies
    const auto averaged = average.model().named_parameters();
    for (const auto& p : a->named_parameters())
        CHECK(torch::equal(averaged[p.key()], p.value()));
    average.update(*b);
    CHECK(average.updates() == 2);
    const auto bParams = b->named_parameters();
    for (const auto& p : a->named_parameters()) {
        INFO(p.key());
        CHECK(torch::allclose(averaged[p.key()], 0.75 * p.value() + 0.25 * bParams[p.key()], 1e-6, 1e-7));
    }
    const auto avgBuffers = average.model().named_buffers();
    const auto bBuffers = b->named_buffers();
    int floating = 0, integer = 0;
    for (const auto& buf : a->named_buffers()) {
        INFO(buf.key());
        if (buf.value().is_floating_point()) {
            ++floating;
            CHECK(torch::allclose(avgBuffers[buf.key()], 0.75 * buf.value() + 0.25 * bBuffers[buf.key()], 1e-6, 1e-7));
        } else {
            ++integer;
            CHECK(avgBuffers[buf.key()].item<int64_t>() == 7);
        }
    }
    CHECK(floating >= 2);
    CHECK(integer >= 1);
    CHECK_THROWS_AS(mnist::WeightAverage(mnist::createNetwork("LeNet"), 1.0), std::invalid_argument);
    mnist::WeightAverage foreign(mnist::createNetwork("LeNet"), 0.5);
    CHECK_THROWS_AS(foreign.update(*a), std::invalid_argument);
}

TEST_CASE("With an EMA the training is unchanged and the average is what is evaluated and returned", "[train][ema]")
{
    mnist::TrainConfig c = smallConfig();
    c.arch = "LeNetDropBN"; // dropout and BatchNorm: random draws and averaged buffers
    c.shuffle = true;
    c.epochs = 2;
    mnist::StopToken stop;
    const auto train = [&](double decay, Recorder& rec) {
        c.emaDecay = decay;
        return mnist::Trainer(c).run(syntheticSplits(), rec, stop);
    };
    Recorder plain, averaged, nearlyLive;
    const mnist::TrainResult p = train(0.0, plain);
    const mnist::TrainResult a = train(0.9, averaged);
    const mnist::TrainResult n = train(1e-12, nearlyLive);

    // The same seed trains the very same live model: the average draws no random number.
    REQUIRE(averaged.points.size() == plain.points.size());
    for (size_t i = 0; i < plain.points.size(); ++i)
        CHECK(averaged.points[i].loss == plain.points[i].loss);
    for (size_t e = 0; e < 2; ++e)
        CHECK(a.epochs[e].trainLoss == p.epochs[e].trainLoss);

    // The metrics are the average's: they differ from the live model's, and the returned model
    // reproduces the last epoch's valid loss.
    CHECK(a.epochs.back().validLoss != p.epochs.back().validLoss);
    const auto& data = syntheticSplits();
    const auto validX = mnist::imagesToInput(data.valid.images, torch::kCPU);
    const auto evalA = mnist::evaluate(*a.model, validX, data.valid.labels, 64);
    CHECK(evalA.meanLoss == Approx(a.epochs.back().validLoss).epsilon(1e-5));
    CHECK(a.stats.finalTestAccuracy > 80.0);
    // A decay of ~0 makes the average the live model itself: the live run's metrics again.
    for (size_t e = 0; e < 2; ++e) {
        CHECK(n.epochs[e].validLoss == Approx(p.epochs[e].validLoss).epsilon(1e-5));
        CHECK(n.epochs[e].testAccuracy == p.epochs[e].testAccuracy);
    }
}

TEST_CASE("Evaluation in channels-last matches the contiguous layout and hands the weights back contiguous", "[train][layout]")
{
    const auto& data = syntheticSplits();
    const auto x = mnist::imagesToInput(data.test.images, torch::kCPU);
    for (const char* arch : {"LeNetBN", "LeNetDeep", "SimpleNet"}) {
        INFO(arch);
        torch::manual_seed(3);
        const auto net = mnist::createNetwork(arch);
        mnist::PerImageOutputs plainOut, nhwcOut;
        const auto plain = mnist::evaluate(*net, x, data.test.labels, 64, &plainOut);
        {
            const mnist::ChannelsLastScope layout(*net, torch::kCPU);
            bool anyChannelsLast = false;
            for (const auto& w : net->parameters())
                anyChannelsLast = anyChannelsLast || (w.dim() == 4 && w.size(1) > 1 && !w.is_contiguous());
            CHECK(anyChannelsLast);
            const auto nhwc = mnist::evaluate(*net, x, data.test.labels, 64, &nhwcOut);
            CHECK(nhwc.meanLoss == Approx(plain.meanLoss).epsilon(1e-5));
        }
        CHECK(torch::allclose(nhwcOut.probabilities, plainOut.probabilities, 1e-4, 1e-5));
        for (const auto& w : net->parameters())
            if (w.dim() == 4)
                CHECK(w.strides() == torch::empty(w.sizes()).strides());
    }
}

TEST_CASE("The input tensors come out of the one-pass table exactly as from LibTorch's op chain", "[train][data]")
{
    // Every byte, in an odd number of odd-sized images (so that vector bodies and tails both occur).
    torch::manual_seed(2);
    torch::Tensor images = torch::randint(0, 256, {37, 29, 31}, torch::kUInt8);
    images.view(-1).narrow(0, 0, 256).copy_(torch::arange(256, torch::kUInt8));
    const torch::Tensor plain = images.to(torch::kFloat32).div_(255.0).unsqueeze(1).contiguous();
    CHECK(torch::equal(mnist::imagesToInput(images, torch::kCPU), plain));
    mnist::AugmentConfig normalizing;
    normalizing.normalize = GENERATE(true, false);
    normalizing.mean = 0.1307;
    normalizing.std = 0.3081;
    const mnist::BatchAugmenter augmenter(normalizing);
    const torch::Tensor expected = augmenter.normalize(plain);
    const torch::Tensor ours = mnist::normalizedInput(images, torch::kCPU, augmenter);
    CHECK(ours.sizes() == expected.sizes());
    CHECK(ours.is_contiguous());
    CHECK(torch::equal(ours, expected));
    // A view into a larger set (the splits are narrowed views) reads its own images.
    const torch::Tensor part = images.narrow(0, 5, 7);
    CHECK(torch::equal(mnist::normalizedInput(part, torch::kCPU, augmenter), augmenter.normalize(plain.narrow(0, 5, 7))));
}
