// A look inside a network (inspect/Inspect.h): every layer's output, the first filters, saliency;
// the per-layer statistics the trainer gathers (train/LayerStats.h) and layers.csv, written and read.
#include "Error.h"
#include "data/Dataset.h"
#include "inspect/Inspect.h"
#include "run/RunFiles.h"
#include "run/RunFolder.h"
#include "models/ModelRegistry.h"
#include "spec/NetworkSpec.h"
#include "models/SpecNetwork.h"
#include "train/LayerStats.h"
#include "train/Trainer.h"

#include "data/IdxFixtures.h"
#include "data/TempDir.h"

#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <numeric>
#include <set>

using Catch::Matchers::Contains;

namespace {

std::string histogramOf(int64_t first, int64_t rest)
{
    std::string h = std::to_string(first);
    for (int i = 1; i < mnist::kLayerHistogramBins; ++i)
        h += " " + std::to_string(rest);
    return h;
}

} // namespace

TEST_CASE("layerOutputs gives every layer's output, in the spec's order, ending in the logits", "[inspect]")
{
    torch::manual_seed(3);
    for (const char* arch : {"LeNetDropBN", "ResNetSmall"}) {
        INFO(arch);
        const auto net = mnist::createNetwork(std::string(arch));
        net->train();
        const torch::Tensor image = torch::rand({1, 28, 28});
        const auto outputs = mnist::layerOutputs(*net, image);
        CHECK(net->is_training()); // its mode is restored
        const mnist::NetworkSummary summary = mnist::describeNetwork(*mnist::findBuiltinNetworkSpec(arch));
        REQUIRE(outputs.size() == summary.rows.size());
        std::set<std::string> keys;
        for (const auto& o : outputs)
            keys.insert(o.key);
        for (const auto& row : summary.rows) {
            INFO(row.prefix);
            CHECK(keys.count(row.prefix) == 1);
            const auto it = std::find_if(outputs.begin(), outputs.end(), [&](const auto& o) { return o.key == row.prefix; });
            CHECK(it->type == row.type);
            CHECK(it->value.sizes().vec() == row.outputShape);
        }
        net->eval();
        torch::NoGradGuard noGrad;
        const torch::Tensor logits = net->forward(image.unsqueeze(0)).squeeze(0);
        CHECK(outputs.back().value.sizes().vec() == std::vector<int64_t>{10});
        CHECK(torch::allclose(outputs.back().value, logits, 1e-5, 1e-5));
    }
}

TEST_CASE("firstConvFilters is the first Conv2d's weight", "[inspect]")
{
    const auto net = mnist::createNetwork(std::string("LeNet"));
    const mnist::ConvFilters f = mnist::firstConvFilters(*net);
    REQUIRE(f.weight.defined());
    CHECK(f.weight.sizes().vec() == std::vector<int64_t>{16, 1, 5, 5});
    for (const auto& p : net->named_parameters())
        if (p.key() == f.key + ".weight")
            CHECK(torch::equal(p.value(), f.weight));

    mnist::NetworkSpec noConv;
    noConv.name = "Flat";
    noConv.layers.resize(2);
    noConv.layers[0].type = mnist::LayerType::Flatten;
    noConv.layers[1].type = mnist::LayerType::Linear;
    noConv.layers[1].outFeatures = 10;
    const auto flat = mnist::buildNetwork(noConv);
    CHECK_FALSE(mnist::firstConvFilters(*flat).weight.defined());
}

TEST_CASE("saliencyMap is the input gradient of the predicted logit and leaves the weights' gradients alone", "[inspect]")
{
    torch::manual_seed(5);
    const auto net = mnist::createNetwork(std::string("LeNetBN"));
    const torch::Tensor image = torch::rand({1, 28, 28});
    const torch::Tensor map = mnist::saliencyMap(*net, image);
    REQUIRE(map.sizes().vec() == std::vector<int64_t>{28, 28});
    CHECK(map.min().item<float>() >= 0);
    CHECK(map.max().item<float>() > 0);
    for (const auto& p : net->parameters())
        CHECK_FALSE(p.grad().defined());

    // A finite difference at the most salient pixel agrees with the gradient there.
    net->eval();
    torch::NoGradGuard noGrad;
    const int64_t cls = net->forward(image.unsqueeze(0)).argmax(1).item<int64_t>();
    const int64_t at = map.flatten().argmax().item<int64_t>();
    const double eps = 1e-3;
    torch::Tensor plus = image.clone(), minus = image.clone();
    plus.view(-1)[at] += eps;
    minus.view(-1)[at] -= eps;
    const double slope = (net->forward(plus.unsqueeze(0))[0][cls].item<double>() -
                          net->forward(minus.unsqueeze(0))[0][cls].item<double>()) / (2 * eps);
    CHECK(std::abs(slope) == Approx(map.flatten()[at].item<double>()).epsilon(0.1));
    CHECK_THROWS_AS(mnist::saliencyMap(*net, image, 10), mnist::ConfigError);
}

