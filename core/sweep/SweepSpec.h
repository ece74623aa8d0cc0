#pragma once
// A sweep: many runs of one base set-up, over a grid and/or random samples of any settings (by
// their JSON keys in the field table), each configuration once per seed. The spec is JSON:
//   {"base": {"recipe": "balanced", "epochs": 4},
//    "grid": {"lr": [0.003, 0.001], "batch_size": [64, 128]},
//    "random": {"trials": 8, "seed": 0, "space": {"lr": {"log_uniform": [1e-4, 1e-2]},
//                                                  "label_smoothing": {"uniform": [0, 0.2]}}},
//    "seeds": [1, 2, 3]}
// The configurations are the grid's points (its cartesian product) and then the random samples
// (drawn from random.seed, default 0), each setting a configuration does not vary keeping the
// base's value; either part may be absent (then the base alone is run once per seed).
// Instead of grid and random, a search: "tpe": {"trials": 40, "startup": 10, "seed": 0,
// "space": {...}} draws each configuration when a trial starts, from the trials ended by then
// (search/Tpe.h); its trials are not planned here but appended to the sweep folder as drawn.
// "pruner": {"type": "asha", "min_epochs": 1, "reduction_factor": 3} or {"type": "median",
// "warmup_epochs": 1} stops trials early (search/Pruners.h), with any sampler.
// A space's distributions: {"uniform" | "log_uniform" | "int_uniform": [low, high]}, {"choice": [values]}.
// No LibTorch in this header.
#include "spec/ConfigFields.h"
#include "spec/TrainConfig.h"
#include "search/Pruners.h"
#include "search/Tpe.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace mnist {

struct SweepTrial {
    int64_t index = 0;     // 0-based; a Slurm array task's or Kubernetes job's index
    int64_t group = 0;     // the configuration: trials that differ only in their seed share it
    nlohmann::json params; // every setting that varies in the sweep, by JSON key ({"batch_size": 64, "lr": 0.003})
    uint64_t seed = 0;
    std::string runName;   // its run folder's name under the sweep folder: "trial-0003"
    TrainConfig config;    // the whole set-up it runs
};

// How configurations are chosen.
struct SweepSearch {
    std::string sampler = "grid"; // "grid", "random", "grid+random" (planned up front) or "tpe" (drawn as trials start)
    search::Space space;          // tpe's distributions
    search::TpeOptions tpe;
    int64_t tpeTrials = 0;        // configurations tpe draws
    uint64_t tpeSeed = 0;
};

// Which trials stop early.
struct SweepPruner {
    std::string type = "none"; // "none", "asha" or "median"
    search::AshaOptions asha;  // maxEpochs: the base's epochs
    search::MedianOptions median;
};

struct SweepPlan {
    nlohmann::json spec;           // as given
    std::vector<std::string> keys; // the settings that vary: the grid's keys, then the random ones not in it, each sorted
    int64_t groups = 0;            // configurations
    std::vector<uint64_t> seeds;
    std::vector<SweepTrial> trials; // group-major: a configuration's seeds are neighbours; tpe: none until drawn
    TrainConfig base;               // what every configuration starts from
    SweepSearch search;
    SweepPruner pruner;
};

// Every problem of a spec, keyed by where it is ("grid.lr", "random.space.lr", "seeds",
// "trial 3: batch size"), before anything runs; empty when it can be planned and every trial's
// set-up is valid.
std::vector<FieldProblem> sweepSpecProblems(const nlohmann::json& spec);

// The trials of a valid spec. Throws ConfigError listing every problem, one per line, each
// prefixed with `file` and its key.
SweepPlan planSweep(const nlohmann::json& spec, const std::string& file = "sweep spec");
// A spec's sampler, pruner, base and seeds, problems ignored and no trials planned: what an
// existing sweep folder (which lists its own trials) reads from its spec on every read.
SweepPlan planSweepSettings(const nlohmann::json& spec);
// Reads a spec file (ConfigError naming the file for unreadable JSON) and plans it.
SweepPlan loadSweepSpec(const std::string& path);

// The trials the plan has once every configuration is drawn: its planned trials, or for tpe its
// draws times the seeds.
int64_t plannedTrialCount(const SweepPlan& plan);

// Appends configuration `params` (values of plan.keys) as a new group, one trial per seed, each
// base + params; returns the problems of its set-up (empty when every trial is valid).
std::vector<FieldProblem> appendConfiguration(SweepPlan& plan, const nlohmann::json& params);

// The next configuration tpe draws for group `group`, from `history` (search/Tpe.h): deterministic
// for the same spec, group number and history.
nlohmann::json drawTpeConfiguration(const SweepPlan& plan, int64_t group, const std::vector<search::Observation>& history);

// The varying settings as a search space, for the importance: tpe's and random's distributions,
// and the grid's values (numbers as a range, log-scaled when they span a decade or more; others
// as choices).
search::Space sweepSpace(const SweepPlan& plan);

// "batch_size=64, lr=0.003": a configuration in words, keys sorted.
std::string describeParams(const nlohmann::json& params);

// Folder name of trial `index`: "trial-0003" (at least four digits, so that names sort by index).
std::string trialRunName(int64_t index);

} // namespace mnist
