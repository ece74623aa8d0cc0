#pragma once
// A sweep's folder: sweep.json (the spec, and every trial's settings, seed, run folder and last
// known state) and one run folder per trial (trial-0000, ...). The run folders are the truth: a
// trial is finished when its run folder says so, whoever ran it (this machine, a Slurm task); the
// state in sweep.json is what the last writer saw, plus what only a runner knows (a failure).
#include "run/RunIndex.h"
#include "sweep/SweepSpec.h"

#include <string>
#include <vector>

namespace mnist {

class SweepLock;

enum class TrialState {
    Pending,     // no run folder yet
    Running,     // a runner started it and has not seen it end (sweep.json only)
    Interrupted, // a run folder without summary.json: killed or stopped mid-epoch; resumed from its checkpoint
    Stopped,     // ended early on request; resumed from its checkpoint
    Finished,    // summary.json: every epoch ran
    Failed,      // the runner saw it fail (the message says why); run again, it resumes
    Damaged,     // its run folder cannot be read
    Pruned,      // paused by the pruner at an epoch's end (its checkpoint kept; ASHA may promote it)
    Diverged,    // its loss became NaN or infinite: a result (the worst objective), never retried
};
const char* trialStateName(TrialState state);

struct TrialStatus {
    TrialState state = TrialState::Pending;
    std::string message; // a failure's or damage's cause; empty otherwise
    int64_t epochs = 0;  // Failed, Pruned, Diverged: the epochs its run folder held then (the state
                         // stands until the folder shows more)
};

struct SweepFolder {
    std::string dir;
    SweepPlan plan;
    std::vector<TrialStatus> status; // one per trial, as sweep.json holds it
    double created = 0;              // when the sweep folder was made, seconds since the Unix epoch
};

// "DIR/sweep.json".
std::string sweepJsonPath(const std::string& dir);
std::string trialDir(const SweepFolder& sweep, const SweepTrial& trial);

// The machine's settings, the same for every trial: `dataDir` and `device` when given, and the
// data folder made absolute (found as for a run when not given), so that a task started anywhere
// (a cluster node, another working folder) finds it. Returns whether any trial asks for a GPU.
// Throws ConfigError when a trial's data folder or device is not valid (e.g. dataset idx without one).
bool applyMachineSettings(SweepPlan& plan, const std::string& dataDir, const std::string& device);

// A sweep file's spec and folder: `path` is a sweep folder's sweep.json, or a folder holding one
// (continuing it needs no spec file). False for anything else (e.g. a spec file).
bool isSweepFile(const std::string& path, std::string* folder = nullptr);

// Creates DIR (and DIR/logs) and writes sweep.json for `plan`, all trials pending; when DIR already
// holds a sweep.json of the same spec, reads it instead (a sweep is continued, not restarted).
// Throws ConfigError when DIR holds another sweep, or other files but no sweep.json; IoError when it
// cannot be written.
SweepFolder openSweepFolder(const std::string& dir, const SweepPlan& plan);
// Reads DIR/sweep.json (this version's, or version 1's). Throws IoError naming the file and the
// key for a missing or damaged one.
SweepFolder readSweepFolder(const std::string& dir);
// sweep.json's text as `file` (named in errors) in folder `dir`: parsed, or refused with an
// IoError naming the file and the key. What readSweepFolder reads; the fuzzers' entry.
SweepFolder parseSweepJson(const std::string& text, const std::string& dir, const std::string& file);
// sweep.json's text for `sweep`.
std::string sweepJsonText(const SweepFolder& sweep);
// Writes sweep.json atomically with `sweep.status`. The caller holds the sweep's lock (SweepLock.h).
void saveSweepFolder(const SweepFolder& sweep);

// A trial's state from its run folder, whatever sweep.json says; Failed, Pruned and Diverged are
// kept from `recorded` while the folder shows no progress past them, Running while someone holds
// the trial's lease (SweepLock.h). Never throws.
TrialStatus trialStatusOnDisk(const SweepFolder& sweep, const SweepTrial& trial, const TrialStatus& recorded = {});
// Every trial's status from disk, saved into sweep.json when it changed (and writable). Takes the
// sweep's lock and reads sweep.json again under it: `sweep` becomes the current state.
void refreshSweepStatus(SweepFolder& sweep);

// A sweep folder with every trial's run folder read once: what a summary, a table of the trials
// and their curves are all made from, so that one look at the folder serves them all.
struct SweepReading {
    SweepFolder folder;          // its states refreshed from the run folders, as refreshSweepStatus
    std::vector<RunRecord> runs; // one per trial, plan order; a trial not started yet: no epochs
};
// Reads sweep.json and each trial's run folder once, refreshing (and saving) the states as
// refreshSweepStatus does, under the sweep's lock (none for a read-only copy). Throws as readSweepFolder.
SweepReading readSweep(const std::string& dir);
// The same for a caller that holds the sweep's lock.
SweepReading readSweep(const std::string& dir, const SweepLock* held);

} // namespace mnist
