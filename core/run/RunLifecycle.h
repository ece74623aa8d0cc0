#pragma once
// A run folder's life, the same for mnist-train and the window: a new folder with a unique name,
// the rules for resuming one, and what every run writes when it ends (the model and summary.json).
#include "run/Checkpoint.h"
#include "run/RunFolder.h"

#include <nlohmann/json_fwd.hpp>

#include <memory>
#include <string>
#include <vector>

namespace mnist {

class Trainer;
struct TrainResult;

// runsDir/defaultRunName(arch), or with "-2", "-3", ... appended when that folder exists.
std::string uniqueRunDir(const std::string& runsDir, const std::string& arch);

// How a recorded run goes on: from its checkpoint, or (killed in its first epoch, before any
// checkpoint) from the start in the same folder.
struct ResumePlan {
    std::string dir;
    bool fromCheckpoint = false;
    CheckpointState saved;              // what the checkpoint holds; empty without one
    std::vector<double> lrPerIteration; // the LR of every iteration the checkpoint covers
    std::string message;                // what is about to happen, for the user
};

// Checks that the run in `runDir` can continue with `config` (its config.json, possibly with more
// epochs, another device, thread count or data folder) on a training set of `trainSize` images.
// Throws ConfigError saying why not: the run finished all its epochs (and wrote its model and
// summary.json) or early stopping, with `config`'s patience, ends it where it is; the checkpoint
// does not fit this data, or one-cycle would have to change length.
ResumePlan planResume(const std::string& runDir, const TrainConfig& config, int64_t trainSize);

// Opens the folder for a run and points `trainer` at it: a new one (config.json written, the CSV
// files started), or a resumed one (config.json rewritten, the CSV files cut back to the checkpoint).
std::unique_ptr<RunFolder> startRecording(const std::string& dir, const TrainConfig& config, Trainer& trainer);
std::unique_ptr<RunFolder> resumeRecording(const ResumePlan& plan, const TrainConfig& config, Trainer& trainer);

// What summary.json holds: the settings' architecture, best / honest / final accuracy, whether it
// was stopped, where early stopping ended it ("early_stop", only when it did), and every epoch's metrics.
nlohmann::json runSummaryJson(const TrainConfig& config, const TrainResult& result, const std::string& runDir);

// The end of a recorded run: model.safetensors and model.pt (when an epoch finished) and summary.json.
void finishRecording(RunFolder& folder, const TrainConfig& config, const TrainResult& result);

} // namespace mnist
