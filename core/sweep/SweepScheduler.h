#pragma once
// The search's decisions, made from the sweep folder alone under its lock (SweepLock.h), so that
// any number of workers (this machine's --jobs slots, Slurm tasks on a cluster) share one search:
// which trial a free slot runs next (a paused trial ASHA promotes, one to resume, a planned one,
// or a configuration TPE draws now from the trials ended so far), and after each epoch whether a
// trial goes on or the pruner pauses it.
#include "sweep/SweepLock.h"
#include "sweep/SweepSummary.h"

#include <cstdint>
#include <set>
#include <string>

namespace mnist {

struct TrialClaim {
    int64_t index = -1;      // the trial to run; -1: none can start now
    std::string why;         // "new", "resumed", "promoted at epoch 3", "drawn by TPE"
    TrialLease lease;        // held while the trial runs: keep it until its process ends
    bool searchOver = false; // none now and none to come: nothing runs and nothing is left
};

// Claims the next trial for a free slot and marks it running in sweep.json: a paused trial ASHA
// promotes first, then a trial to resume (interrupted, stopped, failed), then a planned one, then
// a configuration TPE draws (appended to the sweep as one trial per seed). `skip`: trials this
// worker saw fail, not tried again by it. Throws IoError for an unreadable sweep folder.
TrialClaim claimNextTrial(const std::string& dir, const std::set<int64_t>& skip = {});

// After trial `index` recorded epoch `epoch` in its run folder: whether it goes on. A pruned trial
// is marked pruned in sweep.json in the same step (so that the next decision counts it), and
// `why` says so ("paused at rung 3: 5th of 7 ..."). Never prunes the last epoch.
struct EpochDecision {
    bool goOn = true;
    std::string why;
};
EpochDecision decideAfterEpoch(const std::string& dir, int64_t index, int64_t epoch);

// Records how a trial's process ended (Diverged, Failed with its message), under the lock; a
// trial whose run folder already says more (finished, pruned) keeps that.
void recordTrialEnd(const std::string& dir, int64_t index, const TrialStatus& status);

// The pruners' view of the trials (search/Pruners.h).
std::vector<search::TrialCurve> trialCurves(const std::vector<TrialResult>& results);

} // namespace mnist
