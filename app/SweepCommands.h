#pragma once
// mnist-train's sweep commands: --sweep (here, N trials at a time, each a mnist-train process of
// its own; or written for Slurm / Kubernetes as workers), --sweep-worker (what each cluster task
// runs: the same loop, one trial at a time), --sweep-task (one trial, with the pruner's say after
// each epoch), --sweep-summary. Each returns the exit code and throws what the core throws.
#include "train/StopToken.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

struct SweepRequest {
    std::string specPath;
    std::string outDir;
    int jobs = 0;            // trials at once; 0: the cores' worth (one on a GPU)
    // The machine's settings given on the command line, by JSON key (FieldScope::Machine): every
    // new trial's, over the spec's. "threads" is each trial's thread count (absent: the cores
    // shared out between the jobs); an absent "data_dir" is found as for a run.
    nlohmann::json machine = nlohmann::json::object();
    bool slurm = false;      // write DIR/sweep.sbatch and submit it with sbatch
    bool kubernetes = false; // write DIR/sweep-job.yaml (an Indexed Job) to apply with kubectl
    bool dryRun = false;     // write the scheduler's file, submit nothing
    std::string sbatchArgs;  // extra sbatch options, split at spaces
    std::string image = "mnist-studio:latest"; // Kubernetes: the container image with mnist-train
    std::string claim = "mnist-sweeps";        // Kubernetes: the volume claim holding the sweep folder
    std::string self;        // this program's path, for the trials' processes and the job scripts
};

int sweepCommand(const SweepRequest& request, mnist::StopToken& stop);
// A worker of the sweep in `dir` (what each Slurm array task runs): claims and runs its trials one
// at a time, in processes of `self`, until the search is over.
int sweepWorkerCommand(const std::string& dir, const std::string& self, const nlohmann::json& machine, mnist::StopToken& stop);
// Trains trial `index` of the sweep in `dir`: skipped when finished, resumed when begun; with the
// machine's settings given (by JSON key, FieldScope::Machine) over the trial's.
int sweepTaskCommand(const std::string& dir, int64_t index, const nlohmann::json& machine, mnist::StopToken& stop);
// Prints the per-configuration summary (a table, or JSON); with `csvPath` also writes it as CSV.
int sweepSummaryCommand(const std::string& dir, bool json, const std::string& csvPath);
