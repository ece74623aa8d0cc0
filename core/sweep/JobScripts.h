#pragma once
// A sweep for a cluster's scheduler: a Slurm job array (one array task per trial) or a Kubernetes
// Indexed Job (one completion index per trial). Each task runs
// `mnist-train --sweep-task DIR --index I`, which trains (or resumes, or skips) that one trial in
// the shared sweep folder. We write the scheduler's files; the scheduler does the scheduling.
#include "sweep/SweepFolder.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mnist {

struct ClusterJob {
    std::string mnistTrain;       // absolute path of mnist-train as the cluster's nodes see it
    int threads = 1;              // CPU threads per task (Slurm: --cpus-per-task)
    int64_t parallel = 0;         // at most this many tasks at once (Slurm's %N, Kubernetes' parallelism); 0: no limit
    std::vector<int64_t> indices; // the trials to run; empty: every trial
};

// Slurm's --array value: "0-3,7,9-10%2" (ranges of consecutive indices, then the throttle).
std::string slurmArraySpec(const std::vector<int64_t>& indices, int64_t parallel);

// The text of DIR/sweep.sbatch: #SBATCH lines (name, array, cpus, output into DIR/logs), then one
// exec of mnist-train --sweep-task for $SLURM_ARRAY_TASK_ID. Extra sbatch options (partition,
// --gres=gpu:1, time) belong on the sbatch command line, which overrides the file's lines.
std::string slurmArrayScript(const SweepFolder& sweep, const ClusterJob& job);

// The text of DIR/sweep-job.yaml: a batch/v1 Job with completionMode Indexed, completions = the
// trial count (every index: a finished trial's pod exits at once), parallelism, a container of `image` running --sweep-task for $JOB_COMPLETION_INDEX,
// and the sweep folder mounted from the PersistentVolumeClaim `claim` at the same path.
std::string kubernetesIndexedJob(const SweepFolder& sweep, const ClusterJob& job, const std::string& image,
                                 const std::string& claim);

// A word safe in a shell command: quoted when it holds anything but [A-Za-z0-9_./=:-].
std::string shellQuote(const std::string& word);

} // namespace mnist
