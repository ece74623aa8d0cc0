// precision: bf16/fp16 autocast, the loss scaler, auto's measurement and its cache, and bf16 runs
// that learn as fp32 runs do and resume exactly.
#include "TestPaths.h"
#include "data/Dataset.h"
#include "models/MemoryLayout.h"
#include "models/ModelRegistry.h"
#include "models/SpecNetwork.h"
#include "spec/NetworkSpec.h"
#include "run/Checkpoint.h"
#include "run/RunLifecycle.h"
#include "spec/ConfigFields.h"
#include "train/CalibrationCache.h"
#include "train/GradScaler.h"
#include "train/Precision.h"
#include "train/Trainer.h"

#include "data/IdxFixtures.h"
#include "data/ScopedEnv.h"
#include "data/SkipTest.h"
#include "data/StopAfterEpoch.h"
#include "data/TempDir.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <random>

using Catch::Matchers::Contains;

namespace {

const mnist::DataSplits& smallSplits()
{
    static const mnist::DataSplits s = [] {
        TempDir dir;
        fixtures::writeSyntheticDataset(dir.path().string(), 400, 80);
        return mnist::loadSplits(dir.path().string(), 0.5);
    }();
    return s;
}

mnist::TrainConfig config(const std::string& arch, const std::string& precision)
{
    mnist::TrainConfig c;
    c.arch = arch;
    c.precision = precision;
    c.batchSize = 20;
    c.epochs = 1;
    c.lr = 1e-3;
    c.device = "cpu";
    c.threads = 2;
    return c;
}

struct Seen : mnist::TrainingObserver {
    mnist::RunInfo info;
    void onRunStarted(const mnist::RunInfo& i) override { info = i; }
};

} // namespace

TEST_CASE("Inside an autocast scope convolutions run in bf16 and the loss in fp32, and outside in fp32 again", "[train][precision]")
{
    auto conv = torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 4, 3));
    const torch::Tensor x = torch::randn({2, 1, 8, 8});
    {
        const mnist::AutocastScope outer(torch::kCPU, "bf16");
        CHECK(conv->forward(x).scalar_type() == torch::kBFloat16);
        {
            const mnist::AutocastScope inner(torch::kCPU, "bf16");
            CHECK(conv->forward(x).scalar_type() == torch::kBFloat16);
        }
        CHECK(conv->forward(x).scalar_type() == torch::kBFloat16); // the inner scope left the outer's on
        const torch::Tensor logits = conv->forward(x).flatten(1).narrow(1, 0, 3);
        CHECK(torch::nn::functional::cross_entropy(logits, torch::zeros({2}, torch::kLong)).scalar_type() == torch::kFloat);
    }
    CHECK(conv->forward(x).scalar_type() == torch::kFloat);
    {
        const mnist::AutocastScope none(torch::kCPU, "fp32");
        CHECK(conv->forward(x).scalar_type() == torch::kFloat);
    }
}

TEST_CASE("fp16 on the CPU and unknown precisions are refused naming the setting", "[train][precision]")
{
    CHECK_THROWS_WITH(mnist::checkPrecisionRuns("fp16", torch::kCPU), Contains("fp16") && Contains("CUDA") && Contains("bf16"));
    CHECK_THROWS_WITH(mnist::checkPrecisionRuns("fp8", torch::kCPU), Contains("precision") && Contains("fp8"));
    CHECK_NOTHROW(mnist::checkPrecisionRuns("bf16", torch::kCPU));
    CHECK_NOTHROW(mnist::checkPrecisionRuns("auto", torch::kCPU));
    // The field table knows the choices: a config file with another value is refused when read.
    const auto half = mnist::fieldProblems(mnist::trainConfigFromJsonText(R"({"precision": "half"})"));
    REQUIRE(half.size() == 1);
    CHECK(half[0].field == "precision");
    auto c = config("LeNet", "fp16");
    CHECK_THROWS_WITH(mnist::Trainer(c).run(smallSplits(), *std::make_unique<Seen>(), mnist::StopToken{}),
                      Contains("fp16") && Contains("CUDA"));
}

