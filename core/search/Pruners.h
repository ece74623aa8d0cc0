#pragma once
// Pruners: whether a trial goes on after an epoch, from every trial's valid loss per epoch.
// ASHA (asynchronous successive halving, Li et al. 2020) and the median rule (Optuna's
// MedianPruner). Plain std: the sweep folder turns trial folders into TrialCurves.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace mnist::search {

struct TrialCurve {
    std::vector<double> validLoss; // epoch 1.. as far as it has trained (NaN/inf: diverged there)
    bool paused = false;           // stopped by the pruner and not resumed since (ASHA may promote it)
    bool finished = false;         // trained every epoch
};

struct AshaOptions {
    int64_t minEpochs = 1;       // r: the first rung
    int64_t reductionFactor = 3; // eta: the top 1/eta of a rung goes on
    int64_t maxEpochs = 1;       // the trials' epochs: rungs stop below it
};

// The rungs: r, r*eta, r*eta^2, ... below maxEpochs (ascending).
std::vector<int64_t> ashaRungs(const AshaOptions& options);

// The trials that reached `epoch`, and where `trial` ranks among them by its loss there (ties by
// index; non-finite losses last). Used by both rules. The rank counts from 0 (the best); -1 when
// `trial` did not reach `epoch`. `reached` (may be null) gets how many did.
int64_t rankAtEpoch(const std::vector<TrialCurve>& trials, size_t trial, int64_t epoch, int64_t* reached);

// After `trial` finished epoch `epoch` (its curve holds it): false when it must pause there, that
// is when `epoch` is a rung and the trial is not in the top floor(n / eta) of the n trials that
// reached that rung (itself included). True at any other epoch.
bool ashaContinues(const AshaOptions& options, const std::vector<TrialCurve>& trials, size_t trial, int64_t epoch);

// The paused trial to resume now, or -1: from the highest rung down, a paused trial (its curve
// ends at that rung) whose rank there is within floor(n / eta); the best such one. `draining`:
// no new trial can start and none is running, so a rung whose floor(n / eta) is 0 still promotes
// its best trial when that one is paused (otherwise a small search could end with nothing trained
// to the end). A trial whose loss at the rung is not finite is never promoted (it diverged).
int64_t ashaPromotion(const AshaOptions& options, const std::vector<TrialCurve>& trials, bool draining);

struct MedianOptions {
    int64_t warmupEpochs = 0;  // never prune at epochs <= this
    int64_t startupTrials = 5; // never prune until this many other trials reached the epoch
};

// After `trial` finished `epoch`: true when its loss there is worse than the median of the other
// trials' losses at that epoch (those that reached it).
bool medianPrunes(const MedianOptions& options, const std::vector<TrialCurve>& trials, size_t trial, int64_t epoch);

} // namespace mnist::search
