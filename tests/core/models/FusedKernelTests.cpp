// The fused CPU kernels (models/DropoutMask.h, models/PoolTail.h) against the LibTorch ops they
// replace: the same masks and generator, the same values and gradients (bit for bit, but for the
// sign of a zero), NCHW and NHWC, odd sizes, training and evaluation; and the spec networks and a
// seeded training run the same with the fusion pass on and off.
#include "formats/StateDict.h"
#include "models/DropoutMask.h"
#include "models/MemoryLayout.h"
#include "models/ModelRegistry.h"
#include "models/PoolTail.h"
#include "models/SpecNetwork.h"
#include "train/Trainer.h"

#include "data/IdxFixtures.h"
#include "data/SkipTest.h"
#include "data/TempDir.h"

#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <cstdlib>
#include <limits>
#include <string>

namespace {

// Equal value for value, NaN where NaN (-0 equals +0, as the kernels promise no more).
bool same(const torch::Tensor& a, const torch::Tensor& b)
{
    return a.sizes() == b.sizes() && torch::allclose(a, b, 0.0, 0.0, /*equal_nan=*/true);
}

torch::Tensor laidOut(torch::Tensor x, bool nhwc)
{
    return nhwc ? x.contiguous(at::MemoryFormat::ChannelsLast) : x.contiguous();
}

struct Tail {
    double pre = 0.0;                            // Dropout2d before the pool, 0: none
    mnist::TailDropout post = mnist::TailDropout::None;
    double postP = 0.0;
    int64_t kh = 2, kw = 2;
};

// The layers as LibTorch runs them unfused, in the pool-early order.
torch::Tensor unfused(const torch::Tensor& x, const Tail& t, bool train)
{
    torch::Tensor y = x;
    if (t.pre > 0.0)
        y = torch::feature_dropout(y, t.pre, train);
    y = torch::max_pool2d(y, {t.kh, t.kw});
    if (t.post == mnist::TailDropout::Elementwise)
        y = torch::dropout(y, t.postP, train);
    else if (t.post == mnist::TailDropout::Channels)
        y = torch::feature_dropout(y, t.postP, train);
    return torch::relu(y);
}

mnist::PoolTailParams params(const Tail& t)
{
    mnist::PoolTailParams p;
    p.kernelH = t.kh;
    p.kernelW = t.kw;
    p.preChannelsP = t.pre;
    p.post = t.post;
    p.postP = t.postP;
    return p;
}

// Output, input gradient and the next draw of the generator, for one forward and backward.
std::vector<torch::Tensor> runTail(const torch::Tensor& input, const Tail& t, bool train, bool fused)
{
    torch::manual_seed(21);
    torch::Tensor x = input.detach().clone(input.suggest_memory_format()).requires_grad_(true);
    torch::Tensor y = fused ? mnist::poolTail(x, params(t), train, train) : unfused(x, t, train);
    const torch::Tensor weights = torch::linspace(-1.5, 2.0, y.numel()).view(y.sizes());
    (y * weights).sum().backward();
    return {y.detach().contiguous(), x.grad().contiguous(), torch::rand({4})};
}

} // namespace

TEST_CASE("keepMask draws exactly LibTorch's bernoulli_ and leaves the generator as it does", "[models][fused]")
{
    if (!mnist::exactMasksAvailable())
        return fixtures::skipTest("this LibTorch draws bernoulli_ through MKL: the exact masks are off");
    const double keep = GENERATE(0.75, 0.5, 0.9, 0.1);
    // Counts below, at and across the 624-word state, and a fresh generator as well as a used one.
    const int64_t count = GENERATE(1, 311, 312, 313, 624, 5000, 123457);
    CAPTURE(keep, count);
    torch::manual_seed(3);
    torch::rand({static_cast<int64_t>(count % 7)}); // the generator part-way through its state
    torch::Tensor expected = torch::empty({count}, torch::kFloat).bernoulli_(keep);
    const torch::Tensor nextExpected = torch::rand({5}, torch::kDouble);

    torch::manual_seed(3);
    torch::rand({static_cast<int64_t>(count % 7)});
    torch::Tensor ours = torch::empty({count}, torch::kByte);
    mnist::keepMask(ours.data_ptr<uint8_t>(), count, keep);
    const torch::Tensor nextOurs = torch::rand({5}, torch::kDouble);

    CHECK(torch::equal(ours.to(torch::kFloat), expected));
    CHECK(torch::equal(nextOurs, nextExpected));
}

TEST_CASE("exactDropout gives torch::dropout's values, gradients and later draws", "[models][fused]")
{
    const bool nhwc = GENERATE(false, true);
    const double p = GENERATE(0.25, 0.5);
    const bool train = GENERATE(true, false);
    CAPTURE(nhwc, p, train);
    torch::manual_seed(8);
    const torch::Tensor input = laidOut(torch::randn({5, 3, 7, 9}), nhwc);
    std::vector<torch::Tensor> results[2];
    for (int fused = 0; fused < 2; ++fused) {
        torch::manual_seed(99);
        torch::Tensor x = input.detach().clone(input.suggest_memory_format()).requires_grad_(true);
        const torch::Tensor y = fused ? mnist::exactDropout(x, p, train) : torch::dropout(x, p, train);
        (y * torch::linspace(-1, 1, y.numel()).view(y.sizes())).sum().backward();
        results[fused] = {y.detach().contiguous(), x.grad().contiguous(), torch::rand({3})};
    }
    for (size_t i = 0; i < results[0].size(); ++i) {
        CAPTURE(i);
        CHECK(same(results[0][i], results[1][i]));
    }
}