TEST_CASE("LayerStatsRecorder: each layer's weight norm, sampled gradient norm and histogram", "[inspect][train]")
{
    torch::manual_seed(7);
    const auto net = mnist::createNetwork(std::string("LeNetBN"));
    mnist::LayerStatsRecorder rec(*net);
    const torch::Tensor x = torch::rand({8, 1, 28, 28});
    const torch::Tensor y = torch::randint(0, 10, {8}, torch::kInt64);
    std::map<std::string, double> expectedGrad;
    for (int64_t it = 0; it < 12; ++it) {
        net->zero_grad();
        torch::nn::functional::cross_entropy(net->forward(x), y).backward();
        rec.afterBackward(it);
        if (it % mnist::LayerStatsRecorder::kGradientSampleEvery == 0) {
            std::map<std::string, double> squares;
            for (const auto& p : net->named_parameters()) {
                const std::string layer = p.key().substr(0, p.key().rfind('.'));
                squares[layer] += p.value().grad().to(torch::kFloat64).square().sum().item<double>();
            }
            for (const auto& [layer, sq] : squares)
                expectedGrad[layer] += std::sqrt(sq) / 2.0; // iterations 0 and 10 are sampled
        }
    }
    const mnist::EpochLayerStats stats = rec.finishEpoch(1);
    CHECK(stats.epoch == 1);
    std::vector<std::string> expectedLayers;
    for (const auto& p : net->named_parameters()) {
        const std::string layer = p.key().substr(0, p.key().rfind('.'));
        if (expectedLayers.empty() || expectedLayers.back() != layer)
            expectedLayers.push_back(layer);
    }
    REQUIRE(stats.layers.size() == expectedLayers.size());
    for (size_t i = 0; i < stats.layers.size(); ++i) {
        const mnist::LayerStat& s = stats.layers[i];
        INFO(s.layer);
        CHECK(s.layer == expectedLayers[i]);
        CHECK(s.gradNorm == Approx(expectedGrad[s.layer]).epsilon(1e-9));
        double squares = 0;
        int64_t count = 0, weightCount = 0;
        for (const auto& p : net->named_parameters())
            if (p.key().rfind(s.layer + ".", 0) == 0 && p.key().find('.', s.layer.size() + 1) == std::string::npos) {
                squares += p.value().to(torch::kFloat64).square().sum().item<double>();
                count += p.value().numel();
                if (p.key() == s.layer + ".weight")
                    weightCount = p.value().numel();
            }
        CHECK(s.parameters == count);
        CHECK(s.weightNorm == Approx(std::sqrt(squares)).epsilon(1e-9));
        REQUIRE(s.histogram.size() == static_cast<size_t>(mnist::kLayerHistogramBins));
        CHECK(std::accumulate(s.histogram.begin(), s.histogram.end(), int64_t{0}) == weightCount);
        CHECK(s.weightMin <= s.weightMax);
    }
    // The next epoch starts its sums afresh: no sample yet, no gradient norm.
    CHECK(rec.finishEpoch(2).layers.front().gradNorm == 0);
}

TEST_CASE("A recorded run writes layers.csv, and resuming keeps the rows of the kept epochs", "[inspect][runs]")
{
    TempDir data, runs;
    fixtures::writeSyntheticDataset(data.path().string(), 200, 50);
    mnist::TrainConfig c;
    c.dataset = "idx";
    c.dataDir = data.path().string();
    c.arch = "LeNetBN";
    c.epochs = 2;
    c.batchSize = 32;
    c.device = "cpu";
    c.threads = 1;
    const std::string dir = runs.file("run");
    {
        mnist::RunFolder folder(dir, c);
        mnist::RunRecorder recorder(folder);
        mnist::StopToken stop;
        mnist::Trainer trainer(c);
        trainer.run(mnist::loadSplits(c.dataDir), recorder, stop);
    }
    const auto layers = mnist::readLayersCsv(dir + "/layers.csv");
    REQUIRE(layers.size() == 2);
    CHECK(layers[0].epoch == 1);
    CHECK(layers[1].epoch == 2);
    REQUIRE(layers[0].layers.size() == 5); // two convs, two BatchNorms, the linear head
    for (const auto& l : layers[1].layers) {
        CHECK(l.gradNorm > 0);
        CHECK(l.weightNorm > 0);
    }
    // As a resume from the checkpoint of epoch 1 does.
    {
        mnist::RunFolder folder(dir, c, mnist::RunFolder::Mode::Resume);
        const auto metrics = mnist::readMetricsCsv(dir + "/metrics.csv");
        REQUIRE(metrics.size() == 2);
        folder.rewriteHistory({metrics[0]}, std::vector<double>(7, 1e-3));
    }
    const auto kept = mnist::readLayersCsv(dir + "/layers.csv");
    REQUIRE(kept.size() == 1);
    CHECK(kept[0].layers.size() == 5);
    CHECK(kept[0].layers[0].weightNorm == Approx(layers[0].layers[0].weightNorm));
}

