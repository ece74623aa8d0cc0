#include "RunFixtures.h"

#include "data/Dataset.h"
#include "run/Checkpoint.h"
#include "run/PretrainedModel.h"
#include "run/RunFolder.h"
#include "formats/StateDict.h"
#include "models/ModelRegistry.h"
#include "train/Trainer.h"

#include <torch/torch.h>

#include <cstdlib>
#include <filesystem>
#include <unistd.h>

namespace uitest {

void writeRunFolder(const std::string& dir, const mnist::TrainConfig& config, const std::vector<mnist::EpochMetrics>& epochs,
                    int iterationsPerEpoch)
{
    mnist::RunFolder folder(dir, config);
    int64_t step = 0;
    for (const auto& m : epochs) {
        std::vector<mnist::IterationPoint> points;
        for (int i = 0; i < iterationsPerEpoch; ++i, ++step)
            points.push_back({step, m.epoch, i, m.lr, 1.0});
        folder.appendEpoch(m, points);
    }
}

void saveFreshWeights(const std::string& arch, const std::string& path, uint64_t seed)
{
    torch::manual_seed(seed);
    const auto net = mnist::createNetwork(arch);
    mnist::saveWeights(*net, path);
}

void saveFreshWeights(const mnist::TrainConfig& config, const std::string& path, uint64_t seed)
{
    torch::manual_seed(seed);
    const auto net = mnist::createNetwork(config);
    mnist::saveWeights(*net, path);
}

double coreTestAccuracy(const std::string& arch, const std::string& weights, const std::string& dataDir)
{
    const auto net = mnist::createNetwork(arch);
    mnist::loadWeights(*net, weights);
    const mnist::Dataset test = mnist::loadIdxFolder(dataDir, false);
    const torch::Device cpu(torch::kCPU);
    return mnist::evaluate(*net, mnist::imagesToInput(test.images, cpu), test.labels, 64).accuracy;
}

std::vector<mnist::EpochMetrics> makeEpochs(const std::vector<double>& testAccuracy, const std::vector<double>& validLoss)
{
    std::vector<mnist::EpochMetrics> out;
    for (std::size_t i = 0; i < testAccuracy.size(); ++i) {
        mnist::EpochMetrics m;
        m.epoch = static_cast<int64_t>(i + 1);
        m.trainLoss = 0.5 / static_cast<double>(i + 1);
        m.validLoss = validLoss[i];
        m.testAccuracy = testAccuracy[i];
        m.lr = 1e-3 / static_cast<double>(i + 1);
        m.seconds = 10;
        m.imagesPerSecond = 1000;
        out.push_back(m);
    }
    return out;
}

void writeCheckpoint(const std::string& dir, const std::string& arch, const std::vector<mnist::EpochMetrics>& epochs,
                     int64_t iterationsPerEpoch)
{
    const auto net = mnist::createNetwork(arch);
    torch::optim::Adam adam(net->parameters(), 1e-3);
    const auto n = static_cast<int64_t>(epochs.size());
    mnist::saveCheckpoint(dir + "/checkpoint.pt", *net, adam, {n, n * iterationsPerEpoch, epochs, 0.0, 0});
}

RunFileSizes runFileSizes(const std::string& arch)
{
    const std::string base = std::filesystem::temp_directory_path().string() + "/mnist-studio-sizes-" + std::to_string(::getpid());
    const auto net = mnist::createNetwork(arch);
    torch::optim::Adam adam(net->parameters(), 1e-3);
    // Adam's state exists only after a step; a checkpoint written mid-run holds it.
    net->zero_grad();
    net->forward(torch::zeros({2, 1, 28, 28})).sum().backward();
    adam.step();
    mnist::saveCheckpoint(base + ".pt", *net, adam, {1, 1, {}, 0.0, 0});
    mnist::saveWeights(*net, base + ".safetensors");
    RunFileSizes sizes{std::filesystem::file_size(base + ".pt"), std::filesystem::file_size(base + ".safetensors")};
    std::filesystem::remove(base + ".pt");
    std::filesystem::remove(base + ".safetensors");
    return sizes;
}

int64_t loadCheckpointEpoch(const std::string& path, const std::string& arch)
{
    const auto net = mnist::createNetwork(arch);
    torch::optim::Adam adam(net->parameters(), 1e-3);
    return mnist::loadCheckpoint(path, *net, adam).epoch;
}

} // namespace uitest

namespace uitest {

PretrainedFixture::PretrainedFixture(const mnist::TrainConfig& config)
{
    mnist::PretrainedModel m;
    m.name = "tiny";
    m.config = config;
    m.config.arch = "LeNet";
    m.seed = m.config.seed;
    m.epoch = 1;
    m.epochRule = "the epoch with the lowest valid loss";
    m.validLoss = 2.3;
    m.testCorrect = 1;
    m.testTotal = 10;
    m.testAccuracy = 10;
    m.weightsPath = dir.file("tiny.safetensors");
    saveFreshWeights("LeNet", m.weightsPath, 11);
    mnist::writePretrainedRecord(m, dir.file("tiny.json"));
    if (const char* before = std::getenv("MNIST_STUDIO_MODELS_DIR"))
        previous = before;
    ::setenv("MNIST_STUDIO_MODELS_DIR", dir.path().string().c_str(), 1);
}

PretrainedFixture::~PretrainedFixture()
{
    if (previous.empty())
        ::unsetenv("MNIST_STUDIO_MODELS_DIR");
    else
        ::setenv("MNIST_STUDIO_MODELS_DIR", previous.c_str(), 1);
}

} // namespace uitest
