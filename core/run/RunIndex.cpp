#include "run/RunIndex.h"

#include "run/RunFolder.h"
#include "run/RunLayout.h"

#include "Error.h"
#include "AtomicFile.h"
#include "run/Checkpoint.h"
#include "run/RunFiles.h"
#include "train/RunStats.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>

namespace fs = std::filesystem;

namespace mnist {

namespace {

// The whole archive is read (20 MB for SimpleNet with Adam's moments) and the run browser lists
// runs on every refresh, so a checkpoint is read again only when its size or time changed.
// Throws as readCheckpointSummary() does, also for a remembered failure.
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
        readCheckpointSummary(checkpoint.string());
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
        // A damaged checkpoint would only show when resuming fails, so it is read here (the whole
        // archive, CRC-checked).
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

std::vector<RunRecord> listRuns(const std::string& runsDir)
{
    std::vector<RunRecord> runs;
    std::error_code ec;
    if (!fs::is_directory(runsDir, ec))
        return runs;
    for (const auto& entry : fs::directory_iterator(runsDir, ec)) {
        if (!entry.is_directory(ec))
            continue;
        if (!RunLayout(entry.path().string()).isRunFolder())
            continue;
        runs.push_back(readRun(entry.path().string()));
    }
    std::sort(runs.begin(), runs.end(), [](const RunRecord& a, const RunRecord& b) { return a.name > b.name; });
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
