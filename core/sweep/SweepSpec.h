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
// No LibTorch in this header.
#include "spec/ConfigFields.h"
#include "spec/TrainConfig.h"

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

struct SweepPlan {
    nlohmann::json spec;           // as given
    std::vector<std::string> keys; // the settings that vary: the grid's keys, then the random ones not in it, each sorted
    int64_t groups = 0;            // configurations
    std::vector<uint64_t> seeds;
    std::vector<SweepTrial> trials; // group-major: a configuration's seeds are neighbours
};

// Every problem of a spec, keyed by where it is ("grid.lr", "random.space.lr", "seeds",
// "trial 3: batch size"), before anything runs; empty when it can be planned and every trial's
// set-up is valid.
std::vector<FieldProblem> sweepSpecProblems(const nlohmann::json& spec);

// The trials of a valid spec. Throws ConfigError listing every problem, one per line, each
// prefixed with `file` and its key.
SweepPlan planSweep(const nlohmann::json& spec, const std::string& file = "sweep spec");
// Reads a spec file (ConfigError naming the file for unreadable JSON) and plans it.
SweepPlan loadSweepSpec(const std::string& path);

// "batch_size=64, lr=0.003": a configuration in words, keys sorted.
std::string describeParams(const nlohmann::json& params);

// Folder name of trial `index`: "trial-0003" (at least four digits, so that names sort by index).
std::string trialRunName(int64_t index);

} // namespace mnist
