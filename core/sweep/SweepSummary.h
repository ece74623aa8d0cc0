#pragma once
// A sweep's results per configuration, seeds pooled: how many runs, how many finished, and the
// mean, sample standard deviation, minimum and maximum of each figure over the finished ones.
#include "search/SearchSpace.h"
#include "sweep/SweepFolder.h"

#include <nlohmann/json.hpp>

#include <limits>
#include <map>
#include <string>
#include <vector>

namespace mnist {

struct Spread {
    int64_t n = 0; // values pooled; the others are 0 when n is 0
    double mean = 0;
    double std = 0; // sample standard deviation (n - 1); 0 for one value
    double min = 0, max = 0;
};
Spread spreadOf(const std::vector<double>& values);

struct SweepGroup {
    int64_t group = 0;
    nlohmann::json params; // the settings that vary
    int64_t runs = 0, finished = 0;
    std::vector<std::string> runDirs; // every trial's run folder, seed order
    Spread testAccAtBestValid, bestTestAcc, finalTestAcc, seconds;
};

// One trial as a search sees it: how far it trained, its valid loss per epoch, and its objective.
struct TrialResult {
    int64_t index = 0, group = 0;
    std::string name;       // its run folder's name: "trial-0003"
    nlohmann::json params;  // the settings that vary
    uint64_t seed = 0;
    std::string state;      // finished, pruned, diverged, running, planned or failed
    std::string message;    // why it failed, paused or diverged (a damaged run folder: what is wrong, naming the file)
    int64_t epochs = 0;     // epochs trained
    int64_t maxEpochs = 0;  // epochs it would train unpruned
    std::vector<double> validLoss; // per epoch trained (a diverged trial's last one may be NaN or inf)
    // The valid loss of its last epoch; +inf when diverged; NaN when it has no epoch yet.
    double objective = std::numeric_limits<double>::quiet_NaN();
    // Seconds from the sweep's start to the end of its last epoch; NaN without an epoch.
    double finishedAt = std::numeric_limits<double>::quiet_NaN();
};

struct SweepSummary {
    std::string dir;
    std::vector<std::string> keys;
    int64_t trials = 0, finished = 0;
    std::vector<SweepGroup> groups; // best first: highest mean honest accuracy; groups without a finished run last
    std::vector<TrialResult> trialResults;     // every trial, index order
    std::string sampler;                       // "grid", "random", "grid+random" or "tpe"
    std::string pruner;                        // "none", "asha" or "median"
    std::vector<int64_t> rungs;                // ASHA's rungs (epochs); empty otherwise
    std::map<std::string, double> importance;  // per varying setting, shares summing to 1; empty when unknown
};

// Whether the sweep searches (TPE draws its configurations, or a pruner stops trials early): what
// the trial list, the importance and the search's charts are for.
bool isSearch(const SweepSummary& summary);

// Each trial's result from a sweep already read, index order.
std::vector<TrialResult> trialResults(const SweepReading& sweep);
// What the sampler and the importance learn from: the finished, pruned and diverged trials.
std::vector<search::Observation> trialObservations(const std::vector<TrialResult>& results);

// Reads the sweep folder and every trial's run folder (refreshing sweep.json's states). Throws
// IoError for a missing or damaged sweep.json; a damaged run counts as not finished.
SweepSummary summarizeSweep(const std::string& dir);
// The same from a sweep already read (readSweep), without reading anything again.
SweepSummary summarizeSweep(const SweepReading& sweep);

// {"dir", "trials", "finished", "keys", "groups": [{"params", "runs", "finished",
//  "test_acc_at_best_valid": {"mean", "std", "min", "max"}, "best_test_acc", "final_test_acc",
//  "seconds", "run_dirs"}], "sampler", "pruner", "rungs",
//  "trials": [{"name", "state", "epochs", "params", "seed", "objective", "message" when there is one}],
//  "importance": {key: share}};
// a figure is null when no run of its group finished, an objective null when the trial has none
// (JSON has no infinity: a diverged trial's objective is null, its state says why).
// "trials" was the trial count before version 2 of this summary: that is "trial_count" now.
nlohmann::json sweepSummaryJson(const SweepSummary& summary);
// The same as a text table, one row per configuration.
std::string sweepSummaryTable(const SweepSummary& summary);
// One row per configuration: the varying settings as columns, then runs, finished and each figure's
// mean, std, min and max. Throws IoError naming the file when it cannot be written.
void writeSweepSummaryCsv(const SweepSummary& summary, const std::string& path);

} // namespace mnist
