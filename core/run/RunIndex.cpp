#include "run/RunIndex.h"

#include "run/RunFolder.h"

#include "Error.h"
#include "AtomicFile.h"
#include "run/Checkpoint.h"
#include "run/RunFiles.h"
#include "train/RunStats.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>

namespace fs = std::filesystem;

namespace mnist {

std::string defaultRunsDir()
{
    if (const char* dir = std::getenv("MNIST_STUDIO_RUNS_DIR"); dir && *dir)
        return dir;
    if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg)
        return std::string(xdg) + "/mnist-studio/runs";
    const char* home = std::getenv("HOME");
    return std::string(home && *home ? home : ".") + "/.local/share/mnist-studio/runs";
}

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
    try {
        r.config = loadRunConfig(dir);
        r.epochs = readMetricsCsv((fs::path(dir) / "metrics.csv").string());
        // A damaged checkpoint would only show when resuming fails, so it is read here (the whole
        // archive, CRC-checked).
        const fs::path checkpoint = fs::path(dir) / "checkpoint.pt";
        std::error_code ec;
        if (fs::exists(checkpoint, ec))
            checkCheckpointCached(checkpoint);
    } catch (const std::exception& e) {
        r.damaged = true;
        r.state = RunState::Damaged;
        r.problem = e.what();
        return r;
    }
    r.stats = computeRunStats(r.epochs);
    std::error_code ec;
    r.finished = fs::exists(fs::path(dir) / "model.safetensors", ec);
    r.resumable = fs::exists(fs::path(dir) / "checkpoint.pt", ec) && static_cast<int64_t>(r.epochs.size()) < r.config.epochs;
    const fs::path summary = fs::path(dir) / "summary.json";
    if (fs::exists(summary, ec)) {
        try {
            r.state = readRunSummary(summary.string()).stopped ? RunState::Stopped : RunState::Finished;
        } catch (const std::exception& e) {
            r.damaged = true;
            r.state = RunState::Damaged;
            r.problem = e.what();
        }
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
        if (!fs::exists(entry.path() / "config.json", ec) && !fs::exists(entry.path() / "metrics.csv", ec))
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
