// The embedding projector's core (inspect/Embedding.h, inspect/Projection.h): penultimate features
// of any network, PCA, exact t-SNE and the class-separation scores.
#include "Error.h"
#include "data/DataLocations.h"
#include "data/Dataset.h"
#include "inspect/Embedding.h"
#include "inspect/Projection.h"
#include "models/ModelRegistry.h"
#include "models/SpecNetwork.h"
#include "run/PretrainedModel.h"
#include "run/RunFolder.h"
#include "spec/Architectures.h"
#include "spec/NetworkSpec.h"

#include "data/SkipTest.h"

#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <map>

using Catch::Matchers::Contains;

namespace {

// `classes` Gaussian clusters of `perClass` points in `dims` dimensions, centres 10 apart.
torch::Tensor clusters(int classes, int perClass, int dims, std::vector<int>& labels)
{
    torch::manual_seed(11);
    std::vector<torch::Tensor> parts;
    for (int c = 0; c < classes; ++c) {
        torch::Tensor centre = torch::zeros({1, dims});
        centre[0][c % dims] = 10.0 * (1 + c / dims);
        parts.push_back(centre + torch::randn({perClass, dims}));
        labels.insert(labels.end(), static_cast<size_t>(perClass), c);
    }
    return torch::cat(parts);
}

// The features of a user network with a block, written as a user would.
mnist::NetworkSpec userSpec()
{
    const char* text = R"({"name": "UserBlockNet", "input": [1, 28, 28], "classes": 10, "layers": [
        {"name": "block", "type": "Sequential", "layers": [
            {"type": "Conv2d", "out_channels": 4, "kernel_size": 3, "padding": 1}, {"type": "ReLU"},
            {"type": "MaxPool2d", "kernel_size": 2}]},
        {"name": "res", "type": "Residual", "body": [{"type": "Conv2d", "out_channels": 4, "kernel_size": 3, "padding": 1}]},
        {"type": "Flatten"},
        {"name": "hidden", "type": "Linear", "out_features": 24}, {"type": "ReLU"},
        {"name": "head", "type": "Sequential", "layers": [{"name": "out", "type": "Linear", "out_features": 10}]}]})";
    std::vector<mnist::SpecProblem> problems;
    mnist::NetworkSpec spec = mnist::parseNetworkSpecText(text, problems);
    REQUIRE(problems.empty());
    return spec;
}

int64_t inFeaturesOf(mnist::Network& net, const std::string& key)
{
    for (const auto& p : net.named_parameters())
        if (p.key() == key + ".weight")
            return p.value().size(1);
    return -1;
}

std::string realMnist()
{
    mnist::TrainConfig c;
    c.dataset = "mnist";
    const std::string dir = mnist::resolveDataDir(c);
    return mnist::hasIdxFiles(dir) ? dir : std::string();
}

} // namespace

TEST_CASE("Penultimate features are the input of the last Linear layer for every built-in network", "[embedding]")
{
    torch::manual_seed(1);
    const torch::Tensor images = torch::rand({5, 1, 28, 28});
    const torch::Tensor labels = torch::tensor(std::vector<int64_t>{0, 1, 2, 3, 4});
    int builtins = 0;
    for (const mnist::ArchitectureInfo& arch : mnist::architectures()) {
        if (!arch.builtin)
            continue;
        INFO(arch.name);
        ++builtins;
        const auto net = mnist::createNetwork(arch.name);
        net->train();
        const mnist::PenultimateFeatures f = mnist::penultimateFeatures(*net, images, labels, 2);
        CHECK(net->is_training()); // its mode is restored
        REQUIRE(f.features.dim() == 2);
        CHECK(f.features.size(0) == 5);
        CHECK(f.features.size(1) == inFeaturesOf(*net, f.layerKey));
        CHECK(f.labels == std::vector<int>{0, 1, 2, 3, 4});
        CHECK(f.indices == std::vector<int64_t>{0, 1, 2, 3, 4});
        // The same predictions as the network's own forward pass.
        net->eval();
        torch::NoGradGuard noGrad;
        const torch::Tensor predicted = net->forward(images).argmax(1);
        for (int i = 0; i < 5; ++i)
            CHECK(f.predicted[static_cast<size_t>(i)] == predicted[i].item<int64_t>());
    }
    CHECK(builtins >= 8);
}

TEST_CASE("Penultimate features of a user network with blocks come from before its nested last Linear", "[embedding]")
{
    torch::manual_seed(2);
    const auto net = mnist::buildNetwork(userSpec());
    const torch::Tensor images = torch::rand({7, 1, 28, 28});
    const mnist::PenultimateFeatures f = mnist::penultimateFeatures(*net, images, torch::zeros({7}, torch::kInt64), 3);
    CHECK(f.layerKey == "head.out");
    CHECK(f.features.sizes() == torch::IntArrayRef({7, 24}));
    CHECK(f.features.min().item<float>() >= 0.0f); // after the ReLU: the hidden layer's activations
}

