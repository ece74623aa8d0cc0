#pragma once
// A sweep for a cluster's scheduler: a Slurm job array or a Kubernetes Indexed Job of W workers.
// Each runs `mnist-train --sweep-worker DIR`, the same loop as a local sweep's: it claims trials
// from the shared sweep folder under its lock (sweep/SweepScheduler.h) until the search is over,
// so that TPE draws and ASHA promotes across the cluster as it does here. We write the
// scheduler's files; the scheduler places the workers.
#include "sweep/SweepFolder.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mnist {

struct ClusterJob {
    std::string mnistTrain;       // absolute path of mnist-train as the cluster's nodes see it
    int threads = 1;              // CPU threads per task (Slurm: --cpus-per-task)
    int64_t workers = 1;          // workers (array tasks, completion indexes), each running one trial at a time
};

// Slurm's --array value: "0-3,7,9-10%2" (ranges of consecutive indices, then the throttle).
std::string slurmArraySpec(const std::vector<int64_t>& indices, int64_t parallel);

// The text of DIR/sweep.sbatch: #SBATCH lines (name, array 0..workers-1, cpus, output into
// DIR/logs), then one exec of mnist-train --sweep-worker DIR. Extra sbatch options (partition,
// --gres=gpu:1, time) belong on the sbatch command line, which overrides the file's lines.
std::string slurmArrayScript(const SweepFolder& sweep, const ClusterJob& job);

// The text of DIR/sweep-job.yaml: a batch/v1 Job with completionMode Indexed, completions and
// parallelism = the workers, a container of `image` running --sweep-worker, and the sweep folder
// mounted from the PersistentVolumeClaim `claim` at the same path.
std::string kubernetesIndexedJob(const SweepFolder& sweep, const ClusterJob& job, const std::string& image,
                                 const std::string& claim);

// A word safe in a shell command: quoted when it holds anything but [A-Za-z0-9_./=:-].
std::string shellQuote(const std::string& word);

} // namespace mnist