TEST_CASE("precision is saved only when it is not fp32, so older configs read and write as before", "[train][precision][config]")
{
    mnist::TrainConfig c;
    CHECK_FALSE(nlohmann::json(c).contains("precision"));
    c.precision = "bf16";
    const nlohmann::json j = c;
    CHECK(j.at("precision") == "bf16");
    CHECK(mnist::trainConfigFromJsonText(j.dump()).precision == "bf16");
    CHECK(mnist::trainConfigFromJsonText("{}").precision == "fp32");
    const auto* field = mnist::findField("precision");
    REQUIRE(field);
    CHECK(field->flag == "precision");
    CHECK_FALSE(field->machine);
    CHECK(field->sweepable);
    CHECK_FALSE(field->changesOnResume); // a bf16 run resumes in bf16
}

TEST_CASE("auto takes a lower precision only where its own measurement found it clearly faster", "[train][precision]")
{
    using M = std::vector<std::pair<std::string, double>>;
    CHECK(mnist::fastestPrecision(M{{"fp32", 10}, {"bf16", 6}}) == "bf16");
    CHECK(mnist::fastestPrecision(M{{"fp32", 10}, {"bf16", 9.8}}) == "fp32"); // within the noise margin
    CHECK(mnist::fastestPrecision(M{{"fp32", 10}, {"bf16", 14}}) == "fp32");
    CHECK(mnist::fastestPrecision(M{{"fp32", 10}, {"fp16", 5}, {"bf16", 6}}) == "fp16");
    CHECK(mnist::fastestPrecision(M{{"fp32", 10}, {"fp16", 7}, {"bf16", 6}}) == "bf16");
    // Never one that was measured slower than fp32, whatever the numbers.
    std::mt19937 gen(7);
    std::uniform_real_distribution<double> ms(0.1, 100);
    for (int i = 0; i < 1000; ++i) {
        const M m{{"fp32", ms(gen)}, {"bf16", ms(gen)}, {"fp16", ms(gen)}};
        const std::string pick = mnist::fastestPrecision(m);
        for (const auto& [name, t] : m)
            if (name == pick)
                CHECK(t <= m[0].second);
    }
}

TEST_CASE("auto measures once per machine, network and batch, keeps it in calibration.json and reads it back",
          "[train][precision][calibration]")
{
    TempDir dir;
    const std::string file = dir.file("calibration.json");
    const ScopedEnv env("MNIST_STUDIO_CALIBRATION_FILE", file);
    const ScopedEnv measure("MNIST_STUDIO_NO_CALIBRATION", std::nullopt);
    auto c = config("LeNet", "auto");
    c.batchSize = 32;
    // bf16 set by hand runs whatever the CPU; where it would be emulated the run line says so.
    const bool emulates = !mnist::cpuHasBf16();
    const auto set = mnist::decidePrecision(config("LeNet", "bf16"), torch::kCPU, 1, true);
    CHECK(set.precision == "bf16");
    CHECK(set.emulated == emulates);
    CHECK((set.describe().find("emulated") != std::string::npos) == emulates);
    CHECK(mnist::decidePrecision(c, torch::kCPU, 1, true, "bf16").emulated == emulates);
    CHECK_FALSE(mnist::decidePrecision(c, torch::kCUDA, 1, true, "bf16").emulated);
    const auto first = mnist::decidePrecision(c, torch::kCPU, 1, true);
    if (!mnist::cpuHasBf16()) {
        // bf16 would be emulated: fp32 without a measurement.
        CHECK(first.precision == "fp32");
        CHECK(first.source == "no-bf16");
        CHECK_THAT(first.describe(), Contains("no bf16 instructions"));
        CHECK_FALSE(std::filesystem::exists(file));
        return;
    }
    REQUIRE(first.source == "measured");
    REQUIRE(first.msPerStep.size() == 2);
    double fp32 = 0, chosen = 0;
    for (const auto& [name, ms] : first.msPerStep) {
        CHECK(ms > 0);
        fp32 = name == "fp32" ? ms : fp32;
        chosen = name == first.precision ? ms : chosen;
    }
    CHECK(chosen <= fp32); // never slower than fp32 in its own measurement
    const auto again = mnist::decidePrecision(c, torch::kCPU, 1, true);
    CHECK(again.source == "cached");
    CHECK(again.precision == first.precision);
    CHECK_THAT(again.describe(), Contains("measured earlier") && Contains("fp32"));
    // Another batch size is another entry; a resumed run keeps its checkpoint's precision.
    c.batchSize = 33;
    CHECK(mnist::decidePrecision(c, torch::kCPU, 1, true).source == "measured");
    const auto resumed = mnist::decidePrecision(c, torch::kCPU, 1, true, "bf16");
    CHECK(resumed.precision == "bf16");
    CHECK(resumed.source == "resumed");
}

