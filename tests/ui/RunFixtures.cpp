#include "RunFixtures.h"

#include "data/Dataset.h"
#include "io/RunFolder.h"
#include "io/StateDict.h"
#include "models/ModelRegistry.h"
#include "train/Trainer.h"

#include <torch/torch.h>

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

} // namespace uitest