TEST_CASE("layers.csv: damaged files are refused with the file and line", "[inspect][runs]")
{
    const std::string header = std::string(mnist::kLayersCsvHeader) + "\n";
    const auto row = [](const std::string& epoch, const std::string& layer, const std::string& hist = histogramOf(1, 0)) {
        return epoch + "," + layer + ",10,1.5,0.25,-0.5,0.5," + hist + "\n";
    };
    const std::string good = header + row("1", "0.0") + row("1", "fc") + row("2", "0.0") + row("2", "fc");
    const auto ok = mnist::parseLayersCsv(good, "layers.csv");
    REQUIRE(ok.size() == 2);
    CHECK(ok[1].layers[1].layer == "fc");
    CHECK(ok[0].layers[0].histogram.front() == 1);
    CHECK(ok[0].layers[0].gradNorm == 0.25);

    const auto refused = [](const std::string& text, const std::string& what) {
        INFO(what);
        CHECK_THROWS_WITH(mnist::parseLayersCsv(text, "layers.csv"), Contains("layers.csv") && Contains(what));
    };
    refused("", "empty file");
    refused("epoch,layer\n", "expected the header");
    refused(header + "1,0.0,10\n", "expected 8 columns");
    refused(header + row("0", "0.0"), "not positive");
    refused(header + row("2", "0.0") + row("1", "0.0"), "follows epoch 2");
    refused(header + row("1", "0.0") + row("1", "0.0"), "appears twice");
    refused(header + row("1", "0.0") + row("1", "fc") + row("2", "fc"), "not the one the first epoch has");
    refused(header + row("1", "0.0") + row("1", "fc") + row("2", "0.0") + row("3", "0.0"), "epoch 2 has 1 layers, epoch 1 has 2");
    refused(header + row("1", ""), "layer name is empty");
    refused(header + row("1", "0.0", "1 2 3"), "has 3 counts");
    refused(header + row("1", "0.0", histogramOf(11, 0)), "more values than");
    refused(header + row("1", "0.0", histogramOf(-1, 0)), "negative");
    refused(header + "1,0.0,10,nan,0.25,-0.5,0.5," + histogramOf(1, 0) + "\n", "weight_norm");
    refused(header + "1,0.0,10,1,0.25,0.5,-0.5," + histogramOf(1, 0) + "\n", "above weight_max");
    refused(header + "1,0.0,0,1,0.25,-0.5,0.5," + histogramOf(0, 0) + "\n", "not positive");

    // Gaps are allowed (a resumed run, statistics off for a while).
    const auto gap = mnist::parseLayersCsv(header + row("1", "0.0") + row("4", "0.0"), "layers.csv");
    REQUIRE(gap.size() == 2);
    CHECK(gap[1].epoch == 4);

    // A crash mid-write: the last line is cut short, and its epoch is dropped, the others stand.
    const std::string two = header + row("1", "0.0") + row("1", "fc") + row("2", "0.0");
    const auto cutInEpoch = mnist::parseLayersCsv(two + "2,fc,10,1.5", "layers.csv");
    REQUIRE(cutInEpoch.size() == 1);
    CHECK(cutInEpoch[0].layers.size() == 2);
    const auto cutAtEpochStart = mnist::parseLayersCsv(two + row("2", "fc") + "3,0.0,10", "layers.csv");
    REQUIRE(cutAtEpochStart.size() == 2);
    // Cut between two rows of the last epoch: it has fewer layers and is dropped.
    const auto cutBetweenRows = mnist::parseLayersCsv(two, "layers.csv");
    REQUIRE(cutBetweenRows.size() == 1);
    CHECK(cutBetweenRows[0].epoch == 1);
}
