#pragma once
// Run folders and weight files made with the core, for the run browser and import tests. The only
// test file that compiles LibTorch headers; the tests themselves see plain declarations.
#include "spec/TrainConfig.h"
#include "train/TrainingObserver.h"

#include "data/TempDir.h"

#include <cstdint>
#include <string>
#include <vector>

namespace uitest {

// A run folder written by the core's RunFolder: config.json, then per epoch one metrics.csv row
// and `iterationsPerEpoch` lr.csv rows (lr = the epoch's lr).
void writeRunFolder(const std::string& dir, const mnist::TrainConfig& config, const std::vector<mnist::EpochMetrics>& epochs,
                    int iterationsPerEpoch = 3);

// Freshly initialised weights of `arch` (seeded), saved with the PyTorch names.
void saveFreshWeights(const std::string& arch, const std::string& path, uint64_t seed = 7);
// The same for the network of a set-up (its arch sized to its data's shape and classes).
void saveFreshWeights(const mnist::TrainConfig& config, const std::string& path, uint64_t seed = 7);

// The core's evaluate() accuracy (percent) of a weights file on the test set of `dataDir`,
// without normalisation.
double coreTestAccuracy(const std::string& arch, const std::string& weights, const std::string& dataDir);

// Epoch metrics with the given test accuracies and valid losses (same length).
std::vector<mnist::EpochMetrics> makeEpochs(const std::vector<double>& testAccuracy, const std::vector<double>& validLoss);

} // namespace uitest

namespace uitest {

// A real checkpoint.pt of `arch` (fresh weights, Adam state) recording `epochs`, in `dir`.
void writeCheckpoint(const std::string& dir, const std::string& arch, const std::vector<mnist::EpochMetrics>& epochs,
                     int64_t iterationsPerEpoch = 3);

// Sizes in bytes of the checkpoint.pt and best.safetensors a run of `arch` with Adam writes.
struct RunFileSizes {
    uint64_t checkpoint = 0;
    uint64_t bestWeights = 0;
};
RunFileSizes runFileSizes(const std::string& arch);

// The epoch of a checkpoint after loading it fully into a fresh network and optimizer; throws
// when it does not load.
int64_t loadCheckpointEpoch(const std::string& path, const std::string& arch);

} // namespace uitest

namespace uitest {

// A pretrained-model folder (run/PretrainedModel.h) holding tiny.json and tiny.safetensors: fresh
// LeNet weights recorded as trained on `config`'s data; $MNIST_STUDIO_MODELS_DIR points at it while
// the object lives (the tests' main points it at an empty folder otherwise).
struct PretrainedFixture {
    TempDir dir;
    std::string previous;
    explicit PretrainedFixture(const mnist::TrainConfig& config);
    ~PretrainedFixture();
};

} // namespace uitest
