#include "sweep/JobScripts.h"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace mnist {
namespace {

std::vector<int64_t> workerIndices(const ClusterJob& job)
{
    std::vector<int64_t> all;
    for (int64_t i = 0; i < std::max<int64_t>(1, job.workers); ++i)
        all.push_back(i);
    return all;
}

// A Kubernetes object name: lower case letters, digits and '-', at most 52 characters (a Job's
// name also names its pods).
std::string kubernetesName(const std::string& dir)
{
    std::string base = dir;
    while (!base.empty() && base.back() == '/')
        base.pop_back();
    base = base.substr(base.find_last_of('/') + 1);
    std::string name = "mnist-sweep-";
    for (char c : base) {
        const char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        name += (std::isalnum(static_cast<unsigned char>(l)) ? l : '-');
    }
    name = name.substr(0, 52);
    while (name.back() == '-')
        name.pop_back();
    return name;
}

} // namespace

std::string shellQuote(const std::string& word)
{
    const bool plain = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || std::string("_./=:-").find(c) != std::string::npos;
    });
    if (plain)
        return word;
    std::string q = "'";
    for (char c : word)
        q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

std::string slurmArraySpec(const std::vector<int64_t>& indices, int64_t parallel)
{
    std::vector<int64_t> sorted = indices;
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    std::ostringstream out;
    for (size_t i = 0; i < sorted.size();) {
        size_t j = i;
        while (j + 1 < sorted.size() && sorted[j + 1] == sorted[j] + 1)
            ++j;
        out << (i ? "," : "") << sorted[i];
        if (j > i)
            out << "-" << sorted[j];
        i = j + 1;
    }
    if (parallel > 0)
        out << "%" << parallel;
    return out.str();
}

std::string slurmArrayScript(const SweepFolder& sweep, const ClusterJob& job)
{
    std::ostringstream s;
    s << "#!/bin/bash\n"
      << "# Written by mnist-train --sweep ... --slurm: " << job.workers << " workers sharing the search in " << sweep.dir << ".\n"
      << "# Submit again at any time: finished trials are kept, interrupted ones resume, the search goes on.\n"
      << "#SBATCH --job-name=mnist-sweep\n"
      << "#SBATCH --array=" << slurmArraySpec(workerIndices(job), 0) << "\n"
      << "#SBATCH --ntasks=1\n"
      << "#SBATCH --cpus-per-task=" << std::max(1, job.threads) << "\n"
      << "#SBATCH --output=" << sweep.dir << "/logs/slurm-%A_%a.out\n"
      << "set -euo pipefail\n"
      << "exec " << shellQuote(job.mnistTrain) << " --sweep-worker " << shellQuote(sweep.dir)
      << " --threads \"${SLURM_CPUS_PER_TASK:-" << std::max(1, job.threads) << "}\"\n";
    return s.str();
}

std::string kubernetesIndexedJob(const SweepFolder& sweep, const ClusterJob& job, const std::string& image, const std::string& claim)
{
    const int64_t completions = std::max<int64_t>(1, job.workers);
    const int threads = std::max(1, job.threads);
    std::ostringstream y;
    y << "# Written by mnist-train --sweep ... --kubernetes: " << completions << " workers sharing the search in " << sweep.dir << ".\n"
      << "# kubectl apply -f this file. The sweep folder must be on the volume (claim " << claim
      << "), mounted at the same path.\n"
      << "apiVersion: batch/v1\n"
      << "kind: Job\n"
      << "metadata:\n"
      << "  name: " << kubernetesName(sweep.dir) << "\n"
      << "spec:\n"
      << "  completionMode: Indexed\n"
      << "  completions: " << completions << "\n"
      << "  parallelism: " << completions << "\n"
      << "  backoffLimitPerIndex: 2\n"
      << "  maxFailedIndexes: " << completions << "\n"
      << "  template:\n"
      << "    spec:\n"
      << "      restartPolicy: Never\n"
      << "      containers:\n"
      << "        - name: worker\n"
      << "          image: " << image << "\n"
      << "          command: [\"sh\", \"-c\", \"exec " << job.mnistTrain << " --sweep-worker " << sweep.dir
      << " --threads " << threads << "\"]\n"
      << "          resources:\n"
      << "            requests:\n"
      << "              cpu: \"" << threads << "\"\n"
      << "          volumeMounts:\n"
      << "            - name: sweep\n"
      << "              mountPath: " << sweep.dir << "\n"
      << "      volumes:\n"
      << "        - name: sweep\n"
      << "          persistentVolumeClaim:\n"
      << "            claimName: " << claim << "\n";
    return y.str();
}

} // namespace mnist
