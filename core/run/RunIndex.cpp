#include "run/RunIndex.h"

#include "run/RunFolder.h"
#include "run/RunLayout.h"

#include "Error.h"
#include "AtomicFile.h"
#include "run/Checkpoint.h"
#include "run/RunFiles.h"
#include "run/RunIndexCache.h"
#include "run/RunNotes.h"
#include "train/RunStats.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>

namespace fs = std::filesystem;

namespace mnist {

namespace {

// The run browser lists runs on every refresh, so a checkpoint is checked again only when its
// size or time changed. Throws as checkCheckpointArchive() does, also for a remembered failure.
void checkCheckpointCached(const fs::path& checkpoint)
{
    struct Seen {
        std::uintmax_t size = 0;
        fs::file_time_type time;
        std::string problem; // empty: readable
    };
    static std::mutex mutex;
    static std::map<std::string, Seen> seen;
    std::error_code ec;
    Seen now;
    now.size = fs::file_size(checkpoint, ec);
    if (!ec)
        now.time = fs::last_write_time(checkpoint, ec);
    const std::string key = fs::absolute(checkpoint, ec).string();
    {
        const std::lock_guard<std::mutex> lock(mutex);
        const auto it = seen.find(key);
        if (!ec && it != seen.end() && it->second.size == now.size && it->second.time == now.time) {
            if (!it->second.problem.empty())
                throw IoError(it->second.problem);
            return;
        }
    }
    try {
        checkCheckpointArchive(checkpoint.string());
    } catch (const IoError& e) {
        now.problem = e.what();
    }
    if (!ec) {
        const std::lock_guard<std::mutex> lock(mutex);
        seen[key] = now;
    }
    if (!now.problem.empty())
        throw IoError(now.problem);
}

} // namespace

const char* runStateName(RunState state)
{
    switch (state) {
    case RunState::Finished: return "finished";
    case RunState::Stopped: return "stopped";
    case RunState::Running: return "running";
    case RunState::Damaged: return "damaged";
    }
    return "damaged";
}

RunRecord readRun(const std::string& dir)
{
    RunRecord r;
    r.dir = dir;
    r.name = fs::path(dir).filename().string();
    const RunLayout run(dir);
    // First: notes are the user's, shown whatever state the run is in.
    try {
        RunNotes notes = readRunNotes(dir);
        r.note = std::move(notes.note);
        r.tags = std::move(notes.tags);
    } catch (const std::exception& e) {
        r.notesProblem = e.what();
    }
    const auto damaged = [&](std::string problem) {
        r.damaged = true;
        r.state = RunState::Damaged;
        r.problem = std::move(problem);
    };
    std::error_code ec;
    const bool hasCheckpoint = fs::exists(run.checkpoint(), ec);
    try {
        r.config = loadRunConfig(dir);
        r.epochs = readMetricsCsv(run.metrics());
        // A damaged checkpoint would only show when resuming fails, so its archive is checked
        // here (its index and structure; the tensors' CRCs when it resumes).
        if (hasCheckpoint)
            checkCheckpointCached(run.checkpoint());
    } catch (const std::exception& e) {
        damaged(e.what());
        return r;
    }
    r.stats = computeRunStats(r.epochs);
    r.finished = run.hasModel();
    r.resumable = hasCheckpoint && static_cast<int64_t>(r.epochs.size()) < r.config.epochs;
    if (fs::exists(run.summary(), ec)) {
        try {
            r.state = readRunSummary(run.summary()).stopped ? RunState::Stopped : RunState::Finished;
        } catch (const std::exception& e) {
            damaged(e.what());
            return r;
        }
        // Every run that ends writes its epochs before its summary: a finished one without any
        // lost its metrics (a disk that filled, a file cut short by hand).
        if (r.state == RunState::Finished && r.epochs.empty())
            damaged(run.metrics() + ": no epochs, but " + RunLayout::kSummary + " says the run finished");
    } else if (r.finished && static_cast<int64_t>(r.epochs.size()) >= r.config.epochs) {
        r.state = RunState::Finished; // recorded by a window older than summary.json in GUI runs
    }
    return r;
}

namespace {

struct FoundRun {
    std::string dir;
    std::string key;   // its path under the runs folder: NAME or SWEEP/NAME
    std::string group; // the sweep's name for a trial
};

std::vector<FoundRun> findRunFolders(const std::string& runsDir)
{
    std::vector<FoundRun> found;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(runsDir, ec)) {
        std::error_code entryEc;
        if (!entry.is_directory(entryEc))
            continue;
        const std::string dir = entry.path().string();
        const std::string name = entry.path().filename().string();
        if (RunLayout(dir).isRunFolder()) {
            found.push_back({dir, name, {}});
            continue;
        }
        // A sweep keeps its trials' run folders beside its sweep.json (sweep/SweepFolder.h).
        if (!fs::exists(entry.path() / kSweepFile, entryEc))
            continue;
        for (const auto& trial : fs::directory_iterator(entry.path(), entryEc)) {
            std::error_code trialEc;
            if (trial.is_directory(trialEc) && RunLayout(trial.path().string()).isRunFolder())
                found.push_back({trial.path().string(), name + "/" + trial.path().filename().string(), name});
        }
    }
    return found;
}

} // namespace

std::vector<RunRecord> listRuns(const std::string& runsDir)
{
    return listRuns(runsDir, defaultRunIndexCachePath(runsDir));
}

std::vector<RunRecord> listRuns(const std::string& runsDir, const std::string& cachePath)
{
    std::vector<RunRecord> runs;
    std::error_code ec;
    if (!fs::is_directory(runsDir, ec))
        return runs;
    const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
    RunIndexCache cache(cachePath, runsDir);
    for (const FoundRun& f : findRunFolders(runsDir)) {
        const RunFileStamps stamps = stampRunFolder(f.dir);
        RunRecord r;
        if (cache.find(f.key, stamps, r)) {
            r.dir = f.dir;
            r.name = fs::path(f.dir).filename().string();
        } else {
            r = readRun(f.dir);
        }
        r.group = f.group;
        cache.keep(f.key, stamps, r, now);
        runs.push_back(std::move(r));
    }
    cache.save();
    // A sweep sorts by its name among the runs; its trials stay together, in trial order.
    std::sort(runs.begin(), runs.end(), [](const RunRecord& a, const RunRecord& b) {
        const std::string& ta = a.group.empty() ? a.name : a.group;
        const std::string& tb = b.group.empty() ? b.name : b.group;
        if (ta != tb)
            return ta > tb;
        return a.name < b.name;
    });
    return runs;
}

void writeRunsCsv(const std::string& path, const std::vector<RunRecord>& runs)
{
    writeFileAtomically(path, [&](std::ostream& out) {
        out << "run,epoch,train_loss,valid_loss,test_acc,lr,seconds,images_per_s\n";
        char row[320];
        for (const RunRecord& r : runs)
            for (const EpochMetrics& m : r.epochs) {
                std::snprintf(row, sizeof row, ",%lld,%.9g,%.9g,%.4f,%.17g,%.3f,%.1f\n", static_cast<long long>(m.epoch),
                              m.trainLoss, m.validLoss, m.testAccuracy, m.lr, m.seconds, m.imagesPerSecond);
                // Run names are folder names; quote them in case one holds a comma.
                out << '"' << r.name << '"' << row;
            }
    });
}

} // namespace mnist
