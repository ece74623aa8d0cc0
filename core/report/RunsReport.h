#pragma once
// The HTML report of run folders, end to end: what mnist-train --report and the window's File ▸
// Export report… both call. Plain std types: the window includes it without LibTorch.
#include "spec/TrainConfig.h"

#include <optional>
#include <string>
#include <vector>

namespace mnist {

struct RunsReportRequest {
    std::vector<std::string> runDirs; // in the report's order
    std::string outPath;              // the .html file
    // The machine's settings the predictions are computed with (device, threads, evaluation batch;
    // spec/MachineSettings.h); data_dir only when it is not empty, else each run's own.
    std::optional<TrainConfig> machine;
    std::string version;              // the program's, for the footer
};

struct RunsReportResult {
    std::string path;               // where it was written
    std::vector<std::string> notes; // per run, what the report lacks and why ("RUN: no weights ...")
};

// Reads every run (RunIndex's readRun()), evaluates the weights of each readable one on its test
// set (predictTestSet(), the weights RunLayout::weightsToUse() names) for the confusion matrix and
// the misclassified images, adds its projection (reportScatter()) and writes the report
// atomically (writeHtmlReport()).
// A folder that does not exist or is not a run folder throws IoError naming it, and nothing is
// written: a mistyped name should not give a report without the run. A damaged run, a run without
// weights yet, or one whose test set cannot be evaluated (data missing, weights damaged) is still
// in the report with what could be read, the reason said there and in `notes`.
RunsReportResult writeRunsReport(const RunsReportRequest& request);

// Where the report is made, in words: the CPU model, its cores, the LibTorch version and the GPU
// when there is one.
std::string reportMachineText();

} // namespace mnist
