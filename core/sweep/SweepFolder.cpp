#include "sweep/SweepFolder.h"

#include "Error.h"
#include "JsonInteger.h"
#include "AtomicFile.h"
#include "data/DataLocations.h"
#include "run/RunIndex.h"
#include "run/RunLayout.h"
#include "sweep/SweepLock.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>

namespace mnist {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr const char* kFormat = "mnist-studio-sweep";
// Version 2 added the base set-up (tpe draws configurations from it), the creation time, the
// states pruned and diverged, and the epochs a recorded state stands for. Version 1 files read.
constexpr int kVersion = 2;

const std::pair<TrialState, const char*> kStateNames[] = {
    {TrialState::Pending, "pending"},   {TrialState::Running, "running"},   {TrialState::Interrupted, "interrupted"},
    {TrialState::Stopped, "stopped"},   {TrialState::Finished, "finished"}, {TrialState::Failed, "failed"},
    {TrialState::Damaged, "damaged"},   {TrialState::Pruned, "pruned"},     {TrialState::Diverged, "diverged"},
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
        if (s.epochs > 0)
            entry["epochs"] = s.epochs;
        trials.push_back(std::move(entry));
    }
    return {{"format", kFormat},      {"version", kVersion},          {"spec", sweep.plan.spec}, {"keys", sweep.plan.keys},
            {"groups", sweep.plan.groups}, {"seeds", sweep.plan.seeds}, {"base", sweep.plan.base},
            {"created", sweep.created},    {"trials", std::move(trials)}};
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
    const json& version = required(j, "version", file);
    if (version != 1 && version != kVersion)
        throw IoError(file + ": sweep file version " + version.dump() + " is not 1 or " + std::to_string(kVersion) +
                      " (written by a newer MNIST Studio)");
    SweepFolder sweep;
    sweep.dir = dir;
    try {
        sweep.plan.spec = required(j, "spec", file);
        sweep.plan.keys = required(j, "keys", file).get<std::vector<std::string>>();
        sweep.plan.groups = jsonInteger<int64_t>(required(j, "groups", file));
        sweep.plan.seeds = required(j, "seeds", file).get<std::vector<uint64_t>>();
        // How configurations are drawn and trials pruned follow from the spec.
        const SweepPlan settings = planSweepSettings(sweep.plan.spec);
        sweep.plan.search = settings.search;
        sweep.plan.pruner = settings.pruner;
        if (j.contains("base")) {
            try {
                sweep.plan.base = j["base"].get<TrainConfig>();
            } catch (const ConfigError& c) {
                throw IoError(file + ": base: " + c.what());
            }
        } else {
            sweep.plan.base = settings.base;
        }
        sweep.created = j.value("created", 0.0);
        const json& trials = required(j, "trials", file);
        if (!trials.is_array())
            throw IoError(file + ": \"trials\" is not a list");
        std::set<std::string> runNames;
        for (size_t i = 0; i < trials.size(); ++i) {
            const json& e = trials[i];
            const std::string where = file + ": trials[" + std::to_string(i) + "]";
            SweepTrial t;
            t.index = jsonInteger<int64_t>(required(e, "index", where));
            if (t.index != static_cast<int64_t>(i))
                throw IoError(where + ": index " + std::to_string(t.index) + " is out of order");
            t.group = jsonInteger<int64_t>(required(e, "group", where));
            if (t.group < 0 || t.group >= sweep.plan.groups)
                throw IoError(where + ": group " + std::to_string(t.group) + " is not one of the sweep's " +
                              std::to_string(sweep.plan.groups) + " configurations");
            t.params = required(e, "params", where);
            t.seed = jsonInteger<uint64_t>(required(e, "seed", where));
            t.runName = required(e, "run_dir", where).get<std::string>();
            if (t.runName.empty() || t.runName.find('/') != std::string::npos || t.runName == "." || t.runName == "..")
                throw IoError(where + ": run_dir \"" + t.runName + "\" is not a folder name inside the sweep");
            if (!runNames.insert(t.runName).second)
                throw IoError(where + ": run_dir \"" + t.runName + "\" is another trial's too");
            try {
                t.config = required(e, "config", where).get<TrainConfig>();
            } catch (const ConfigError& c) {
                throw IoError(where + ": config: " + c.what());
            }
            TrialStatus s;
            s.state = stateFromName(required(e, "state", where).get<std::string>(), where);
            s.message = e.value("message", std::string());
            s.epochs = e.contains("epochs") ? jsonInteger<int64_t>(e["epochs"]) : 0;
            if (s.epochs < 0)
                throw IoError(where + ": epochs " + std::to_string(s.epochs) + " is negative");
            sweep.plan.trials.push_back(std::move(t));
            sweep.status.push_back(std::move(s));
        }
    } catch (const IoError&) {
        throw;
    } catch (const std::exception& e) {
        throw IoError(file + ": " + e.what());
    }
    if (!j.contains("base") && !sweep.plan.trials.empty()) { // version 1: the machine's settings as its trials have them
        sweep.plan.base.dataDir = sweep.plan.trials.front().config.dataDir;
        sweep.plan.base.device = sweep.plan.trials.front().config.device;
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
    if (!dataDir.empty())
        plan.base.dataDir = dataDir;
    if (!device.empty())
        plan.base.device = device;
    plan.base.dataDir = fs::absolute(resolveDataDir(plan.base)).lexically_normal().string();
    gpu = gpu || plan.base.device.rfind("cuda", 0) == 0;
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

SweepFolder parseSweepJson(const std::string& text, const std::string& dir, const std::string& file)
{
    json j;
    try {
        j = json::parse(text);
    } catch (const std::exception& e) {
        throw IoError(file + ": not valid JSON: " + e.what());
    }
    return fromJson(j, dir, file);
}

std::string sweepJsonText(const SweepFolder& sweep)
{
    return toJson(sweep).dump(1);
}

SweepFolder readSweepFolder(const std::string& dir)
{
    const std::string file = sweepJsonPath(dir);
    std::ifstream in(file);
    if (!in)
        throw IoError(file + ": cannot be read (is " + dir + " a sweep folder? mnist-train --sweep SPEC --out DIR makes one)");
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return parseSweepJson(text, dir, file);
}

void saveSweepFolder(const SweepFolder& sweep)
{
    const std::string text = sweepJsonText(sweep);
    writeFileAtomically(sweepJsonPath(sweep.dir), [&](std::ostream& out) { out << text << '\n'; });
}

SweepFolder openSweepFolder(const std::string& dir, const SweepPlan& plan)
{
    std::error_code ec;
    if (fs::exists(sweepJsonPath(dir))) {
        const SweepLock lock(dir);
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
    sweep.created = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    sweep.status.assign(plan.trials.size(), TrialStatus{});
    saveSweepFolder(sweep);
    return sweep;
}

// trialStatusOnDisk, keeping the run folder it read in `read` (left as it was when not started).
static TrialStatus readTrialStatus(const SweepFolder& sweep, const SweepTrial& trial, const TrialStatus& recorded, RunRecord* read)
{
    const std::string dir = trialDir(sweep, trial);
    const bool kept = recorded.state == TrialState::Failed || recorded.state == TrialState::Pruned ||
                      recorded.state == TrialState::Diverged;
    const bool leased = recorded.state == TrialState::Running && trialLeaseHeld(sweep.dir, trial.runName);
    if (!RunLayout(dir).isRunFolder())
        return kept ? recorded : leased ? TrialStatus{TrialState::Running, {}} : TrialStatus{};
    RunRecord local;
    RunRecord& run = read ? *read : local;
    run = readRun(dir);
    if (run.damaged)
        return {TrialState::Damaged, run.problem};
    if (run.state == RunState::Finished)
        return {TrialState::Finished, {}};
    if (run.state == RunState::Damaged)
        return {TrialState::Damaged, run.problem};
    if (kept && static_cast<int64_t>(run.epochs.size()) <= recorded.epochs)
        return recorded;
    if (leased)
        return {TrialState::Running, {}};
    return {run.state == RunState::Stopped ? TrialState::Stopped : TrialState::Interrupted, {}};
}

TrialStatus trialStatusOnDisk(const SweepFolder& sweep, const SweepTrial& trial, const TrialStatus& recorded)
{
    return readTrialStatus(sweep, trial, recorded, nullptr);
}

// refreshSweepStatus, keeping each trial's run folder as read in `runs` (one per trial) when given.
// The caller holds the sweep's lock, or could not take it (a read-only copy: nothing is saved then).
static void refreshStatus(SweepFolder& sweep, std::vector<RunRecord>* runs, bool save)
{
    bool changed = false;
    for (size_t i = 0; i < sweep.plan.trials.size(); ++i) {
        const TrialStatus now = readTrialStatus(sweep, sweep.plan.trials[i], sweep.status[i], runs ? &(*runs)[i] : nullptr);
        if (now.state != sweep.status[i].state || now.message != sweep.status[i].message || now.epochs != sweep.status[i].epochs) {
            sweep.status[i] = now;
            changed = true;
        }
    }
    if (changed && save) {
        try {
            saveSweepFolder(sweep);
        } catch (const IoError&) {
            // A read-only copy of a sweep is still summarised; its sweep.json just stays as it was.
        }
    }
}

// The sweep's lock when it can be taken; none for a read-only copy.
static std::unique_ptr<SweepLock> lockIfWritable(const std::string& dir)
{
    try {
        return std::make_unique<SweepLock>(dir);
    } catch (const IoError&) {
        return nullptr;
    }
}

void refreshSweepStatus(SweepFolder& sweep)
{
    const auto lock = lockIfWritable(sweep.dir);
    if (lock) {
        // Under the lock, from the file: a worker may have added trials or states since `sweep` was read.
        SweepFolder current = readSweepFolder(sweep.dir);
        refreshStatus(current, nullptr, true);
        sweep = std::move(current);
        return;
    }
    refreshStatus(sweep, nullptr, false);
}

// Reads sweep.json and each trial's run folder; `save`: the refreshed states too (under the lock).
static SweepReading readAll(const std::string& dir, bool save)
{
    SweepReading reading;
    reading.folder = readSweepFolder(dir);
    for (const SweepTrial& t : reading.folder.plan.trials) {
        RunRecord& run = reading.runs.emplace_back();
        run.dir = trialDir(reading.folder, t);
        run.name = t.runName;
    }
    refreshStatus(reading.folder, &reading.runs, save);
    return reading;
}

SweepReading readSweep(const std::string& dir, const SweepLock*)
{
    return readAll(dir, true);
}

SweepReading readSweep(const std::string& dir)
{
    const auto lock = lockIfWritable(dir);
    return readAll(dir, lock != nullptr);
}

} // namespace mnist