TEST_CASE("A network without a Linear layer has no penultimate features and the error names it", "[embedding]")
{
    const char* text = R"({"name": "AllConv", "input": [1, 28, 28], "classes": 10, "layers": [
        {"type": "Conv2d", "out_channels": 10, "kernel_size": 28}, {"type": "Flatten"}]})";
    std::vector<mnist::SpecProblem> problems;
    const mnist::NetworkSpec spec = mnist::parseNetworkSpecText(text, problems);
    REQUIRE(problems.empty());
    const auto net = mnist::buildNetwork(spec);
    CHECK_THROWS_WITH(mnist::penultimateFeatures(*net, torch::rand({2, 1, 28, 28}), torch::zeros({2}), 2),
                      Contains("AllConv") && Contains("no Linear layer"));
}

TEST_CASE("A stop request ends the features between batches", "[embedding]")
{
    const auto net = mnist::createNetwork(std::string("LeNet"));
    mnist::StopToken stop;
    int batches = 0;
    const mnist::PenultimateFeatures f = mnist::penultimateFeatures(
        *net, torch::rand({10, 1, 28, 28}), torch::zeros({10}), 2,
        [&](int64_t, int64_t) {
            if (++batches == 2)
                stop.requestStop();
        },
        &stop);
    CHECK(f.stopped);
    CHECK(f.features.size(0) == 4);
    CHECK(f.labels.size() == 4);
}

TEST_CASE("PCA gives the principal axes with a fixed sign and their share of the variance", "[embedding]")
{
    torch::manual_seed(4);
    // Variance 100 along (1, 1, 0)/sqrt(2), 1 along z, 0.01 along the rest.
    const torch::Tensor t = torch::randn({500, 3}) * torch::tensor({10.0f, 1.0f, 0.1f});
    const torch::Tensor rotate = torch::tensor({{0.70710678f, 0.70710678f, 0.0f}, {0.0f, 0.0f, 1.0f}, {0.70710678f, -0.70710678f, 0.0f}});
    const torch::Tensor x = t.mm(rotate) + 5.0f;
    const mnist::PcaProjection p = mnist::pcaProject(x);
    REQUIRE(p.points.sizes() == torch::IntArrayRef({500, 2}));
    CHECK(p.explained.size() == 2);
    CHECK(p.explained[0] > 0.95);
    CHECK(p.explained[1] > 0.005);
    CHECK(p.explained[0] + p.explained[1] < 1.0);
    // Centred, and the first axis is the projection on (1, 1, 0)/sqrt(2) (sign: its loadings are positive).
    CHECK(p.points.mean(0).abs().max().item<float>() < 1e-3f);
    const torch::Tensor expected = (x - x.mean(0)).mm(rotate[0].unsqueeze(1)).squeeze(1);
    CHECK(torch::allclose(p.points.select(1, 0), expected, 1e-3, 5e-2));
    // The same picture for the features negated.
    CHECK(torch::allclose(mnist::pcaProject(-x).points.abs(), p.points.abs(), 1e-4, 1e-3));
    CHECK_THROWS_AS(mnist::pcaProject(torch::zeros({1, 3})), mnist::ConfigError);
}

TEST_CASE("t-SNE keeps well-separated clusters apart and is the same for the same seed", "[embedding]")
{
    std::vector<int> labels;
    const torch::Tensor x = clusters(5, 40, 8, labels);
    mnist::TsneOptions options;
    options.perplexity = 15;
    options.iterations = 400;
    options.seed = 7;
    int64_t last = 0;
    const mnist::TsneProjection a = mnist::tsneProject(x, options, [&](int64_t done, int64_t total) {
        CHECK(total == 400);
        CHECK(done > last);
        last = done;
    });
    CHECK(last == 400);
    CHECK_FALSE(a.stopped);
    CHECK(a.iterations == 400);
    REQUIRE(a.points.sizes() == torch::IntArrayRef({200, 2}));
    CHECK(torch::isfinite(a.points).all().item<bool>());
    CHECK(mnist::knnAccuracy(a.points, labels) > 0.99);
    CHECK(mnist::classSeparation(a.points, labels) > 5.0);

    const mnist::TsneProjection b = mnist::tsneProject(x, options);
    CHECK(torch::equal(a.points, b.points));
    options.seed = 8;
    const mnist::TsneProjection c = mnist::tsneProject(x, options);
    CHECK_FALSE(torch::equal(a.points, c.points));
    CHECK(mnist::knnAccuracy(c.points, labels) > 0.99);
}

TEST_CASE("A stop request stops t-SNE within a step", "[embedding]")
{
    std::vector<int> labels;
    const torch::Tensor x = clusters(3, 20, 4, labels);
    mnist::StopToken stop;
    mnist::TsneOptions options;
    options.perplexity = 10;
    options.iterations = 1000;
    const mnist::TsneProjection t = mnist::tsneProject(
        x, options,
        [&](int64_t done, int64_t) {
            if (done >= 20)
                stop.requestStop();
        },
        &stop);
    CHECK(t.stopped);
    CHECK(t.iterations == 20);
    CHECK(t.points.sizes() == torch::IntArrayRef({60, 2}));
}