TEST_CASE("poolTail equals the unfused dropouts, max-pool and ReLU, values and gradients", "[models][fused]")
{
    Tail t;
    SECTION("pool, ReLU (LeNet)") {}
    SECTION("Dropout2d, pool, ReLU (the LeNetDrop family)") { t.pre = 0.2; }
    SECTION("pool, Dropout, ReLU (SimpleNet)")
    {
        t.post = mnist::TailDropout::Elementwise;
        t.postP = 0.25;
    }
    SECTION("Dropout2d, pool, Dropout2d, ReLU")
    {
        t.pre = 0.3;
        t.post = mnist::TailDropout::Channels;
        t.postP = 0.5;
    }
    SECTION("a 3x2 window, both dropouts")
    {
        t.kh = 3;
        t.kw = 2;
        t.pre = 0.1;
        t.post = mnist::TailDropout::Elementwise;
        t.postP = 0.4;
    }
    if ((t.pre > 0 || t.postP > 0) && !mnist::exactMasksAvailable())
        return fixtures::skipTest("this LibTorch draws bernoulli_ through MKL: the fused dropouts are off");
    const bool nhwc = GENERATE(false, true);
    const bool train = GENERATE(true, false);
    // Even sizes, odd ones (a row and a column no window covers), one channel, many channels.
    const auto shape = GENERATE(std::vector<int64_t>{4, 6, 8, 8}, std::vector<int64_t>{3, 5, 7, 9},
                                std::vector<int64_t>{2, 1, 11, 6}, std::vector<int64_t>{2, 37, 5, 5});
    CAPTURE(nhwc, train, shape, t.pre, t.postP, t.kh, t.kw);
    torch::manual_seed(4);
    // Rounded to a coarse grid so that windows hold ties, which must go to the first maximum.
    const torch::Tensor input = laidOut(torch::round(torch::randn(shape) * 4) / 4, nhwc);
    const auto params = ::params(t);
    REQUIRE(mnist::poolTailApplies(input, params, train, train));
    const auto expected = runTail(input, t, train, false);
    const auto ours = runTail(input, t, train, true);
    CHECK(same(ours[0], expected[0]));
    CHECK(same(ours[1], expected[1]));
    CHECK(same(ours[2], expected[2])); // the generator advanced alike

    // The output keeps the input's layout, as LibTorch's ops would.
    torch::manual_seed(21);
    const torch::Tensor y = mnist::poolTail(input, params, train, train);
    CHECK(y.is_contiguous(nhwc ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous));
}

TEST_CASE("poolTail passes NaN and infinities through as LibTorch does", "[models][fused]")
{
    const bool nhwc = GENERATE(false, true);
    CAPTURE(nhwc);
    torch::Tensor raw = torch::randn({2, 3, 6, 6});
    raw[0][1][2][3] = std::numeric_limits<float>::quiet_NaN();
    raw[1][0][0][0] = std::numeric_limits<float>::infinity();
    raw[1][2][5][4] = -std::numeric_limits<float>::infinity();
    raw[1][2][5][5] = -std::numeric_limits<float>::infinity();
    raw[1][2][4][4] = -std::numeric_limits<float>::infinity();
    raw[1][2][4][5] = -std::numeric_limits<float>::infinity();
    const torch::Tensor input = laidOut(raw, nhwc);
    const Tail t;
    const auto expected = runTail(input, t, true, false);
    const auto ours = runTail(input, t, true, true);
    CHECK(same(ours[0], expected[0]));
    CHECK(same(ours[1], expected[1]));
}

TEST_CASE("poolTail declines what it does not run exactly", "[models][fused]")
{
    mnist::PoolTailParams p;
    const torch::Tensor x = torch::randn({2, 3, 8, 8});
    CHECK(mnist::poolTailApplies(x, p, true, true));
    CHECK_FALSE(mnist::poolTailApplies(x.to(torch::kDouble), p, true, true));
    CHECK_FALSE(mnist::poolTailApplies(x.transpose(2, 3), p, true, true)); // neither layout
    CHECK_FALSE(mnist::poolTailApplies(x.view({2, 3, 64}), p, true, true));
    CHECK_FALSE(mnist::poolTailApplies(torch::randn({2, 3, 1, 8}), p, true, true));
    // The networks use it channels-last only, where it is the faster (PoolTail.h).
    CHECK(mnist::poolTailPreferred(x.contiguous(at::MemoryFormat::ChannelsLast), p, true, true));
    CHECK_FALSE(mnist::poolTailPreferred(x, p, true, true));
    p.preChannelsP = 1.0; // LibTorch multiplies by zero without drawing
    CHECK_FALSE(mnist::poolTailApplies(x, p, true, true));
    CHECK(mnist::poolTailApplies(x, p, false, false)); // an inactive dropout does not count
}

