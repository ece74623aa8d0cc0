#pragma once
// What a run reports while it trains. Plain structs, so the UI can use them without LibTorch.
#include "train/Predictions.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mnist {

// One training iteration.
struct IterationPoint {
    int64_t step = 0;      // 0-based over the whole run
    int64_t epoch = 0;     // 1-based
    int64_t iteration = 0; // 0-based within the epoch
    double lr = 0;         // LR this iteration trained with
    double loss = 0;       // mean cross-entropy of the batch
};

// One finished epoch (the notebook's train_test_MNIST statistics).
struct EpochMetrics {
    int64_t epoch = 0;           // 1-based
    double trainLoss = 0;        // mean of the epoch's batch losses
    double validLoss = 0;        // mean cross-entropy over the valid split
    double testAccuracy = 0;     // percent, 0..100
    double lr = 0;               // LR of the epoch's last iteration
    double seconds = 0;          // wall time of the epoch, evaluation included
    double imagesPerSecond = 0;  // training images per second (evaluation excluded)
};

// Fixed facts of a run, known when it starts.
struct RunInfo {
    std::string device;           // "cpu", "cuda:0"
    int threads = 1;
    std::string memoryFormat;    // the activations' layout: "channels-last" or "contiguous"
    std::string memoryFormatWhy; // that layout and how it was chosen, in words (LayoutCalibration.h)
    std::string precision = "fp32"; // what the forward pass computed in: "fp32", "bf16" or "fp16"
    std::string precisionWhy;       // that precision and how it was chosen, in words (Precision.h)
    bool precisionEmulated = false; // bf16 on a CPU without bf16 instructions: many times slower than fp32
    int64_t parameterCount = 0;
    int64_t trainSize = 0, validSize = 0, testSize = 0;
    int64_t iterationsPerEpoch = 0;
    int64_t epochs = 0;
};

// One layer's parameters after an epoch (layers.csv; issue: "a look inside the network"). A layer
// is a module that owns parameters, named by its state_dict prefix ("0.0", "res1.body.3", "fc").
struct LayerStat {
    std::string layer;
    int64_t parameters = 0;
    double weightNorm = 0; // L2 norm of all its parameters at the end of the epoch
    double gradNorm = 0;   // mean over the epoch's sampled iterations of its gradients' L2 norm
    double weightMin = 0, weightMax = 0; // of its "weight" tensor (its only tensor when it has no weight)
    std::vector<int64_t> histogram;      // that tensor's values in kLayerHistogramBins equal bins over [min, max]
};
inline constexpr int kLayerHistogramBins = 30;

struct EpochLayerStats {
    int64_t epoch = 0;
    std::vector<LayerStat> layers; // in state_dict order
};

// Receives a run's events on the thread that runs it. Every method may be left as is.
class TrainingObserver {
public:
    virtual ~TrainingObserver() = default;
    virtual void onRunStarted(const RunInfo&) {}
    // Called for every iteration, in order. On CUDA points arrive in small bursts (reading the loss
    // back every iteration would stall the GPU).
    virtual void onIteration(const IterationPoint&) {}
    virtual void onEpoch(const EpochMetrics&) {}
    // Observers that show per-image results (the GUI's confusion matrix and gallery) return true:
    // the trainer then keeps the test pass's predictions, which costs a copy of the test set per
    // epoch, and calls onTestPredictions() just before onEpoch().
    virtual bool wantsTestPredictions() const { return false; }
    virtual void onTestPredictions(int64_t /*epoch*/, const TestPredictions&) {}
    // Every epoch, just before onEpoch() (and after onTestPredictions()).
    virtual void onLayerStats(const EpochLayerStats&) {}
};

} // namespace mnist
