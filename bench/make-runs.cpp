// bench/make-runs RUNS_DIR [RUNS [SWEEPS [TRIALS [EPOCHS]]]]: writes generated run folders for
// bench/run-index.sh (tests/data/GeneratedRuns.h), each with what a real run also holds and the
// index looks at: the network's arch.json, a checkpoint.pt and model.safetensors, written once per
// architecture by the core's own writers (untrained weights; their values do not matter here) and
// copied into every run of that architecture.
#include "data/GeneratedRuns.h"

#include "optim/OptimizerFactory.h"
#include "models/ModelRegistry.h"
#include "run/Checkpoint.h"
#include "run/RunFolder.h"
#include "run/RunIndex.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>

namespace fs = std::filesystem;

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s RUNS_DIR [RUNS [SWEEPS [TRIALS_PER_SWEEP [EPOCHS]]]]\n", argv[0]);
        return 2;
    }
    fixtures::GeneratedRuns options;
    if (argc > 2)
        options.runs = std::atoi(argv[2]);
    if (argc > 3)
        options.sweeps = std::atoi(argv[3]);
    if (argc > 4)
        options.trialsPerSweep = std::atoi(argv[4]);
    if (argc > 5)
        options.epochs = std::atoi(argv[5]);
    const std::string runsDir = argv[1];
    fixtures::writeGeneratedRuns(runsDir, options);

    const std::string templates = runsDir + ".templates";
    std::map<std::string, std::string> templateOf; // arch -> its template run folder
    int copied = 0;
    for (const mnist::RunRecord& r : mnist::listRuns(runsDir, "")) {
        auto it = templateOf.find(r.config.arch);
        if (it == templateOf.end()) {
            const std::string dir = templates + "/" + r.config.arch;
            fs::remove_all(dir);
            mnist::RunFolder folder(dir, r.config);
            const auto net = mnist::createNetwork(r.config);
            const auto optimizer = mnist::makeOptimizer(r.config, net->parameters());
            mnist::CheckpointState state;
            state.epoch = options.epochs;
            state.metrics = r.epochs;
            mnist::saveCheckpoint(mnist::RunLayout(dir).checkpoint(), *net, *optimizer, state);
            folder.writeModel(*net);
            it = templateOf.emplace(r.config.arch, dir).first;
        }
        const mnist::RunLayout from(it->second), to(r.dir);
        for (const auto& [source, target] : {std::pair{from.arch(), to.arch()}, std::pair{from.checkpoint(), to.checkpoint()},
                                             std::pair{from.modelWeights(), to.modelWeights()}}) {
            fs::copy_file(source, target, fs::copy_options::overwrite_existing);
            fs::last_write_time(target, fs::file_time_type::clock::now() - std::chrono::hours(1));
        }
        ++copied;
    }
    fs::remove_all(templates);
    std::printf("wrote %d run folders (%d sweeps of %d trials, %d epochs each, with arch.json, checkpoint.pt and "
                "model.safetensors) in %s\n",
                copied, options.sweeps, options.trialsPerSweep, options.epochs, runsDir.c_str());
    return 0;
}