TEST_CASE("The calibration file keeps precision entries apart from layouts and ignores malformed ones",
          "[train][precision][calibration]")
{
    const std::string text = mnist::withPrecisionMeasurement(
        mnist::withLayoutMeasurement("", "k", {true, 1, 2}), "k", {"bf16", {{"fp32", 4.0}, {"bf16", 2.5}}});
    const auto found = mnist::findPrecisionMeasurement(text, "k");
    REQUIRE(found);
    CHECK(found->chosen == "bf16");
    REQUIRE(found->msPerStep.size() == 2);
    CHECK(found->msPerStep[0] == std::pair<std::string, double>("fp32", 4.0)); // fp32 first, whatever JSON's key order
    CHECK(found->msPerStep[1] == std::pair<std::string, double>("bf16", 2.5));
    CHECK(mnist::findLayoutMeasurement(text, "k")); // the layout's entry is still there
    CHECK_FALSE(mnist::findPrecisionMeasurement(text, "other"));
    for (const std::string bad :
         {"", "[]", R"({"precision": 1})", R"({"precision": {"k": {"chosen": "bf16"}}})",
          R"({"precision": {"k": {"chosen": "bf16", "ms_per_step": {"fp32": 4}}}})",
          R"({"precision": {"k": {"chosen": "fp32", "ms_per_step": {"fp32": -4}}}})",
          R"({"precision": {"k": {"chosen": "int8", "ms_per_step": {"int8": 1}}}})"})
        CHECK_FALSE(mnist::findPrecisionMeasurement(bad, "k"));
}

TEST_CASE("The loss scaler skips a step whose gradients overflowed, halves its scale, and doubles it after 2,000 good steps",
          "[train][precision]")
{
    torch::Tensor w = torch::ones({3}, torch::requires_grad());
    mnist::GradScaler scaler(true);
    CHECK(scaler.scale(torch::tensor(2.0)).item<double>() == 2.0 * 65536);
    w.mutable_grad() = torch::full({3}, 65536.0 * 0.5);
    CHECK(scaler.unscale({w}));
    CHECK(w.grad().allclose(torch::full({3}, 0.5)));
    scaler.update(true);
    CHECK(scaler.state().growthTracker == 1);
    w.mutable_grad() = torch::tensor({1.0f, INFINITY, 0.0f});
    CHECK_FALSE(scaler.unscale({w}));
    scaler.update(false);
    CHECK(scaler.state().scale == 32768);
    CHECK(scaler.state().growthTracker == 0);
    for (int i = 0; i < 2000; ++i)
        scaler.update(true);
    CHECK(scaler.state().scale == 65536);
    // Disabled (fp32, bf16): nothing changes.
    mnist::GradScaler off(false);
    w.mutable_grad() = torch::full({3}, 3.0);
    CHECK(off.scale(torch::tensor(2.0)).item<double>() == 2.0);
    CHECK(off.unscale({w}));
    CHECK(w.grad().allclose(torch::full({3}, 3.0)));
}

