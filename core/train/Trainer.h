#pragma once
// The training engine: the notebook's train_test_MNIST on in-memory tensors. Synchronous and
// thread-agnostic; all LibTorch calls of a run happen on the calling thread.
#include "data/DataLocations.h" // resolveDataDir(), which callers of the trainer use
#include "data/Dataset.h"
#include "train/EarlyStopping.h"
#include "models/Network.h"
#include "train/Predictions.h"
#include "train/RunStats.h"
#include "train/StopToken.h"
#include "spec/TrainConfig.h"
#include "train/TrainingObserver.h"

#include <memory>

namespace mnist {

struct TrainResult {
    std::vector<EpochMetrics> epochs;
    std::vector<double> lrPerIteration; // LR used at every iteration (the notebook's monitor_lr)
    RunStats stats;                      // computeRunStats() of `epochs`; all zero when no epoch finished
    double trainImagesPerSecond = 0;     // over all finished epochs
    bool stopped = false;                // stopped on request before the last epoch ended
    EarlyStop earlyStop;                 // where early stopping ended the run (a finished run); epoch 0: it did not
    std::shared_ptr<Network> model;      // the trained network (on the training device)
    RunInfo info;
};

// Iterations of one epoch: ceil(trainSize / batchSize), except that a last batch of a single image
// is skipped (BatchNorm1d cannot train on one sample).
int64_t iterationsPerEpoch(int64_t trainSize, int64_t batchSize);

class BatchAugmenter;

// The images and labels of training iteration `it`: batches of `batchSize` in the split's order, or
// in `order` (a permutation of the rows) when it is defined; augmented and normalised by
// `augmenter` when given (the split then holds unnormalised [0, 1] images). The trainer's and the
// LR range test's batches.
struct TrainingBatch {
    torch::Tensor x, y;
};
TrainingBatch trainingBatch(const torch::Tensor& images, const torch::Tensor& labels, const torch::Tensor& order, int64_t it,
                            int64_t batchSize, const BatchAugmenter* augmenter);

class Trainer {
public:
    // Validates the config (ConfigError listing every problem) and resolves the device.
    explicit Trainer(TrainConfig config);

    // Trains on `data`. Throws TrainingError on a NaN/Inf loss (naming epoch and iteration),
    // ConfigError for a bad config. A stop request ends the run within one iteration; the result
    // then holds the epochs that finished.
    TrainResult run(const DataSplits& data, TrainingObserver& observer, const StopToken& stop);

    const TrainConfig& config() const { return m_config; }

    // Writes checkpoint.pt (every finished epoch) and best.safetensors (weights at the lowest valid
    // loss, PyTorch names) into `runDir`.
    void setCheckpointDir(std::string runDir) { m_checkpointDir = std::move(runDir); }

    // Continues from a checkpoint.pt: the epochs it holds are reported again through the result (not
    // the observer) and training goes on from the next one. With the same config on the CPU the
    // final metrics equal those of an uninterrupted run.
    void setResumeCheckpoint(std::string path) { m_resumePath = std::move(path); }

private:
    TrainConfig m_config;
    std::string m_checkpointDir;
    std::string m_resumePath;
};

// Mean loss and accuracy (percent) of `model` over a split, in eval mode without gradients.
struct Evaluation {
    double meanLoss = 0;
    double accuracy = 0;
};
// Per-image results of an evaluation, on the CPU: argmax of the logits (int64, N) and the softmax
// probabilities (float, N x classes).
struct PerImageOutputs {
    torch::Tensor predicted;
    torch::Tensor probabilities;
};
// `perImage`, when given, receives every image's prediction from the same forward passes. The loss is
// cross-entropy with `labelSmoothing`, so a run's valid loss uses its training criterion.
Evaluation evaluate(Network& model, const torch::Tensor& images, const torch::Tensor& labels, int64_t batchSize,
                    PerImageOutputs* perImage = nullptr, double labelSmoothing = 0.0);
// The evaluation views' struct from per-image outputs, the labels and the raw uint8 images
// (N x rows x cols). Throws DataError for a label outside 0..classes-1.
TestPredictions makeTestPredictions(const PerImageOutputs& outputs, const torch::Tensor& labels, const torch::Tensor& images);
// DataError, naming the folder and both shapes, unless `data` is the data config's model was
// trained on (config.data: image shape and classes).
void requireModelData(const DataSplits& data, const TrainConfig& config);
// predictTestSet() for a network already loaded (left on config.device).
TestPredictions predictTestSet(Network& net, const TrainConfig& config);


// uint8 [N,H,W] -> float [N,1,H,W] in [0,1] on `device`.
torch::Tensor imagesToInput(const torch::Tensor& images, const torch::Device& device);
// augmenter.normalize(imagesToInput(images, device)), the same values in one pass on the CPU.
torch::Tensor normalizedInput(const torch::Tensor& images, const torch::Device& device, const BatchAugmenter& augmenter);

} // namespace mnist
