#include "sweep/SweepFolder.h"

#include "Error.h"
#include "JsonInteger.h"
#include "AtomicFile.h"
#include "data/DataLocations.h"
#include "run/RunIndex.h"
#include "run/RunLayout.h"

#include <filesystem>
#include <fstream>

namespace mnist {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr const char* kFormat = "mnist-studio-sweep";
constexpr int kVersion = 1;

const std::pair<TrialState, const char*> kStateNames[] = {
    {TrialState::Pending, "pending"},   {TrialState::Running, "running"},   {TrialState::Interrupted, "interrupted"},
    {TrialState::Stopped, "stopped"},   {TrialState::Finished, "finished"}, {TrialState::Failed, "failed"},
    {TrialState::Damaged, "damaged"},
};

TrialState stateFromName(const std::string& name, const std::string& where)
{
    for (const auto& [state, n] : kStateNames)
        if (name == n)
            return state;
    throw IoError(where + ": unknown trial state \"" + name + "\"");
}

json toJson(const SweepFolder& sweep)
{
    json trials = json::array();
    for (size_t i = 0; i < sweep.plan.trials.size(); ++i) {
        const SweepTrial& t = sweep.plan.trials[i];
        const TrialStatus& s = i < sweep.status.size() ? sweep.status[i] : TrialStatus{};
        json entry = {{"index", t.index}, {"group", t.group},  {"params", t.params},  {"seed", t.seed},
                      {"run_dir", t.runName}, {"state", trialStateName(s.state)}, {"config", t.config}};
        if (!s.message.empty())
            entry["message"] = s.message;
        trials.push_back(std::move(entry));
    }
    return {{"format", kFormat},      {"version", kVersion},          {"spec", sweep.plan.spec}, {"keys", sweep.plan.keys},
            {"groups", sweep.plan.groups}, {"seeds", sweep.plan.seeds}, {"trials", std::move(trials)}};
}

// The key of `j`, or an IoError naming the file and the key.
const json& required(const json& j, const char* key, const std::string& file)
{
    if (!j.is_object() || !j.contains(key))
        throw IoError(file + ": the key \"" + key + "\" is missing");
    return j[key];
}

SweepFolder fromJson(const json& j, const std::string& dir, const std::string& file)
{
    if (required(j, "format", file) != kFormat)
        throw IoError(file + ": not a sweep file (\"format\" is not \"" + kFormat + "\")");
    if (required(j, "version", file) != kVersion)
        throw IoError(file + ": sweep file version " + j["version"].dump() + " is not " + std::to_string(kVersion) +
                      " (written by another MNIST Studio)");
    SweepFolder sweep;
    sweep.dir = dir;
    try {
        sweep.plan.spec = required(j, "spec", file);
        sweep.plan.keys = required(j, "keys", file).get<std::vector<std::string>>();
        sweep.plan.groups = jsonInteger<int64_t>(required(j, "groups", file));
        sweep.plan.seeds = required(j, "seeds", file).get<std::vector<uint64_t>>();
        const json& trials = required(j, "trials", file);
        if (!trials.is_array())
            throw IoError(file + ": \"trials\" is not a list");
        for (size_t i = 0; i < trials.size(); ++i) {
            const json& e = trials[i];
            const std::string where = file + ": trials[" + std::to_string(i) + "]";
            SweepTrial t;
            t.index = jsonInteger<int64_t>(required(e, "index", where));
            if (t.index != static_cast<int64_t>(i))
                throw IoError(where + ": index " + std::to_string(t.index) + " is out of order");
            t.group = jsonInteger<int64_t>(required(e, "group", where));
            t.params = required(e, "params", where);
            t.seed = jsonInteger<uint64_t>(required(e, "seed", where));
            t.runName = required(e, "run_dir", where).get<std::string>();
            if (t.runName.empty() || t.runName.find('/') != std::string::npos || t.runName == "." || t.runName == "..")
                throw IoError(where + ": run_dir \"" + t.runName + "\" is not a folder name inside the sweep");
            try {
                t.config = required(e, "config", where).get<TrainConfig>();
            } catch (const ConfigError& c) {
                throw IoError(where + ": config: " + c.what());
            }
            TrialStatus s;
            s.state = stateFromName(required(e, "state", where).get<std::string>(), where);
            s.message = e.value("message", std::string());
            sweep.plan.trials.push_back(std::move(t));
            sweep.status.push_back(std::move(s));
        }
    } catch (const IoError&) {
        throw;
    } catch (const std::exception& e) {
        throw IoError(file + ": " + e.what());
    }
    return sweep;
}

} // namespace

bool applyMachineSettings(SweepPlan& plan, const std::string& dataDir, const std::string& device)
{
    bool gpu = false;
    std::string problems;
    for (SweepTrial& t : plan.trials) {
        if (!dataDir.empty())
            t.config.dataDir = dataDir;
        if (!device.empty())
            t.config.device = device;
        for (const FieldProblem& p : fieldProblems(t.config))
            if (isMachineField(p.field) && problems.find(p.message) == std::string::npos)
                problems += "\n  " + p.field + ": " + p.message;
        t.config.dataDir = fs::absolute(resolveDataDir(t.config)).lexically_normal().string();
        gpu = gpu || t.config.device.rfind("cuda", 0) == 0;
    }
    if (!problems.empty())
        throw ConfigError("the sweep's machine settings:" + problems + "\n(give --data-dir DIR or --device DEV, or set them in the spec's base)");
    return gpu;
}

