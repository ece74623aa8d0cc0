#pragma once
// Everything that defines a training run. The GUI, the CLI and run folders (config.json) all use it.
#include "spec/AugmentConfig.h"
#include "spec/SchedulerConfig.h"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace mnist {

struct TrainConfig {
    std::string dataset = "mnist"; // mnist | fashion-mnist | idx (a folder given in dataDir)
    std::string dataDir;           // folder with the four IDX files; empty: data/<dataset>
    double trainFraction = 0.8;    // train = first 80% of the training file, valid = the rest

    std::string arch = "LeNet";
    // A JSON network spec (spec/NetworkSpec.h) to train instead of `arch`, which then holds the
    // spec's name for lists and folder names. A run folder's own arch.json replaces it when the
    // run is read back (loadRunConfig()).
    std::string archFile;
    int64_t epochs = 10;
    int64_t batchSize = 100;
    // Valid/test batches. Not "as large as possible": on a 2-core EPYC, LeNetBN evaluated 22,000
    // images in 0.9 s with batches of 50-200 and in 2.5 s with 1,000 (the activations of a large
    // batch no longer fit the caches). A GPU is as quick with 200 for these networks.
    int64_t evalBatchSize = 200;
    double lr = 1e-2;

    std::string optimizer = "adam"; // adam | adamw | sgd (PyTorch defaults otherwise)
    double momentum = 0.9;          // sgd only
    bool nesterov = false;          // sgd only; needs momentum > 0
    double weightDecay = 0.0;       // adamw: decoupled (PyTorch's default 0.01 is not applied)
    // CrossEntropyLoss(label_smoothing=...) for the training and the valid loss, as one PyTorch
    // criterion would be. The plain cross-entropy of a smoothed model keeps rising late in a run
    // (it is rewarded for less confident outputs): measured, SimpleNet 15 epochs with 0.1 had its
    // lowest plain valid loss at epoch 6 (99.62% test) and ended at 99.79%.
    double labelSmoothing = 0.0;
    // Exponential moving average of the weights (and BatchNorm statistics), updated after every
    // optimizer step as torch.optim.swa_utils.AveragedModel with get_ema_multi_avg_fn(decay) and
    // use_buffers=True does: avg += (1 - decay) * (w - avg), the first update a copy. When on, the
    // valid loss, test accuracy, best.safetensors and the returned model are the average's; the
    // training loss is the live model's. 0: off. Typical: 0.999 (about 1,000 iterations).
    double emaDecay = 0.0;
    // Early stopping on the valid loss (train/EarlyStopping.h): the run ends, finished, once this
    // many epochs in a row have not lowered the best valid loss by more than earlyStopMinDelta.
    // 0: off, every epoch is trained.
    int64_t earlyStopPatience = 0;
    double earlyStopMinDelta = 0.0;

    SchedulerConfig scheduler;
    AugmentConfig augment; // training batches only; Normalize applies to every split

    uint64_t seed = 1234;
    int threads = 0;             // 0: all cores
    std::string device = "auto"; // auto | cpu | cuda | cuda:N
    bool shuffle = false;        // the notebook did not shuffle
    // Layout of the conv weights, and so of the activations, while training: auto | contiguous |
    // channels-last. auto is channels-last on the CPU (14-35% faster, see Trainer.cpp) and
    // contiguous on a GPU. Saved weights and the returned model are contiguous either way.
    std::string memoryFormat = "auto";

    // Every problem, in words; empty when the config can be run.
    std::vector<std::string> validate() const;
};

void to_json(nlohmann::json& j, const TrainConfig& c);
// Throws ConfigError for a wrong type or an unknown key (a typo must not be silently ignored).
void from_json(const nlohmann::json& j, TrainConfig& c);

std::string toJsonText(const TrainConfig& c);
TrainConfig trainConfigFromJsonText(const std::string& text);
// Reads a config file; throws ConfigError naming the file and the problem.
TrainConfig loadTrainConfig(const std::string& path);
void saveTrainConfig(const TrainConfig& c, const std::string& path);

// validate() as one message, or nothing; used to refuse a run.
void throwIfInvalid(const TrainConfig& c);

} // namespace mnist
