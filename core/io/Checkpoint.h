#pragma once
// A run's last finished epoch, enough to continue it exactly: model, optimizer state, global step,
// the CPU random generator's state and the metrics so far. Written atomically (temporary file +
// rename), so a crash leaves the previous checkpoint intact.
#include "models/Network.h"
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
};

void saveCheckpoint(const std::string& path, const Network& model, const torch::optim::Optimizer& optimizer,
                    const CheckpointState& state);

// Restores model, optimizer and the CPU generator; returns the saved state. Throws IoError naming
// the file when it is missing, damaged or of another architecture.
CheckpointState loadCheckpoint(const std::string& path, Network& model, torch::optim::Optimizer& optimizer);

// Epochs, step and metrics of a checkpoint, without loading any weights (e.g. to restore a run
// folder's CSV files before resuming).
CheckpointState readCheckpointSummary(const std::string& path);

} // namespace mnist