TEST_CASE("Every notebook network trains alike with the fused kernels and without", "[models][fused][spec]")
{
    const std::string name =
        GENERATE("LeNet", "LeNetBN", "LeNetDrop", "LeNetDropBN", "LeNetDL-k5", "LeNetDL-k3", "LeNetDeep", "SimpleNet");
    const bool channelsLast = GENERATE(false, true);
    CAPTURE(name, channelsLast);
    const mnist::NetworkSpec& spec = *mnist::findBuiltinNetworkSpec(name);
    mnist::SpecNetworkOptions fusedOptions, plainOptions;
    fusedOptions.fusedKernels = true;
    plainOptions.fusedKernels = false;
    torch::manual_seed(5);
    const auto fused = mnist::buildNetwork(spec, fusedOptions);
    const auto plain = mnist::buildNetwork(spec, plainOptions);
    {
        torch::NoGradGuard noGrad;
        auto src = plain->parameters();
        auto dst = fused->parameters();
        REQUIRE(src.size() == dst.size());
        for (size_t i = 0; i < src.size(); ++i)
            src[i].copy_(dst[i]);
    }
    const auto memoryFormat = channelsLast ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
    torch::manual_seed(6);
    const torch::Tensor input = torch::randn({9, 1, 28, 28}).contiguous(memoryFormat);
    for (const bool train : {true, false}) {
        CAPTURE(train);
        std::vector<torch::Tensor> results[2];
        for (int i = 0; i < 2; ++i) {
            mnist::Network& net = i == 0 ? *plain : *fused;
            if (channelsLast)
                mnist::setConvWeightLayout(net, memoryFormat);
            train ? net.train() : net.eval();
            net.zero_grad();
            torch::Tensor x = input.detach().clone(memoryFormat).requires_grad_(true);
            torch::manual_seed(11);
            const torch::Tensor y = net.forward(x);
            (y * torch::linspace(-1, 1, y.numel()).view(y.sizes())).sum().backward();
            results[i] = {y.detach(), x.grad().contiguous(), torch::rand({2})};
            for (const auto& p : net.parameters())
                results[i].push_back(p.grad().contiguous());
        }
        REQUIRE(results[0].size() == results[1].size());
        for (size_t i = 0; i < results[0].size(); ++i) {
            CAPTURE(i);
            CHECK(same(results[0][i], results[1][i]));
        }
    }
}

TEST_CASE("MNIST_STUDIO_UNFUSED turns the fusion pass off, and a seeded run trains the same either way",
          "[models][fused][train]")
{
    const char* before = std::getenv("MNIST_STUDIO_UNFUSED");
    const std::string saved = before ? before : "";
    const auto restore = [&] {
        if (before)
            ::setenv("MNIST_STUDIO_UNFUSED", saved.c_str(), 1);
        else
            ::unsetenv("MNIST_STUDIO_UNFUSED");
    };
    ::unsetenv("MNIST_STUDIO_UNFUSED");
    const bool onByDefault = mnist::defaultSpecNetworkOptions().fusedKernels;
    ::setenv("MNIST_STUDIO_UNFUSED", "1", 1);
    const bool offWhenSet = !mnist::defaultSpecNetworkOptions().fusedKernels;
    restore();
    CHECK(onByDefault);
    CHECK(offWhenSet);

    // A whole seeded run through the Trainer, each network that has a fused tail with dropout.
    const std::string arch = GENERATE("LeNetDropBN", "SimpleNet");
    CAPTURE(arch);
    TempDir dir;
    fixtures::writeSyntheticDataset(dir.path().string(), 300, 100);
    const mnist::DataSplits splits = mnist::loadSplits(dir.path().string());
    mnist::TrainConfig c;
    c.arch = arch;
    c.epochs = 2;
    c.batchSize = 25;
    c.lr = 1e-3;
    c.device = "cpu";
    c.threads = 2;
    c.seed = 77;
    std::vector<mnist::TrainResult> runs;
    for (const bool unfusedRun : {false, true}) {
        if (unfusedRun)
            ::setenv("MNIST_STUDIO_UNFUSED", "1", 1);
        else
            ::unsetenv("MNIST_STUDIO_UNFUSED");
        mnist::TrainingObserver quiet;
        mnist::StopToken stop;
        runs.push_back(mnist::Trainer(c).run(splits, quiet, stop));
    }
    restore();
    REQUIRE(runs[0].epochs.size() == 2);
    REQUIRE(runs[1].epochs.size() == 2);
    for (size_t e = 0; e < 2; ++e) {
        CAPTURE(e);
        CHECK(runs[0].epochs[e].trainLoss == runs[1].epochs[e].trainLoss);
        CHECK(runs[0].epochs[e].validLoss == runs[1].epochs[e].validLoss);
        CHECK(runs[0].epochs[e].testAccuracy == runs[1].epochs[e].testAccuracy);
    }
}
