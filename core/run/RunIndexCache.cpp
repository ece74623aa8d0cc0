#include "run/RunIndexCache.h"

#include "AtomicFile.h"
#include "run/RunLayout.h"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace fs = std::filesystem;

namespace mnist {

namespace {

// Bumped whenever readRun() or RunRecord changes what a record holds: an older cache is ignored.
constexpr int kCacheVersion = 1;
constexpr const char* kCacheFormat = "mnist-studio run index cache";
// A file written this close to the listing may change again within its time's grain.
constexpr int64_t kRacyNs = 2'000'000'000;

nlohmann::json recordToJson(const RunRecord& r)
{
    nlohmann::json epochs = nlohmann::json::array();
    for (const EpochMetrics& m : r.epochs)
        epochs.push_back({m.epoch, m.trainLoss, m.validLoss, m.testAccuracy, m.lr, m.seconds, m.imagesPerSecond});
    const RunStats& s = r.stats;
    return {{"damaged", r.damaged},
            {"problem", r.problem},
            {"config", r.config},
            {"epochs", epochs},
            {"stats", {s.bestEpoch, s.bestTestAccuracy, s.bestValidEpoch, s.testAccuracyAtBestValid, s.bestValidLoss,
                       s.finalTestAccuracy, s.seconds}},
            {"state", static_cast<int>(r.state)},
            {"finished", r.finished},
            {"resumable", r.resumable},
            {"note", r.note},
            {"tags", r.tags},
            {"notes_problem", r.notesProblem}};
}

// Throws (nlohmann's or ConfigError) for anything that is not what recordToJson() wrote.
void recordFromJson(const nlohmann::json& j, RunRecord& r)
{
    r.damaged = j.at("damaged").get<bool>();
    r.problem = j.at("problem").get<std::string>();
    r.config = j.at("config").get<TrainConfig>();
    r.epochs.clear();
    for (const auto& e : j.at("epochs")) {
        EpochMetrics m;
        m.epoch = e.at(0).get<int64_t>();
        m.trainLoss = e.at(1).get<double>();
        m.validLoss = e.at(2).get<double>();
        m.testAccuracy = e.at(3).get<double>();
        m.lr = e.at(4).get<double>();
        m.seconds = e.at(5).get<double>();
        m.imagesPerSecond = e.at(6).get<double>();
        r.epochs.push_back(m);
    }
    const auto& s = j.at("stats");
    r.stats.bestEpoch = s.at(0).get<int64_t>();
    r.stats.bestTestAccuracy = s.at(1).get<double>();
    r.stats.bestValidEpoch = s.at(2).get<int64_t>();
    r.stats.testAccuracyAtBestValid = s.at(3).get<double>();
    r.stats.bestValidLoss = s.at(4).get<double>();
    r.stats.finalTestAccuracy = s.at(5).get<double>();
    r.stats.seconds = s.at(6).get<double>();
    const int state = j.at("state").get<int>();
    if (state < 0 || state > static_cast<int>(RunState::Damaged))
        throw std::out_of_range("state");
    r.state = static_cast<RunState>(state);
    r.finished = j.at("finished").get<bool>();
    r.resumable = j.at("resumable").get<bool>();
    r.note = j.at("note").get<std::string>();
    r.tags = j.at("tags").get<std::vector<std::string>>();
    r.notesProblem = j.at("notes_problem").get<std::string>();
}

uint64_t fnv1a(const std::string& text)
{
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : text)
        h = (h ^ c) * 1099511628211ull;
    return h;
}

} // namespace

RunFileStamps stampRunFolder(const std::string& dir)
{
    // Every file readRun() reads or asks about; lstat() is what a listing can afford per file
    // (std::filesystem would take several calls for the size and the time).
    static const char* const files[] = {RunLayout::kConfig,     RunLayout::kArch,         RunLayout::kMetrics,
                                        RunLayout::kSummary,    RunLayout::kCheckpoint,   RunLayout::kModelWeights,
                                        RunLayout::kNotes};
    RunFileStamps stamps;
    stamps.values.reserve(2 * std::size(files));
    std::string path = dir + "/";
    const size_t base = path.size();
    for (const char* file : files) {
        path.resize(base);
        path += file;
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0) {
            stamps.values.push_back(-1);
            stamps.values.push_back(0);
            continue;
        }
        const int64_t ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
        stamps.values.push_back(static_cast<int64_t>(st.st_size));
        stamps.values.push_back(ns);
        stamps.newest = std::max(stamps.newest, ns);
    }
    return stamps;
}

