#pragma once
// Many run folders made quickly, for the run index's scale test and its benchmark (bench/make-runs):
// config.json, metrics.csv and summary.json in the formats readRun() reads (written with the core's
// own config writer and the metrics header it shares with RunFolder), each finished run with
// `epochs` epochs; some runs grouped as a sweep's trials (SWEEP/sweep.json beside trial-NNNN). No
// weights: the index never reads them, only whether model.safetensors exists.
#include "run/RunFiles.h"
#include "run/RunLayout.h"
#include "spec/TrainConfig.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace fixtures {

struct GeneratedRuns {
    int runs = 2000;          // every run folder, the sweeps' trials included
    int sweeps = 10;          // of them, sweeps x trialsPerSweep are trials
    int trialsPerSweep = 20;
    int epochs = 10;
    // Files dated an hour back, as a folder of past runs is: the index does not cache a file
    // written in the last seconds (its time's grain could hide a second write).
    bool past = true;
};

// Writes one run folder at `dir`; `index` varies its figures.
inline void writeGeneratedRun(const std::string& dir, int index, int epochs, bool past = true)
{
    namespace fs = std::filesystem;
    fs::create_directories(dir);
    const mnist::RunLayout run(dir);
    mnist::TrainConfig c;
    c.arch = index % 2 == 0 ? "LeNet" : "LeNetBN";
    c.epochs = epochs;
    c.lr = 0.001 * (1 + index % 7);
    c.seed = static_cast<uint64_t>(index);
    std::ofstream(run.config()) << mnist::toJsonText(c);
    std::ofstream metrics(run.metrics());
    metrics << mnist::kMetricsCsvHeader << '\n';
    double best = 0;
    int bestEpoch = 0;
    char row[200];
    for (int e = 1; e <= epochs; ++e) {
        const double acc = 97.0 + 2.0 * e / epochs + 0.01 * (index % 50);
        if (acc > best)
            best = acc, bestEpoch = e;
        std::snprintf(row, sizeof row, "%d,%.6f,%.6f,%.2f,%.6g,%.3f,%.1f\n", e, 0.5 / e, 0.4 / e + 0.001 * (index % 5), acc,
                      c.lr, 3.5, 17000.0 + index);
        metrics << row;
    }
    std::snprintf(row, sizeof row,
                  R"({"arch": "%s", "best_test_acc": %.2f, "best_epoch": %d, "test_acc_at_best_valid": %.2f, )"
                  R"("best_valid_epoch": %d, "final_test_acc": %.2f, "stopped": false, "epochs": [)",
                  c.arch.c_str(), best, bestEpoch, best, bestEpoch, best);
    std::string summary = row;
    for (int e = 1; e <= epochs; ++e)
        summary += e == 1 ? "{}" : ", {}";
    std::ofstream(run.summary()) << summary << "]}\n";
    metrics.close();
    if (past)
        for (const std::string& file : {run.config(), run.metrics(), run.summary()})
            fs::last_write_time(file, fs::file_time_type::clock::now() - std::chrono::hours(1));
}

// `options.runs` run folders under `runsDir`: the plain ones named yyyymmdd-hhmmss-ARCH as the
// trainer names them, the trials in sweep-NN/trial-NNNN.
inline void writeGeneratedRuns(const std::string& runsDir, const GeneratedRuns& options = {})
{
    namespace fs = std::filesystem;
    int index = 0;
    char name[64];
    for (int s = 0; s < options.sweeps; ++s) {
        std::snprintf(name, sizeof name, "sweep-%02d", s);
        const fs::path sweep = fs::path(runsDir) / name;
        fs::create_directories(sweep);
        // Only its presence makes a sweep folder for the index; the sweep's own readers are not involved.
        std::ofstream(sweep / mnist::kSweepFile) << "{}\n";
        for (int t = 0; t < options.trialsPerSweep && index < options.runs; ++t, ++index) {
            std::snprintf(name, sizeof name, "trial-%04d", t);
            writeGeneratedRun((sweep / name).string(), index, options.epochs, options.past);
        }
    }
    for (; index < options.runs; ++index) {
        // One run a minute from 2026-01-01 00:00, so that names are unique and sort by time.
        const int minutes = index;
        std::snprintf(name, sizeof name, "202601%02d-%02d%02d00-run%d", 1 + minutes / 1440, minutes / 60 % 24, minutes % 60, index);
        writeGeneratedRun((fs::path(runsDir) / name).string(), index, options.epochs, options.past);
    }
}

} // namespace fixtures
