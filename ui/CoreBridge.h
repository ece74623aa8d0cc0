#pragma once
// The core calls the GUI needs whose headers pull in LibTorch, behind plain declarations. Every
// UI file but CoreBridge.cpp and TrainingWorker.cpp then compiles without LibTorch headers,
// which costs tens of seconds per file on a small machine.
#include "augment/AugmentConfig.h"
#include "train/TrainConfig.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mnist {
struct Dataset;
}

namespace studio {

// One architecture of the registry, with what the set-up panel shows about it.
struct ArchitectureSummary {
    std::string name;
    std::string description;
    int64_t parameters = 0;
    std::string layers; // PyTorch-style module tree, e.g. "LeNet(\n  (block1): Sequential(..."
};

// The registry's architectures in the notebook's order; each network is built once, on the
// first call, to count its parameters.
const std::vector<ArchitectureSummary>& architectureSummaries();

// "cpu" and one "cuda:N" per CUDA device present.
std::vector<std::string> deviceNames();

// The core's iterations of one epoch (a last batch of one image is skipped).
int64_t iterationsPerEpoch(int64_t trainSize, int64_t batchSize);

// Training images a config's run uses, assuming a 60,000-image training file (MNIST and
// Fashion-MNIST): floor(60000 * trainFraction).
int64_t nominalTrainSize(const mnist::TrainConfig& config);

// The folder a run of `config` reads (the core's resolveDataDir).
std::string dataFolderFor(const mnist::TrainConfig& config);

// A person-readable explanation of why a dataset folder could not be read, with what to do.
std::string explainDataProblem(const mnist::TrainConfig& config, const std::string& coreMessage);

// The training file of a dataset folder, read once (uint8 images in memory). Throws
// mnist::DataError naming the folder and what is missing.
std::shared_ptr<const mnist::Dataset> loadTrainingImages(const std::string& folder);
int64_t imageCount(const mnist::Dataset& images);

// One augmented sample for the preview panel; images are rows x cols floats, row-major.
struct PreviewImage {
    int64_t index = 0;
    int64_t label = 0;
    int rows = 28, cols = 28;
    std::vector<float> original;  // [0, 1]
    std::vector<float> augmented; // after every transform, Normalize included when on
    float originalMin = 0, originalMax = 0;
    float augmentedMin = 0, augmentedMax = 0;
};

// The core's previewAugmentation() for `indices`, seeded with `seed`. Throws what it throws
// (DataError for an index out of range, ConfigError for an invalid augmentation).
std::vector<PreviewImage> previewImages(const mnist::Dataset& images, const std::vector<int64_t>& indices,
                                        const mnist::AugmentConfig& augment, uint64_t seed);

} // namespace studio
