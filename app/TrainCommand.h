#pragma once
// mnist-train's training: one run, recorded into a run folder (new or resumed), reported on the
// console. Shared by a plain `mnist-train` and a sweep's `--sweep-task`.
#include "train/StopToken.h"
#include "spec/TrainConfig.h"

#include <functional>
#include <string>

namespace mnist {
struct EpochMetrics;
}

struct TrainRequest {
    mnist::TrainConfig config;
    std::string outDir;    // the new run folder; empty: a unique one under the default runs folder
    std::string resumeDir; // continue this run folder from its checkpoint instead
    bool noSave = false;   // record nothing
    bool json = false;     // a JSON summary on stdout, the epoch lines on stderr
    std::string onnxPath;  // also export the trained model as ONNX; empty: no
    // Called after each epoch is recorded (its metrics row and checkpoint written); false stops the
    // run there, as a stop request at that epoch's end would (a sweep's pruner).
    std::function<bool(const mnist::EpochMetrics&)> afterEpoch;
};

// Trains as asked; Ctrl-C (`stop`) ends it after saving what was trained. Returns the exit code:
// 0 done, 130 stopped. Throws what the core throws (ConfigError, DataError, IoError, ...).
int trainCommand(TrainRequest request, mnist::StopToken& stop);

// Installs the SIGINT handler that asks `stop` to stop (a second Ctrl-C ends the process at once),
// or puts the default back.
void catchInterrupts(mnist::StopToken* stop);