TEST_CASE("t-SNE refuses a perplexity the points cannot have", "[embedding]")
{
    mnist::TsneOptions options;
    options.perplexity = 30;
    CHECK_THROWS_WITH(mnist::tsneProject(torch::rand({20, 3}), options), Contains("perplexity"));
    CHECK_THROWS_AS(mnist::tsneProject(torch::rand({3, 3})), mnist::ConfigError);
}

TEST_CASE("The separation scores tell clustered classes from mixed ones", "[embedding]")
{
    std::vector<int> labels;
    const torch::Tensor x = clusters(4, 30, 2, labels);
    CHECK(mnist::knnAccuracy(x, labels) > 0.95);
    CHECK(mnist::classSeparation(x, labels) > 10.0);
    std::vector<int> shuffled(labels.size());
    for (size_t i = 0; i < shuffled.size(); ++i)
        shuffled[i] = static_cast<int>(i % 4);
    CHECK(mnist::knnAccuracy(x, shuffled) < 0.5);
    CHECK(mnist::classSeparation(x, shuffled) < 0.2);
}

TEST_CASE("PCA of a trained network's features separates the test classes better than of an untrained one's",
          "[embedding][pretrained]")
{
    const std::string dir = realMnist();
    if (dir.empty())
        return fixtures::skipTest("no MNIST IDX files (make data fetches them)");
    const auto model = mnist::findPretrainedModel();
    if (!model)
        return fixtures::skipTest("no pretrained model found");
    mnist::TrainConfig config = model->config;
    config.dataDir = dir;
    config.device = "cpu";
    mnist::ProjectionRequest request;
    request.count = 2000;
    std::map<std::string, int64_t> steps;
    const mnist::Projection trained = mnist::projectTestSet(model->weightsPath, config, request,
                                                            [&](const std::string& step, int64_t done, int64_t total) {
                                                                CHECK(total == 2000);
                                                                steps[step] = done;
                                                            });
    CHECK(steps["features"] == 2000);
    REQUIRE(trained.size() == 2000);
    CHECK(trained.images.size() == 2000u * 28 * 28);
    CHECK(trained.explained.size() == 2);
    int wrong = 0;
    for (int64_t i = 0; i < trained.size(); ++i)
        wrong += trained.misclassified(i) ? 1 : 0;
    CHECK(wrong < 20); // the shipped model scores above 99 %

    // The same network with its initial random weights.
    torch::manual_seed(0);
    const auto untrained = mnist::createNetwork(config);
    const mnist::PenultimateFeatures f = mnist::penultimateFeatures(*untrained, config, 2000);
    const torch::Tensor randomPoints = mnist::pcaProject(f.features).points;
    const double randomKnn = mnist::knnAccuracy(randomPoints, f.labels);
    const double randomSeparation = mnist::classSeparation(randomPoints, f.labels);

    const torch::Tensor trainedPoints =
        torch::stack({torch::tensor(trained.x), torch::tensor(trained.y)}, 1);
    const double trainedSeparation = mnist::classSeparation(trainedPoints, trained.labels);
    INFO("kNN accuracy in 2-D: trained " << trained.knnAccuracy << ", untrained " << randomKnn);
    INFO("separation: trained " << trainedSeparation << ", untrained " << randomSeparation);
    CHECK(trained.knnAccuracy > randomKnn + 0.1);
    CHECK(trainedSeparation > 1.5 * randomSeparation);
}

TEST_CASE("A t-SNE projection of the test set asks for few enough images and stops on request", "[embedding][pretrained]")
{
    mnist::TrainConfig config;
    mnist::ProjectionRequest request;
    request.method = mnist::ProjectionMethod::Tsne;
    request.count = mnist::kMaxTsnePoints + 1;
    CHECK_THROWS_WITH(mnist::projectTestSet("no-such.safetensors", config, request), Contains("at most"));
    request.count = 0;
    CHECK_THROWS_WITH(mnist::projectTestSet("no-such.safetensors", config, request), Contains("whole test set"));

    const std::string dir = realMnist();
    if (dir.empty())
        return fixtures::skipTest("no MNIST IDX files (make data fetches them)");
    const auto model = mnist::findPretrainedModel();
    if (!model)
        return fixtures::skipTest("no pretrained model found");
    config = model->config;
    config.dataDir = dir;
    config.device = "cpu";
    request.count = 300;
    request.iterations = 300;
    request.perplexity = 20;
    mnist::StopToken never;
    const mnist::Projection t = mnist::projectTestSet(model->weightsPath, config, request, {}, &never);
    REQUIRE(t.size() == 300);
    CHECK(t.explained.empty());
    CHECK(t.knnAccuracy > 0.75); // the trained features' classes stay apart
    mnist::StopToken stop;
    const mnist::Projection stopped = mnist::projectTestSet(
        model->weightsPath, config, request,
        [&](const std::string& step, int64_t, int64_t) {
            if (step == "t-SNE")
                stop.requestStop();
        },
        &stop);
    CHECK(stopped.stopped);
    CHECK(stopped.size() == 0);
}
