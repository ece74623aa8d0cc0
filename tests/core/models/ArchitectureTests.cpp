#include "TestPaths.h"
#include "Error.h"
#include "formats/StateDict.h"
#include "models/ModelRegistry.h"
#include "models/PoolEarly.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cmath>
#include <fstream>

using Catch::Matchers::Contains;

namespace {

const nlohmann::json& referenceArchitectures()
{
    static const nlohmann::json j = [] {
        std::ifstream in(std::string(MNIST_REFERENCE_DIR) + "/models/architectures.json");
        REQUIRE(in);
        return nlohmann::json::parse(in);
    }();
    return j;
}

} // namespace

const std::vector<std::string> kNotebookArchitectures = {"LeNet",      "LeNetBN",    "LeNetDrop", "LeNetDropBN",
                                                         "LeNetDL-k5", "LeNetDL-k3", "LeNetDeep", "SimpleNet"};

TEST_CASE("The registry lists the notebook's eight architectures, then the other built-in networks", "[models]")
{
    std::vector<std::string> names;
    for (const auto& a : mnist::architectures())
        names.push_back(a.name);
    std::vector<std::string> expected = kNotebookArchitectures;
    expected.insert(expected.end(), {"DeepNoPool3", "ResNetSmall"});
    CHECK(names == expected);
    CHECK_THROWS_WITH(mnist::createNetwork("ResNet"), Contains("unknown architecture") && Contains("LeNetDeep"));
}

TEST_CASE("Each architecture has PyTorch's parameter count, state_dict names and shapes", "[models]")
{
    const auto& ref = referenceArchitectures().at("architectures");
    REQUIRE(ref.size() == 8);
    for (const std::string& name : kNotebookArchitectures) {
        INFO(name);
        const auto& r = ref.at(name);
        const auto net = mnist::createNetwork(name);
        CHECK(mnist::parameterCount(*net) == r.at("parameters").get<int64_t>());
        const mnist::NamedTensors sd = mnist::stateDict(*net);
        const auto& expected = r.at("state_dict");
        REQUIRE(sd.size() == expected.size());
        for (size_t i = 0; i < sd.size(); ++i) {
            INFO(sd[i].first);
            CHECK(sd[i].first == expected[i][0].get<std::string>());
            CHECK(sd[i].second.sizes().vec() == expected[i][1].get<std::vector<int64_t>>());
        }
    }
}

TEST_CASE("Each architecture with PyTorch's weights gives PyTorch's eval-mode logits", "[models]")
{
    torch::NoGradGuard noGrad;
    for (const std::string& name : kNotebookArchitectures) {
        INFO(name);
        const auto tensors = mnist::readSafeTensors(std::string(MNIST_REFERENCE_DIR) + "/models/" + name + ".safetensors");
        const auto net = mnist::createNetwork(name);
        mnist::loadStateDict(*net, tensors);
        net->eval();
        const torch::Tensor logits = net->forward(tensors.at("__input__"));
        const torch::Tensor expected = tensors.at("__logits__");
        REQUIRE(logits.sizes() == expected.sizes());
        const double maxDiff = (logits - expected).abs().max().item<double>();
        CHECK(maxDiff < 1e-4);
        // A model left in training mode (dropout, batch statistics) would differ; make sure the
        // comparison can fail.
        if (name == "LeNetDeep") {
            net->train();
            CHECK((net->forward(tensors.at("__input__")) - expected).abs().max().item<double>() > 1e-3);
        }
    }
}

TEST_CASE("Weights of another architecture are refused with the mismatching names", "[models][io]")
{
    const auto tensors = mnist::readSafeTensors(std::string(MNIST_REFERENCE_DIR) + "/models/LeNet.safetensors");
    const auto net = mnist::createNetwork("LeNetDrop");
    CHECK_THROWS_WITH(mnist::loadStateDict(*net, tensors), Contains("missing: fc_drop.0.weight") && Contains("unexpected: fc.weight"));
    const auto wider = mnist::createNetwork("LeNetDL-k5");
    const auto bn = mnist::readSafeTensors(std::string(MNIST_REFERENCE_DIR) + "/models/LeNetDropBN.safetensors");
    CHECK_THROWS_WITH(mnist::loadStateDict(*wider, bn), Contains("shape of block1.0.weight"));
}

