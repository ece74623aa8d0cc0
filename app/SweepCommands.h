#pragma once
// mnist-train's sweep commands: --sweep (here, N trials at a time, each a mnist-train process of
// its own; or written for Slurm / Kubernetes), --sweep-task (one trial, what every runner runs),
// --sweep-summary. Each returns the exit code and throws what the core throws.
#include "train/StopToken.h"

#include <cstdint>
#include <string>

struct SweepRequest {
    std::string specPath;
    std::string outDir;
    int jobs = 0;            // trials at once; 0: the cores' worth (one on a GPU)
    int threads = 0;         // threads per trial; 0: the cores shared out between the jobs
    std::string dataDir;     // every trial's data folder; empty: as the spec says, else found as for a run
    std::string device;      // every trial's device; empty: as the spec says
    bool slurm = false;      // write DIR/sweep.sbatch and submit it with sbatch
    bool kubernetes = false; // write DIR/sweep-job.yaml (an Indexed Job) to apply with kubectl
    bool dryRun = false;     // write the scheduler's file, submit nothing
    std::string sbatchArgs;  // extra sbatch options, split at spaces
    std::string image = "mnist-studio:latest"; // Kubernetes: the container image with mnist-train
    std::string claim = "mnist-sweeps";        // Kubernetes: the volume claim holding the sweep folder
    std::string self;        // this program's path, for the trials' processes and the job scripts
};

int sweepCommand(const SweepRequest& request, mnist::StopToken& stop);
// Trains trial `index` of the sweep in `dir`: skipped when finished, resumed when begun.
int sweepTaskCommand(const std::string& dir, int64_t index, int threads, mnist::StopToken& stop);
// Prints the per-configuration summary (a table, or JSON); with `csvPath` also writes it as CSV.
int sweepSummaryCommand(const std::string& dir, bool json, const std::string& csvPath);
