#include "train/Ensemble.h"

#include "run/RunFolder.h"
#include "run/RunLayout.h"

#include "Error.h"
#include "augment/BatchAugmenter.h"
#include "data/Dataset.h"
#include "formats/StateDict.h"
#include "models/MemoryLayout.h"
#include "models/ModelRegistry.h"
#include "train/Device.h"
#include "train/Trainer.h"

#include <torch/torch.h>

namespace mnist {

EnsembleResult evaluateEnsemble(const std::vector<std::string>& runDirs, const std::string& dataDir, const std::string& device)
{
    if (runDirs.empty())
        throw ConfigError("an ensemble needs at least one run folder");
    std::vector<TrainConfig> configs;
    for (const auto& dir : runDirs)
        configs.push_back(loadRunConfig(dir));
    for (size_t k = 1; k < configs.size(); ++k)
        if (configs[k].dataset != configs[0].dataset)
            throw ConfigError(runDirs[k] + " was trained on " + configs[k].dataset + ", " + runDirs[0] + " on " +
                              configs[0].dataset + ": an ensemble needs one dataset");
    for (size_t k = 1; k < configs.size(); ++k)
        if (configs[k].data != configs[0].data)
            throw ConfigError(runDirs[k] + " and " + runDirs[0] + " were trained on data of different shapes or classes");
    TrainConfig dataConfig = configs.front();
    if (!dataDir.empty())
        dataConfig.dataDir = dataDir;
    const DataSplits data = loadData(dataConfig);
    if (data.shape != dataConfig.data)
        throw DataError(resolveDataDir(dataConfig) + " is not the data " + runDirs[0] + " was trained on");
    const Dataset& test = data.test;
    const int64_t classes = dataConfig.data.classCount();
    const torch::Device dev = resolveDevice(device);
    const torch::Tensor raw = imagesToInput(test.images, dev);
    const torch::Tensor labels = test.labels.to(dev);

    EnsembleResult result;
    result.testSize = test.size();
    torch::NoGradGuard noGrad;
    torch::Tensor sum = torch::zeros({test.size(), classes}, torch::TensorOptions().device(dev));
    for (size_t k = 0; k < runDirs.size(); ++k) {
        const TrainConfig& c = configs[k];
        const auto model = createNetwork(c);
        loadWeights(*model, RunLayout(runDirs[k]).modelWeights());
        model->to(dev);
        model->eval();
        const ChannelsLastScope layout(*model, dev);
        const torch::Tensor x = BatchAugmenter(c.augment).normalize(raw);
        torch::Tensor probs = torch::empty({test.size(), classes}, torch::TensorOptions().device(dev));
        for (int64_t start = 0; start < test.size(); start += 1000) {
            const int64_t len = std::min<int64_t>(1000, test.size() - start);
            probs.narrow(0, start, len).copy_(torch::softmax(model->forward(x.narrow(0, start, len)), 1));
        }
        sum += probs;
        const double acc = 100.0 * probs.argmax(1).eq(labels).sum().item<double>() / static_cast<double>(test.size());
        result.members.push_back({runDirs[k], c.arch, acc});
    }
    result.testAccuracy = 100.0 * sum.argmax(1).eq(labels).sum().item<double>() / static_cast<double>(test.size());
    return result;
}

} // namespace mnist