bool isSweepFile(const std::string& path, std::string* folder)
{
    std::error_code ec;
    const fs::path file = fs::is_directory(path, ec) ? fs::path(path) / kSweepFile : fs::path(path);
    if (file.filename() != kSweepFile)
        return false;
    std::ifstream in(file);
    if (!in)
        return false;
    const json j = json::parse(in, nullptr, false);
    if (j.is_discarded() || !j.is_object() || j.value("format", std::string()) != kFormat)
        return false;
    if (folder)
        *folder = fs::absolute(file).parent_path().lexically_normal().string();
    return true;
}

const char* trialStateName(TrialState state)
{
    for (const auto& [s, n] : kStateNames)
        if (s == state)
            return n;
    return "pending";
}

std::string sweepJsonPath(const std::string& dir)
{
    return (fs::path(dir) / kSweepFile).string();
}

std::string trialDir(const SweepFolder& sweep, const SweepTrial& trial)
{
    return (fs::path(sweep.dir) / trial.runName).string();
}

SweepFolder readSweepFolder(const std::string& dir)
{
    const std::string file = sweepJsonPath(dir);
    std::ifstream in(file);
    if (!in)
        throw IoError(file + ": cannot be read (is " + dir + " a sweep folder? mnist-train --sweep SPEC --out DIR makes one)");
    json j;
    try {
        j = json::parse(in);
    } catch (const std::exception& e) {
        throw IoError(file + ": not valid JSON: " + e.what());
    }
    return fromJson(j, dir, file);
}

void saveSweepFolder(const SweepFolder& sweep)
{
    const std::string text = toJson(sweep).dump(1);
    writeFileAtomically(sweepJsonPath(sweep.dir), [&](std::ostream& out) { out << text << '\n'; });
}

SweepFolder openSweepFolder(const std::string& dir, const SweepPlan& plan)
{
    std::error_code ec;
    if (fs::exists(sweepJsonPath(dir))) {
        SweepFolder existing = readSweepFolder(dir);
        if (existing.plan.spec != plan.spec)
            throw ConfigError(dir + " holds another sweep (its " + kSweepFile + " has another spec): give another --out, or remove " + dir);
        return existing;
    }
    if (fs::is_directory(dir, ec) && !fs::is_empty(dir, ec))
        throw ConfigError(dir + " is not empty and holds no " + kSweepFile + ": a sweep needs a folder of its own (give another --out)");
    fs::create_directories(fs::path(dir) / "logs", ec);
    if (ec)
        throw IoError(dir + ": cannot be created: " + ec.message());
    SweepFolder sweep;
    sweep.dir = dir;
    sweep.plan = plan;
    sweep.status.assign(plan.trials.size(), TrialStatus{});
    saveSweepFolder(sweep);
    return sweep;
}

// trialStatusOnDisk, keeping the run folder it read in `read` (left as it was when not started).
static TrialStatus readTrialStatus(const SweepFolder& sweep, const SweepTrial& trial, const TrialStatus& recorded, RunRecord* read)
{
    const std::string dir = trialDir(sweep, trial);
    if (!RunLayout(dir).isRunFolder())
        return recorded.state == TrialState::Failed ? recorded : TrialStatus{};
    RunRecord local;
    RunRecord& run = read ? *read : local;
    run = readRun(dir);
    if (run.damaged)
        return {TrialState::Damaged, run.problem};
    switch (run.state) {
    case RunState::Finished: return {TrialState::Finished, {}};
    case RunState::Stopped: return {TrialState::Stopped, {}};
    case RunState::Damaged: return {TrialState::Damaged, run.problem};
    case RunState::Running: break;
    }
    return recorded.state == TrialState::Failed ? recorded : TrialStatus{TrialState::Interrupted, {}};
}

TrialStatus trialStatusOnDisk(const SweepFolder& sweep, const SweepTrial& trial, const TrialStatus& recorded)
{
    return readTrialStatus(sweep, trial, recorded, nullptr);
}

// refreshSweepStatus, keeping each trial's run folder as read in `runs` (one per trial) when given.
static void refreshStatus(SweepFolder& sweep, std::vector<RunRecord>* runs)
{
    bool changed = false;
    for (size_t i = 0; i < sweep.plan.trials.size(); ++i) {
        const TrialStatus now = readTrialStatus(sweep, sweep.plan.trials[i], sweep.status[i], runs ? &(*runs)[i] : nullptr);
        if (now.state != sweep.status[i].state || now.message != sweep.status[i].message) {
            sweep.status[i] = now;
            changed = true;
        }
    }
    if (changed) {
        try {
            saveSweepFolder(sweep);
        } catch (const IoError&) {
            // A read-only copy of a sweep is still summarised; its sweep.json just stays as it was.
        }
    }
}

void refreshSweepStatus(SweepFolder& sweep)
{
    refreshStatus(sweep, nullptr);
}

SweepReading readSweep(const std::string& dir)
{
    SweepReading reading;
    reading.folder = readSweepFolder(dir);
    for (const SweepTrial& t : reading.folder.plan.trials) {
        RunRecord& run = reading.runs.emplace_back();
        run.dir = trialDir(reading.folder, t);
        run.name = t.runName;
    }
    refreshStatus(reading.folder, &reading.runs);
    return reading;
}

} // namespace mnist