TEST_CASE("A bf16 run says so, trains finite in every architecture and hands back fp32 weights", "[train][precision]")
{
    for (const std::string arch : {"LeNet", "LeNetDeep", "SimpleNet", "ResNetSmall"}) {
        INFO(arch);
        Seen seen;
        const auto r = mnist::Trainer(config(arch, "bf16")).run(smallSplits(), seen, mnist::StopToken{});
        CHECK(seen.info.precision == "bf16");
        CHECK_THAT(seen.info.precisionWhy, Contains("set by precision"));
        CHECK(std::isfinite(r.epochs.at(0).validLoss));
        for (const auto& p : r.model->parameters())
            CHECK(p.scalar_type() == torch::kFloat);
        CHECK(mnist::runSummaryJson(config(arch, "bf16"), r, "x").at("precision") == "bf16");
    }
}

TEST_CASE("A bf16 run resumed from its checkpoint ends bit for bit as the uninterrupted run", "[train][precision][resume]")
{
    TempDir dir;
    auto c = config("LeNetDropBN", "bf16"); // dropout, BatchNorm and shuffling: everything a resume replays
    c.shuffle = true;
    c.emaDecay = 0.9; // and the weight average
    c.epochs = 3;
    Seen null;
    const auto full = mnist::Trainer(c).run(smallSplits(), null, mnist::StopToken{});

    const std::string run = dir.file("run");
    std::filesystem::create_directories(run);
    {
        mnist::Trainer first(c);
        first.setCheckpointDir(run);
        mnist::StopToken stop;
        StopAfterEpoch obs;
        obs.token = &stop;
        obs.epoch = 1;
        REQUIRE(first.run(smallSplits(), obs, stop).stopped);
    }
    CHECK(mnist::readCheckpointSummary(run + "/checkpoint.pt").precision == "bf16");
    SECTION("resumed with its own config")
    {
        mnist::Trainer second(c);
        second.setResumeCheckpoint(run + "/checkpoint.pt");
        Seen seen;
        const auto resumed = second.run(smallSplits(), seen, mnist::StopToken{});
        CHECK(seen.info.precision == "bf16");
        REQUIRE(resumed.epochs.size() == full.epochs.size());
        for (size_t i = 0; i < full.epochs.size(); ++i) {
            CHECK(resumed.epochs[i].trainLoss == full.epochs[i].trainLoss);
            CHECK(resumed.epochs[i].validLoss == full.epochs[i].validLoss);
            CHECK(resumed.epochs[i].testAccuracy == full.epochs[i].testAccuracy);
        }
        const auto a = full.model->parameters(), b = resumed.model->parameters();
        REQUIRE(a.size() == b.size());
        for (size_t i = 0; i < a.size(); ++i)
            CHECK(torch::equal(a[i], b[i]));
    }
    SECTION("auto continues in the checkpoint's precision, whatever this machine would measure")
    {
        auto automatic = c;
        automatic.precision = "auto";
        mnist::Trainer second(automatic);
        second.setResumeCheckpoint(run + "/checkpoint.pt");
        Seen seen;
        second.run(smallSplits(), seen, mnist::StopToken{});
        CHECK(seen.info.precision == "bf16");
        CHECK_THAT(seen.info.precisionWhy, Contains("resumed"));
    }
}

