#pragma once
// Everything that defines a training run. The GUI, the CLI and run folders (config.json) all use it.
#include "spec/AugmentConfig.h"
#include "spec/SchedulerConfig.h"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace mnist {

// What a run's images are: one image's C x H x W and the class names, in label order. Not a
// setting: the data loader fills it in from the images (applyDataShape() of data/Dataset.h), a run
// folder's config.json keeps it ("data", written only when it is not MNIST's), and the built-in
// networks take their input and classifier size from it (spec/Architectures.h).
struct DataShape {
    int64_t channels = 1;
    int64_t height = 28;
    int64_t width = 28;
    std::vector<std::string> classes{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};

    std::vector<int64_t> input() const { return {channels, height, width}; }
    int64_t classCount() const { return static_cast<int64_t>(classes.size()); }
    bool operator==(const DataShape& o) const
    {
        return channels == o.channels && height == o.height && width == o.width && classes == o.classes;
    }
    bool operator!=(const DataShape& o) const { return !(*this == o); }
};

struct TrainConfig {
    // mnist | fashion-mnist | idx | folder | csv | emnist | kmnist | qmnist (data/DataSource.h)
    std::string dataset = "mnist";
    std::string dataDir;           // the folder (or CSV file) of the data; empty: data/<dataset>
    double trainFraction = 0.8;    // train = first 80% of the training file, valid = the rest
    // Resize every image to this size: "" (every image must have the same size), "N" or "HxW".
    std::string imageSize;
    DataShape data;

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
    // Arithmetic of the forward pass: fp32 | bf16 | fp16 | auto (train/Precision.h). fp32, the
    // default, reproduces PyTorch's plain path bit for bit.
    std::string precision = "fp32";

    // Every problem, in words; empty when the config can be run.
    std::vector<std::string> validate() const;
};

// image_size's text as a size: "" gives 0 x 0 (no resize), "N" N x N, "HxW" H x W; false for
// anything else or a side outside 1..4096.
bool parseImageSize(const std::string& text, int64_t& height, int64_t& width);

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
