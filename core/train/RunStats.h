#pragma once
// The figures a run is judged by, from its finished epochs: written once here for the trainer's
// TrainResult and the run index's RunRecord. Plain std types, no LibTorch: the GUI may use it too.
#include "train/TrainingObserver.h"

#include <cstdint>
#include <vector>

namespace mnist {

struct RunStats {
    int64_t bestEpoch = 0;              // the epoch with the highest test accuracy (the first such)
    double bestTestAccuracy = 0;        // its test accuracy: the notebook's metric
    int64_t bestValidEpoch = 0;         // the epoch with the lowest valid loss (the first such)
    double testAccuracyAtBestValid = 0; // its test accuracy: the honest metric
    double bestValidLoss = 0;           // its valid loss (what a checkpoint keeps to go on comparing)
    double finalTestAccuracy = 0;       // the last epoch's test accuracy
    double seconds = 0;                 // sum of the epochs' wall times
};

// Epoch numbers are reported as the list holds them; nothing is looked up by epoch number, so any
// list is safe. A NaN valid loss never counts as the lowest (nor a NaN accuracy as the highest)
// unless every epoch has one, when the first epoch is taken. All zero for no epochs.
RunStats computeRunStats(const std::vector<EpochMetrics>& epochs);

} // namespace mnist