// At Adam's 1e-3 one epoch is a steady descent, so the same seed's fp32 and bf16 runs stay close;
// at the notebook's 1e-2 it is chaotic, and one seed's gap swings either way by more than bf16
// costs on average (docs/testing.md has both). The tolerance is about twice fp32's seed-to-seed
// spread of this run; the 5-seed comparison of the recipes is in docs/accuracy.md.
TEST_CASE("bf16 LeNet learns real MNIST as fp32 does: one epoch, same seed, within 0.25 points", "[train][precision][real-data]")
{
    if (!mnist::cpuHasBf16())
        return fixtures::skipTest("this CPU has no bf16 instructions: bf16 is emulated here (auto never picks it) and an "
                                  "epoch of it takes minutes; the other [precision] tests run it on small data");
    const std::string folder = std::string(MNIST_DATA_DIR) + "/mnist";
    REQUIRE(std::filesystem::exists(folder + "/train-images-idx3-ubyte")); // make test fetches it
    const mnist::DataSplits data = mnist::loadSplits(folder);
    double accuracy[2] = {0, 0};
    for (int i = 0; i < 2; ++i) {
        auto c = config("LeNet", i == 0 ? "fp32" : "bf16");
        c.batchSize = 100; // and config()'s lr 1e-3
        Seen seen;
        accuracy[i] = mnist::Trainer(c).run(data, seen, mnist::StopToken{}).stats.finalTestAccuracy;
    }
    INFO("fp32 " << accuracy[0] << "%, bf16 " << accuracy[1] << "%");
    CHECK(accuracy[1] >= 96.5);
    CHECK(std::abs(accuracy[1] - accuracy[0]) <= 0.25);
}

TEST_CASE("In bf16 the fused block tails are as close to the fp32 step as LibTorch's bf16 ops are, with the same draws",
          "[train][precision][fused]")
{
    const std::string name = GENERATE("LeNetDeep", "SimpleNet");
    CAPTURE(name);
    const mnist::NetworkSpec& spec = *mnist::findBuiltinNetworkSpec(name);
    mnist::SpecNetworkOptions fusedOptions, plainOptions;
    fusedOptions.fusedKernels = true;
    plainOptions.fusedKernels = false;
    torch::manual_seed(5);
    const auto fused = mnist::buildNetwork(spec, fusedOptions);
    const auto plain = mnist::buildNetwork(spec, plainOptions);
    {
        torch::NoGradGuard noGrad;
        auto src = plain->parameters(), dst = fused->parameters();
        for (size_t i = 0; i < src.size(); ++i)
            src[i].copy_(dst[i]);
    }
    torch::manual_seed(6);
    const torch::Tensor input = torch::randn({16, 1, 28, 28}).contiguous(at::MemoryFormat::ChannelsLast);
    // 0: LibTorch's ops in fp32 (the reference), 1: LibTorch's ops in bf16, 2: the fused tails in bf16.
    torch::Tensor out[3], grad[3];
    for (int i = 0; i < 3; ++i) {
        mnist::Network& net = i < 2 ? *plain : *fused;
        mnist::setConvWeightLayout(net, at::MemoryFormat::ChannelsLast);
        net.train();
        net.zero_grad();
        torch::manual_seed(11); // the same dropout draws in every run
        torch::Tensor loss;
        {
            const mnist::AutocastScope autocast(torch::kCPU, i == 0 ? "fp32" : "bf16");
            out[i] = net.forward(input).to(torch::kFloat);
            loss = torch::nn::functional::cross_entropy(out[i], torch::arange(16) % 10);
        }
        loss.backward();
        std::vector<torch::Tensor> flat;
        for (const auto& p : net.parameters())
            flat.push_back(p.grad().flatten());
        grad[i] = torch::cat(flat);
    }
    const auto error = [](const torch::Tensor& a, const torch::Tensor& reference) {
        return (a - reference).norm().item<double>() / reference.norm().item<double>();
    };
    const double outPlain = error(out[1], out[0]), outFused = error(out[2], out[0]);
    const double gradPlain = error(grad[1], grad[0]), gradFused = error(grad[2], grad[0]);
    INFO("output error: LibTorch bf16 " << outPlain << ", fused " << outFused << "; gradient error: LibTorch bf16 "
                                        << gradPlain << ", fused " << gradFused);
    // Other draws would give errors of order 1; bf16's rounding gives a few percent.
    CHECK(outFused < 0.1);
    CHECK(gradFused < 0.3);
    CHECK(outFused <= 1.5 * outPlain);
    CHECK(gradFused <= 1.5 * gradPlain);
}
