#include "ListRuns.h"

#include "run/RunIndex.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

int listRunsCommand(const std::string& runsDir, bool json)
{
    const std::vector<mnist::RunRecord> runs = mnist::listRuns(runsDir);
    if (json) {
        nlohmann::json rows = nlohmann::json::array();
        for (const auto& r : runs) {
            nlohmann::json row = {{"name", r.name},
                                  {"dir", r.dir},
                                  {"state", mnist::runStateName(r.state)},
                                  {"arch", r.damaged ? "" : r.config.arch},
                                  {"epochs_done", r.epochs.size()},
                                  {"epochs_planned", r.damaged ? 0 : r.config.epochs}};
            if (!r.damaged && !r.epochs.empty())
                row.update({{"best_test_acc", r.stats.bestTestAccuracy},
                            {"best_epoch", r.stats.bestEpoch},
                            {"test_acc_at_best_valid", r.stats.testAccuracyAtBestValid},
                            {"best_valid_epoch", r.stats.bestValidEpoch},
                            {"final_test_acc", r.stats.finalTestAccuracy}});
            if (r.damaged)
                row["problem"] = r.problem;
            rows.push_back(row);
        }
        std::cout << nlohmann::json{{"runs_dir", runsDir}, {"runs", rows}}.dump(2) << std::endl;
        return 0;
    }
    if (runs.empty()) {
        std::printf("no runs in %s\n", runsDir.c_str());
        return 0;
    }
    std::printf("%-36s %-12s %-9s %9s %8s %8s %8s\n", "run", "arch", "state", "epochs", "best", "honest", "final");
    for (const auto& r : runs) {
        if (r.damaged) {
            std::printf("%-36s %-12s %-9s  %s\n", r.name.c_str(), "", "damaged", r.problem.c_str());
            continue;
        }
        const std::string epochs = std::to_string(r.epochs.size()) + "/" + std::to_string(r.config.epochs);
        if (r.epochs.empty())
            std::printf("%-36s %-12s %-9s %9s %8s %8s %8s\n", r.name.c_str(), r.config.arch.c_str(),
                        mnist::runStateName(r.state), epochs.c_str(), "-", "-", "-");
        else
            std::printf("%-36s %-12s %-9s %9s %7.2f%% %7.2f%% %7.2f%%\n", r.name.c_str(), r.config.arch.c_str(),
                        mnist::runStateName(r.state), epochs.c_str(), r.stats.bestTestAccuracy, r.stats.testAccuracyAtBestValid,
                        r.stats.finalTestAccuracy);
    }
    std::printf("best: the notebook's metric (highest test accuracy of any epoch); honest: at the lowest valid loss; "
                "final: the last epoch\n");
    return 0;
}