TEST_CASE("Pooling before the ReLU gives a conv block's outputs and gradients", "[models]")
{
    namespace nn = torch::nn;
    const auto conv = [](int64_t in, int64_t out, int64_t k) { return nn::Conv2d(nn::Conv2dOptions(in, out, k).padding(k / 2)); };
    const std::string kind = GENERATE("LeNet", "LeNetDrop", "LeNetDeep block1", "LeNetDeep block3");
    const bool channelsLast = GENERATE(false, true);
    CAPTURE(kind, channelsLast);
    torch::manual_seed(3);
    nn::Sequential block;
    int64_t in = 1, size = 28;
    if (kind == "LeNet") {
        block = nn::Sequential(conv(1, 16, 5), nn::ReLU(), nn::MaxPool2d(2));
    } else if (kind == "LeNetDrop") {
        block = nn::Sequential(conv(1, 16, 5), nn::ReLU(), nn::Dropout2d(0.125), nn::MaxPool2d(2));
    } else if (kind == "LeNetDeep block1") {
        block = nn::Sequential(nn::BatchNorm2d(1), conv(1, 16, 5), nn::BatchNorm2d(16), nn::ReLU(), nn::Dropout2d(0.125),
                               nn::MaxPool2d(2));
    } else {
        in = 32, size = 7; // odd: the pool drops the last row and column
        block = nn::Sequential(conv(32, 64, 3), nn::BatchNorm2d(64), nn::ReLU(), nn::Dropout2d(0.125), nn::MaxPool2d(2));
    }
    block->train();
    torch::Tensor x = torch::randn({8, in, size, size});
    if (channelsLast)
        x = x.contiguous(torch::MemoryFormat::ChannelsLast);
    x.requires_grad_(true);

    const auto pass = [&](bool early) {
        for (auto& p : block->parameters())
            p.mutable_grad() = torch::Tensor();
        x.mutable_grad() = torch::Tensor();
        torch::manual_seed(11); // the same Dropout2d masks for both orders
        const torch::Tensor y = early ? mnist::forwardPoolEarly(block, x) : block->forward(x);
        (y * torch::linspace(-1, 1, y.numel()).view(y.sizes())).sum().backward();
        std::vector<torch::Tensor> grads{x.grad().clone()};
        for (auto& p : block->parameters())
            grads.push_back(p.grad().clone());
        return std::make_pair(y.detach().clone(), grads);
    };
    const auto [textbook, textbookGrads] = pass(false);
    const auto [early, earlyGrads] = pass(true);
    CHECK(torch::equal(early, textbook));
    CHECK(textbook.eq(0).any().item<bool>()); // the ReLU (and the masks) did zero something
    REQUIRE(earlyGrads.size() == textbookGrads.size());
    for (size_t i = 0; i < earlyGrads.size(); ++i) {
        CAPTURE(i);
        CHECK(textbookGrads[i].abs().sum().item<double>() > 0);
        CHECK(torch::equal(earlyGrads[i], textbookGrads[i])); // value for value: same-seed runs do not drift
    }
}

TEST_CASE("A tie made by Dropout2d's scaling routes the gradient as PyTorch's block order does", "[models]")
{
    namespace nn = torch::nn;
    // Two inputs one float step apart whose products with Dropout2d's factor 1/(1-p) round to the
    // same value: pooled after the scaling, the pool picks the first; pooled before it, the larger.
    // Such pairs exist where the product has the larger exponent: a in [1.75, 2) for 8/7.
    const torch::Tensor factor = torch::ones({1}).div_(1 - 0.125);
    float a = 1.75f, b = std::nextafter(a, 2.0f);
    for (int k = 0; k < 1000 && !torch::equal(torch::tensor({a}) * factor, torch::tensor({b}) * factor); ++k) {
        a = b;
        b = std::nextafter(a, 2.0f);
    }
    REQUIRE(b > a);
    REQUIRE(torch::equal(torch::tensor({a}) * factor, torch::tensor({b}) * factor));

    nn::Sequential block(nn::ReLU(), nn::Dropout2d(0.125), nn::MaxPool2d(2));
    block->train();
    const auto gradient = [&](bool early, uint64_t seed) {
        torch::Tensor x = torch::tensor({a, b, -1.0f, -2.0f}).view({1, 1, 2, 2}).requires_grad_(true);
        torch::manual_seed(seed);
        const torch::Tensor y = early ? mnist::forwardPoolEarly(block, x) : block->forward(x);
        y.sum().backward();
        return std::make_pair(y.item<float>(), x.grad().flatten());
    };
    uint64_t seed = 0;
    while (gradient(false, seed).first == 0) // a seed whose mask keeps the one channel
        ++seed;
    const auto [textbookValue, textbookGrad] = gradient(false, seed);
    const auto [earlyValue, earlyGrad] = gradient(true, seed);
    CHECK(textbookGrad[0].item<float>() > 0); // PyTorch's order: the first of the tied pair
    CHECK(textbookGrad[1].item<float>() == 0);
    CHECK(earlyValue == textbookValue);
    CHECK(torch::equal(earlyGrad, textbookGrad));
}

// That every network built from a spec, in training mode, gives the outputs and gradients of
// PyTorch's block order with the pool-early reorder is checked for LeNet, LeNetDropBN, LeNetDeep
// and SimpleNet in NetworkSpecTests.cpp ("pool-early").
