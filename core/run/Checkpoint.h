#pragma once
// A run's last finished epoch, enough to continue it exactly: model, optimizer state, global step,
// the CPU random generator's state and the metrics so far. Written atomically (temporary file +
// rename), so a crash leaves the previous checkpoint intact.
#include "models/Network.h"
#include "train/WeightAverage.h"
#include "train/GradScaler.h"
#include "train/TrainingObserver.h"

#include <torch/optim/optimizer.h>

#include <string>
#include <vector>

namespace mnist {

struct CheckpointState {
    int64_t epoch = 0;  // epochs finished (1-based count)
    int64_t step = 0;   // iterations finished over the run
    std::vector<EpochMetrics> metrics;
    double bestValidLoss = 0;
    int64_t bestValidEpoch = 0; // 0: none yet
    // The precision the run trained in ("fp32", "bf16", "fp16"; empty in checkpoints from before
    // the setting existed, which trained in fp32) and, for fp16, its loss scaler: a resumed run
    // goes on as the uninterrupted one would.
    std::string precision;
    GradScalerState scaler;
};

// `average`, when given, is saved too (a run with an EMA of its weights).
void saveCheckpoint(const std::string& path, const Network& model, const torch::optim::Optimizer& optimizer,
                    const CheckpointState& state, const WeightAverage* average = nullptr);

// Restores model, optimizer, the CPU generator and, when given, the weight average; returns the
// saved state. Throws IoError naming the file when it is missing, damaged, of another architecture,
// or holds no average where one is asked for.
CheckpointState loadCheckpoint(const std::string& path, Network& model, torch::optim::Optimizer& optimizer,
                               WeightAverage* average = nullptr);

// Epochs, step and metrics of a checkpoint, without loading any weights (e.g. to restore a run
// folder's CSV files before resuming).
CheckpointState readCheckpointSummary(const std::string& path);

// What the run index can afford for every run it lists: the archive's index (every entry within
// the file) and its data.pkl (CRC-checked), not the tensors, whose CRCs loadCheckpoint() checks
// when the run resumes. A file cut short, emptied or not an archive throws IoError naming it.
// Loading it all (readCheckpointSummary()) was most of a listing's time (docs/benchmarks.md).
void checkCheckpointArchive(const std::string& path);

} // namespace mnist
