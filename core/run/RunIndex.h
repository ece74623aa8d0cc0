#pragma once
// Reading run folders back: for the GUI's run browser, comparisons and CSV exports. A damaged run
// is reported as such and never stops the others from being read. The files' readers are in
// run/RunFiles.h.
#include "train/RunStats.h"
#include "spec/TrainConfig.h"
#include "train/TrainingObserver.h"

#include <string>
#include <vector>

namespace mnist {

// finished: summary.json says it ran all its epochs; stopped: it ended early on request (it can
// be resumed); running: no summary.json yet (training now, or killed: resume it); damaged:
// unreadable, or finished without a single epoch in metrics.csv.
enum class RunState { Finished, Stopped, Running, Damaged };
const char* runStateName(RunState state);

struct RunRecord {
    std::string dir;           // the run folder
    std::string name;          // its folder name, e.g. 20261127-101500-LeNet
    bool damaged = false;      // config.json, metrics.csv or checkpoint.pt unreadable
    std::string problem;       // why, in words, when damaged
    TrainConfig config;
    std::vector<EpochMetrics> epochs;
    RunStats stats;            // computeRunStats() of the epochs
    RunState state = RunState::Running;
    bool finished = false;     // model.safetensors written (the run ended)
    bool resumable = false;    // a checkpoint exists and epochs remain
    std::string group;         // a sweep's trial: the sweep folder's name; empty for a run of its own
    std::string note;          // the user's note and tags (notes.json, run/RunNotes.h)
    std::vector<std::string> tags;
    std::string notesProblem;  // why notes.json cannot be read; never makes the run damaged
};

// Reads one run folder; never throws (a problem marks the record damaged).
RunRecord readRun(const std::string& dir);

// Every sub-folder of `runsDir` that is a run folder (RunLayout::isRunFolder()), and the trials of
// every sweep folder there (one holding sweep.json), each trial's `group` its sweep's name. Newest
// first: runs and sweeps by name, descending; a sweep's trials together, in trial order. Runs whose
// files are unchanged since the last listing come from the index cache (run/RunIndexCache.h) at
// defaultRunIndexCachePath(runsDir), which the listing then updates; the records are the same as
// without it.
std::vector<RunRecord> listRuns(const std::string& runsDir);
// The same with the cache file `cachePath`; none when empty.
std::vector<RunRecord> listRuns(const std::string& runsDir, const std::string& cachePath);

// All epochs of several runs in one CSV: run,epoch,train_loss,valid_loss,test_acc,lr,seconds,images_per_s.
void writeRunsCsv(const std::string& path, const std::vector<RunRecord>& runs);

} // namespace mnist