std::string defaultRunIndexCachePath(const std::string& runsDir)
{
    std::string folder;
    if (const char* own = std::getenv("MNIST_STUDIO_RUN_INDEX_CACHE"); own && *own)
        folder = own;
    else if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
        folder = std::string(xdg) + "/mnist-studio/run-index";
    else if (const char* home = std::getenv("HOME"); home && *home)
        folder = std::string(home) + "/.cache/mnist-studio/run-index";
    else
        return {};
    std::error_code ec;
    // The folder as given and where that is: records hold paths made from it (in problems, the
    // config's arch.json), so "runs" and "/home/me/runs" each have their own cache.
    const std::string identity = runsDir + '\n' + fs::absolute(runsDir, ec).string();
    char name[32];
    std::snprintf(name, sizeof name, "%016llx.json", static_cast<unsigned long long>(fnv1a(identity)));
    return folder + "/" + name;
}

RunIndexCache::RunIndexCache(std::string path, std::string runsDir) : m_path(std::move(path))
{
    std::error_code ec;
    m_runsDir = runsDir + '\n' + fs::absolute(runsDir, ec).string();
    if (m_path.empty())
        return;
    std::ifstream in(m_path, std::ios::binary);
    if (!in)
        return;
    try {
        const nlohmann::json j = nlohmann::json::parse(in);
        // Another program's file, another version's or another runs folder's (a hash collision, a
        // copied cache folder): ignored.
        if (j.at("format") != kCacheFormat || j.at("version") != kCacheVersion || j.at("runs_dir") != m_runsDir)
            return;
        for (const auto& [key, entry] : j.at("runs").items()) {
            Entry e;
            e.stamps.values = entry.at("stamps").get<std::vector<int64_t>>();
            e.record = entry.at("record");
            m_read.emplace(key, std::move(e));
        }
    } catch (const std::exception&) {
        m_read.clear(); // damaged: rebuilt by this listing
    }
}

bool RunIndexCache::find(const std::string& key, const RunFileStamps& stamps, RunRecord& record) const
{
    const auto it = m_read.find(key);
    if (it == m_read.end() || !(it->second.stamps == stamps))
        return false;
    try {
        recordFromJson(it->second.record, record);
        return true;
    } catch (const std::exception&) {
        return false; // an entry that does not parse is read from the folder again
    }
}

void RunIndexCache::keep(const std::string& key, const RunFileStamps& stamps, const RunRecord& record, int64_t listedAtNs)
{
    if (stamps.newest > listedAtNs - kRacyNs)
        return;
    const auto it = m_read.find(key);
    if (it != m_read.end() && it->second.stamps == stamps) {
        m_kept.emplace(key, it->second);
        return;
    }
    m_kept.emplace(key, Entry{stamps, recordToJson(record)});
}

void RunIndexCache::save() const
{
    if (m_path.empty())
        return;
    bool same = m_kept.size() == m_read.size();
    for (auto a = m_kept.begin(), b = m_read.begin(); same && a != m_kept.end(); ++a, ++b)
        same = a->first == b->first && a->second.stamps == b->second.stamps;
    if (same)
        return;
    nlohmann::json runs = nlohmann::json::object();
    for (const auto& [key, e] : m_kept)
        runs[key] = {{"stamps", e.stamps.values}, {"record", e.record}};
    try {
        std::error_code ec;
        fs::create_directories(fs::path(m_path).parent_path(), ec);
        const std::string text =
            nlohmann::json{{"format", kCacheFormat}, {"version", kCacheVersion}, {"runs_dir", m_runsDir}, {"runs", runs}}.dump();
        writeFileAtomically(m_path, [&](std::ostream& out) { out << text; });
    } catch (const std::exception&) {
        // A read-only or full cache folder: the next listing reads the runs again.
    }
}

} // namespace mnist
