#pragma once
// One figure of several runs pooled per epoch: the mean curve and min-max band that the Sweeps tab
// draws over a configuration's seeds and the Runs tab over a group of runs.
#include "sweep/SweepSummary.h"
#include "train/TrainingObserver.h"

#include <cstdint>
#include <vector>

namespace mnist {

struct EpochBand {
    int64_t epoch = 0;
    Spread spread; // over the runs that reached this epoch: spread.n may fall as epochs go on
};

// Per epoch number, in increasing order, the spread of `figure` (e.g. &EpochMetrics::testAccuracy)
// over every run of `runs` that has that epoch. A run that stopped early leaves the later epochs'
// figures to the others rather than ending the curve: the Sweeps tab's seeds pool the same way.
// Non-finite values are left out; an epoch with none at all is left out too. Null entries are skipped.
std::vector<EpochBand> epochBands(const std::vector<const std::vector<EpochMetrics>*>& runs,
                                  double EpochMetrics::*figure);

} // namespace mnist
