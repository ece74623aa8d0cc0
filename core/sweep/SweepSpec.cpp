#include "sweep/SweepSpec.h"

#include "Error.h"
#include "JsonInteger.h"
#include "spec/Recipes.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

namespace mnist {
namespace {

using json = nlohmann::json;

struct Axis {
    std::string key;
    const ConfigField* field = nullptr;
    std::vector<json> values; // grid: every value; random: filled by sampling
};

struct Distribution {
    const ConfigField* field = nullptr;
    search::Param param;
};

class Planner {
public:
    explicit Planner(std::vector<FieldProblem>& problems) : m_problems(problems) {}

    void problem(const std::string& key, const std::string& message) { m_problems.push_back({key, message}); }

    // The field a grid or random key names, or null (with a problem).
    const ConfigField* sweptField(const std::string& where, const std::string& key)
    {
        const ConfigField* f = findField(key);
        if (!f) {
            problem(where, "'" + key + "' is not a setting (settings are config.json's keys, dotted: \"lr\", "
                           "\"scheduler.T_max\", \"augment.random_rotation.degrees\")");
            return nullptr;
        }
        if (inScope(*f, FieldScope::Sweepable))
            return f;
        // Why not, from the field's scope (ConfigFields.h).
        if (f->machine)
            problem(where, "'" + key + "' is a machine setting, not part of a run's set-up: give it to the sweep command (" +
                               flagList(FieldScope::Machine) + ")");
        else if (f->kind == FieldKind::Toggle)
            problem(where, "'" + key + "' switches a transform: sweep its parameters (e.g. \"" + key + ".p\") or its "
                           "presence with base and two sweeps");
        else if (key == "seed")
            problem(where, "the seed is swept by the spec's \"seeds\" list, not by \"" + key + "\"");
        else
            problem(where, "'" + key + "' cannot be swept");
        return nullptr;
    }

    // Whether `value` is acceptable for the field, tried on a default set-up.
    bool acceptable(const std::string& where, const ConfigField& f, const json& value)
    {
        TrainConfig probe;
        try {
            setFieldFromJson(probe, f, value);
        } catch (const std::exception& e) {
            problem(where, e.what());
            return false;
        }
        // Ranges are validate()'s: the field's own problems, on a set-up that is otherwise the default.
        for (const FieldProblem& fp : fieldProblems(probe))
            if (fp.field == f.key) {
                problem(where, "'" + f.key + "' = " + value.dump() + ": " + fp.message);
                return false;
            }
        return true;
    }

    TrainConfig base(const json& spec)
    {
        TrainConfig config;
        if (!spec.contains("base"))
            return config;
        const json& b = spec["base"];
        if (!b.is_object()) {
            problem("base", "base must be a JSON object: a config.json's keys, plus \"recipe\" to start from one");
            return config;
        }
        json rest = b;
        if (b.contains("recipe")) {
            rest.erase("recipe");
            const json& name = b["recipe"];
            const Recipe* r = name.is_string() ? findRecipe(name.get<std::string>()) : nullptr;
            if (!r && name.is_string())
                for (const Recipe& n : notebookRecipes())
                    if (n.name == name.get<std::string>())
                        r = &n;
            if (!r) {
                problem("base.recipe", "unknown recipe " + name.dump() + " (fast, balanced, best, or a notebook recipe's file name "
                                       "such as \"01-lenet-10-epochs\")");
                return config;
            }
            config = r->config;
        }
        try {
            json merged = config;
            merged.merge_patch(rest);
            config = merged.get<TrainConfig>();
        } catch (const std::exception& e) {
            problem("base", e.what());
        }
        return config;
    }

    std::vector<Axis> grid(const json& spec)
    {
        std::vector<Axis> axes;
        if (!spec.contains("grid"))
            return axes;
        const json& g = spec["grid"];
        if (!g.is_object()) {
            problem("grid", "grid must be a JSON object of setting: [values]");
            return axes;
        }
        for (auto it = g.begin(); it != g.end(); ++it) {
            const std::string where = "grid." + it.key();
            const ConfigField* f = sweptField(where, it.key());
            if (!f)
                continue;
            if (!it.value().is_array() || it.value().empty()) {
                problem(where, "a grid setting takes a non-empty list of values, e.g. [0.003, 0.001]");
                continue;
            }
            Axis axis{it.key(), f, {}};
            bool ok = true;
            for (const json& v : it.value())
                ok = acceptable(where, *f, v) && ok;
            if (ok) {
                axis.values.assign(it.value().begin(), it.value().end());
                axes.push_back(std::move(axis));
            }
        }
        return axes;
    }

    // A sampling section's distributions ("random" or "tpe"), its trial count and seed; tpe's
    // startup count in `startup` when given.
    std::vector<Distribution> space(const json& spec, const std::string& section, int64_t& trials, uint64_t& seed,
                                    int64_t* startup = nullptr)
    {
        std::vector<Distribution> out;
        trials = 0;
        seed = 0;
        if (!spec.contains(section))
            return out;
        const json& r = spec[section];
        const std::string keys = startup ? "trials, startup, seed, space" : "trials, seed, space";
        if (!r.is_object()) {
            problem(section, section + " must be a JSON object: {\"trials\": N, \"space\": {...}}");
            return out;
        }
        for (auto it = r.begin(); it != r.end(); ++it)
            if (it.key() != "trials" && it.key() != "space" && it.key() != "seed" && !(startup && it.key() == "startup"))
                problem(section + "." + it.key(), "unknown key '" + it.key() + "' in " + section + " (" + keys + ")");
        try {
            trials = jsonInteger<int64_t>(r.value("trials", json()));
            if (trials < 1 || trials > 100000)
                throw std::out_of_range("between 1 and 100000");
        } catch (const std::exception&) {
            problem(section + ".trials", section + ".trials must be a whole number of samples between 1 and 100000 (got " +
                                             r.value("trials", json()).dump() + ")");
            trials = 0;
        }
        if (r.contains("seed")) {
            try {
                seed = jsonInteger<uint64_t>(r["seed"]);
            } catch (const std::exception&) {
                problem(section + ".seed", section + ".seed must be a whole number from 0 (got " + r["seed"].dump() + ")");
            }
        }
        if (startup && r.contains("startup")) {
            try {
                *startup = jsonInteger<int64_t>(r["startup"]);
                if (*startup < 0)
                    throw std::out_of_range("negative");
            } catch (const std::exception&) {
                problem(section + ".startup", section + ".startup must be a whole number of random trials from 0 (got " +
                                                  r["startup"].dump() + ")");
            }
        }
        const json s = r.value("space", json());
        if (!s.is_object() || s.empty()) {
            problem(section + ".space", section + ".space must be a non-empty object of setting: {\"uniform\" | \"log_uniform\" | "
                                                  "\"int_uniform\": [low, high]} or {\"choice\": [values]}");
            return out;
        }
        for (auto it = s.begin(); it != s.end(); ++it) {
            const std::string where = section + ".space." + it.key();
            const ConfigField* f = sweptField(where, it.key());
            if (!f)
                continue;
            const json& d = it.value();
            if (!d.is_object() || d.size() != 1) {
                problem(where, "a distribution is one of {\"uniform\": [low, high]}, {\"log_uniform\": [low, high]}, "
                               "{\"int_uniform\": [low, high]}, {\"choice\": [values]}");
                continue;
            }
            Distribution dist{f, {}};
            dist.param.key = it.key();
            const std::string kind = d.begin().key();
            const json& arg = d.begin().value();
            if (kind == "choice") {
                dist.param.kind = search::ParamKind::Choice;
                if (!arg.is_array() || arg.empty()) {
                    problem(where, "choice takes a non-empty list of values");
                    continue;
                }
                bool ok = true;
                for (const json& v : arg)
                    ok = acceptable(where, *f, v) && ok;
                if (!ok)
                    continue;
                dist.param.choices.assign(arg.begin(), arg.end());
            } else if (kind == "uniform" || kind == "log_uniform" || kind == "int_uniform") {
                dist.param.kind = kind == "uniform"       ? search::ParamKind::Uniform
                                  : kind == "log_uniform" ? search::ParamKind::LogUniform
                                                          : search::ParamKind::IntUniform;
                if (f->kind != FieldKind::Real && f->kind != FieldKind::Integer) {
                    problem(where, "'" + it.key() + "' is not a number: give it a {\"choice\": [values]}");
                    continue;
                }
                if (!arg.is_array() || arg.size() != 2 || !arg[0].is_number() || !arg[1].is_number() ||
                    !std::isfinite(arg[0].get<double>()) || !std::isfinite(arg[1].get<double>()) ||
                    arg[0].get<double>() > arg[1].get<double>()) {
                    problem(where, kind + " takes [low, high] with low <= high (got " + arg.dump() + ")");
                    continue;
                }
                dist.param.lo = arg[0].get<double>();
                dist.param.hi = arg[1].get<double>();
                dist.param.integer = f->kind == FieldKind::Integer;
                if (kind == "log_uniform" && dist.param.lo <= 0) {
                    problem(where, "log_uniform needs low > 0 (got " + arg.dump() + ")");
                    continue;
                }
                if (kind == "int_uniform" && std::ceil(dist.param.lo) > std::floor(dist.param.hi)) {
                    problem(where, "int_uniform needs a whole number between low and high (got " + arg.dump() + ")");
                    continue;
                }
                if (!acceptable(where, *f, search::valueAt(dist.param, 0.0)) ||
                    !acceptable(where, *f, search::valueAt(dist.param, 1.0)))
                    continue;
            } else {
                problem(where, "unknown distribution '" + kind + "' (uniform, log_uniform, int_uniform, choice)");
                continue;
            }
            out.push_back(std::move(dist));
        }
        return out;
    }

    // The pruner section, for trials of `epochs` epochs.
    SweepPruner pruner(const json& spec, int64_t epochs)
    {
        SweepPruner p;
        if (!spec.contains("pruner"))
            return p;
        const json& j = spec["pruner"];
        const std::string type = j.is_object() && j.contains("type") && j["type"].is_string() ? j["type"].get<std::string>() : "";
        if (type != "asha" && type != "median") {
            problem("pruner", "pruner must be {\"type\": \"asha\", \"min_epochs\": 1, \"reduction_factor\": 3} or {\"type\": "
                              "\"median\", \"warmup_epochs\": 1}");
            return p;
        }
        p.type = type;
        const auto whole = [&](const char* key, int64_t fallback, int64_t lowest) -> int64_t {
            if (!j.contains(key))
                return fallback;
            try {
                const auto v = jsonInteger<int64_t>(j[key]);
                if (v < lowest)
                    throw std::out_of_range("low");
                return v;
            } catch (const std::exception&) {
                problem(std::string("pruner.") + key, std::string(key) + " must be a whole number from " + std::to_string(lowest) +
                                                          " (got " + j[key].dump() + ")");
                return fallback;
            }
        };
        const std::set<std::string> known = type == "asha" ? std::set<std::string>{"type", "min_epochs", "reduction_factor"}
                                                           : std::set<std::string>{"type", "warmup_epochs", "startup_trials"};
        for (auto it = j.begin(); it != j.end(); ++it)
            if (!known.count(it.key()))
                problem("pruner." + it.key(), "unknown key '" + it.key() + "' for the " + type + " pruner");
        if (type == "asha") {
            p.asha.minEpochs = whole("min_epochs", 1, 1);
            p.asha.reductionFactor = whole("reduction_factor", 3, 2);
            p.asha.maxEpochs = epochs;
            if (p.asha.minEpochs >= epochs)
                problem("pruner.min_epochs", "min_epochs (" + std::to_string(p.asha.minEpochs) + ") must be below the trials' epochs (" +
                                                 std::to_string(epochs) + "): nothing would be pruned");
        } else {
            p.median.warmupEpochs = whole("warmup_epochs", 0, 0);
            p.median.startupTrials = whole("startup_trials", 5, 0);
        }
        return p;
    }

private:
    std::vector<FieldProblem>& m_problems;
};

// A seed for group `group`'s draw: the spec's seed and the group number mixed (splitmix64), so that
// every configuration has a stream of its own whatever order the trials end in.
uint64_t drawSeed(uint64_t seed, int64_t group)
{
    uint64_t z = seed + 0x9E3779B97F4A7C15ull * (static_cast<uint64_t>(group) + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

std::vector<search::Param> params(const std::vector<Distribution>& space)
{
    std::vector<search::Param> out;
    for (const Distribution& d : space)
        out.push_back(d.param);
    return out;
}

// `withTrials` false: the sampler, pruner, base and seeds only (what a sweep folder that lists
// its own trials reads from its spec, on every read), without planning and checking the trials.
SweepPlan plan(const json& spec, std::vector<FieldProblem>& problems, bool withTrials = true)
{
    SweepPlan p;
    p.spec = spec;
    if (!spec.is_object()) {
        problems.push_back({"", "a sweep spec is a JSON object with \"base\", \"grid\", \"random\" or \"tpe\", \"pruner\" and \"seeds\""});
        return p;
    }
    for (auto it = spec.begin(); it != spec.end(); ++it)
        if (it.key() != "base" && it.key() != "grid" && it.key() != "random" && it.key() != "tpe" && it.key() != "pruner" &&
            it.key() != "seeds")
            problems.push_back({it.key(), "unknown key '" + it.key() + "' (base, grid, random, tpe, pruner, seeds)"});
    if (spec.contains("tpe") && (spec.contains("grid") || spec.contains("random")))
        problems.push_back({"tpe", "tpe draws every configuration itself: give it alone, without grid or random"});
    Planner planner(problems);
    p.base = planner.base(spec);
    const std::vector<Axis> axes = planner.grid(spec);
    int64_t trials = 0;
    uint64_t randomSeed = 0;
    const std::vector<Distribution> space = planner.space(spec, "random", trials, randomSeed);
    int64_t startup = p.search.tpe.startup;
    const std::vector<Distribution> tpeSpace = planner.space(spec, "tpe", p.search.tpeTrials, p.search.tpeSeed, &startup);
    p.search.tpe.startup = startup;
    p.search.space = params(tpeSpace);
    p.search.sampler = spec.contains("tpe") ? "tpe" : spec.contains("random") ? (spec.contains("grid") ? "grid+random" : "random") : "grid";
    p.pruner = planner.pruner(spec, p.base.epochs);
    if (p.pruner.type != "none")
        for (const char* section : {"grid", "random", "tpe"})
            if (spec.contains(section) && spec[section].is_object() &&
                (spec[section].contains("epochs") || spec[section].value("space", json::object()).contains("epochs")))
                problems.push_back({std::string(section) + ".epochs", "a pruner's rungs are epochs of one length of run: "
                                                                      "epochs cannot vary in a sweep with a pruner"});

    if (spec.contains("seeds")) {
        const json& s = spec["seeds"];
        if (!s.is_array() || s.empty()) {
            problems.push_back({"seeds", "seeds must be a non-empty list of whole numbers, e.g. [1, 2, 3]"});
        } else {
            std::set<uint64_t> seen;
            for (const json& v : s) {
                try {
                    const auto seed = jsonInteger<uint64_t>(v);
                    if (!seen.insert(seed).second)
                        problems.push_back({"seeds", "seed " + v.dump() + " is listed twice"});
                    p.seeds.push_back(seed);
                } catch (const std::exception&) {
                    problems.push_back({"seeds", "seed " + v.dump() + " is not a whole number from 0 to 18446744073709551615"});
                }
            }
        }
    } else {
        p.seeds.push_back(p.base.seed);
    }
    if (!problems.empty() || !withTrials)
        return p;

    // The configurations: the grid's points (the last key fastest), then the random samples.
    std::vector<json> configurations;
    size_t points = axes.empty() ? 0 : 1;
    for (const Axis& a : axes)
        points *= a.values.size();
    constexpr size_t kMaxTrials = 100000;
    const size_t planned = (points + static_cast<size_t>(trials) + static_cast<size_t>(p.search.tpeTrials)) * p.seeds.size();
    if (planned > kMaxTrials) {
        problems.push_back({"", "the sweep has " + std::to_string(planned) + " trials; at most " + std::to_string(kMaxTrials) +
                                    " are planned"});
        return p;
    }
    for (size_t point = 0; point < points; ++point) {
        json params = json::object();
        size_t rest = point;
        for (size_t a = axes.size(); a-- > 0;) {
            params[axes[a].key] = axes[a].values[rest % axes[a].values.size()];
            rest /= axes[a].values.size();
        }
        configurations.push_back(std::move(params));
    }
    std::mt19937_64 rng(randomSeed);
    const std::vector<search::Param> randomSpace = params(space);
    for (int64_t t = 0; t < trials; ++t)
        configurations.push_back(search::sampleRandom(randomSpace, rng));
    if (configurations.empty() && p.search.sampler != "tpe")
        configurations.push_back(json::object()); // seeds of the base alone

    std::set<std::string> keys;
    for (const Axis& a : axes)
        if (keys.insert(a.key).second)
            p.keys.push_back(a.key);
    for (const std::vector<Distribution>* part : {&space, &tpeSpace})
        for (const Distribution& d : *part)
            if (keys.insert(d.param.key).second)
                p.keys.push_back(d.param.key);

    for (const json& varied : configurations)
        for (const FieldProblem& fp : appendConfiguration(p, varied))
            problems.push_back(fp);
    if (p.search.sampler == "tpe") {
        // The draws are made as trials start; the space's ends were checked above, and the base once here.
        for (const FieldProblem& fp : fieldProblems(p.base))
            if (!isMachineField(fp.field))
                problems.push_back({"base: " + fp.field, fp.message});
    }
    return p;
}

} // namespace

int64_t plannedTrialCount(const SweepPlan& plan)
{
    if (plan.search.sampler == "tpe")
        return plan.search.tpeTrials * static_cast<int64_t>(plan.seeds.size());
    return static_cast<int64_t>(plan.trials.size());
}

std::vector<FieldProblem> appendConfiguration(SweepPlan& p, const nlohmann::json& varied)
{
    TrainConfig config = p.base;
    for (auto it = varied.begin(); it != varied.end(); ++it)
        setFieldFromJson(config, *findField(it.key()), it.value());
    // Every configuration names every varying setting (the base's value where it keeps it), so
    // that tables and charts have one column per setting.
    json params = json::object();
    for (const std::string& k : p.keys)
        params[k] = findField(k)->get(config);
    const int64_t group = p.groups++;
    for (uint64_t seed : p.seeds) {
        SweepTrial t;
        t.index = static_cast<int64_t>(p.trials.size());
        t.group = group;
        t.params = params;
        t.seed = seed;
        t.runName = trialRunName(t.index);
        t.config = config;
        t.config.seed = seed;
        p.trials.push_back(std::move(t));
    }
    // Each configuration's problems once, with what it is. The machine's settings are the
    // sweep command's to give (applyMachineSettings() checks them then).
    std::vector<FieldProblem> problems;
    for (const FieldProblem& fp : fieldProblems(p.trials.back().config))
        if (!isMachineField(fp.field))
            problems.push_back({"trial " + std::to_string(p.trials.back().index - static_cast<int64_t>(p.seeds.size()) + 1) + " (" +
                                    (params.empty() ? std::string("base") : describeParams(params)) + "): " + fp.field,
                                fp.message});
    return problems;
}

nlohmann::json drawTpeConfiguration(const SweepPlan& plan, int64_t group, const std::vector<search::Observation>& history)
{
    std::mt19937_64 rng(drawSeed(plan.search.tpeSeed, group));
    return search::sampleTpe(plan.search.space, history, plan.search.tpe, rng);
}

search::Space sweepSpace(const SweepPlan& plan)
{
    std::vector<FieldProblem> ignored;
    Planner planner(ignored);
    int64_t trials = 0;
    uint64_t seed = 0;
    search::Space out = params(planner.space(plan.spec, "random", trials, seed));
    for (const search::Param& p : plan.search.space)
        out.push_back(p);
    for (const Axis& a : planner.grid(plan.spec)) {
        if (std::any_of(out.begin(), out.end(), [&](const search::Param& p) { return p.key == a.key; }))
            continue;
        search::Param p;
        p.key = a.key;
        const bool numbers = std::all_of(a.values.begin(), a.values.end(), [](const json& v) { return v.is_number(); });
        if (!numbers || a.values.size() < 2) {
            p.kind = search::ParamKind::Choice;
            p.choices = a.values;
        } else {
            p.lo = p.hi = a.values.front().get<double>();
            for (const json& v : a.values) {
                p.lo = std::min(p.lo, v.get<double>());
                p.hi = std::max(p.hi, v.get<double>());
            }
            p.kind = p.lo > 0 && p.hi >= 10 * p.lo ? search::ParamKind::LogUniform : search::ParamKind::Uniform;
        }
        out.push_back(std::move(p));
    }
    return out;
}

std::vector<FieldProblem> sweepSpecProblems(const nlohmann::json& spec)
{
    std::vector<FieldProblem> problems;
    plan(spec, problems);
    return problems;
}

SweepPlan planSweep(const nlohmann::json& spec, const std::string& file)
{
    std::vector<FieldProblem> problems;
    SweepPlan p = plan(spec, problems);
    if (!problems.empty()) {
        std::string message = file + ": " + std::to_string(problems.size()) + (problems.size() == 1 ? " problem" : " problems");
        for (const FieldProblem& fp : problems)
            message += "\n  " + (fp.field.empty() ? std::string() : fp.field + ": ") + fp.message;
        throw ConfigError(message);
    }
    return p;
}

SweepPlan planSweepSettings(const nlohmann::json& spec)
{
    std::vector<FieldProblem> problems;
    return plan(spec, problems, false);
}

SweepPlan loadSweepSpec(const std::string& path)
{
    std::ifstream in(path);
    if (!in)
        throw ConfigError(path + ": cannot be read");
    json spec;
    try {
        spec = json::parse(in);
    } catch (const std::exception& e) {
        throw ConfigError(path + ": not valid JSON: " + e.what());
    }
    return planSweep(spec, path);
}

std::string describeParams(const nlohmann::json& params)
{
    std::string out;
    for (auto it = params.begin(); it != params.end(); ++it)
        out += (out.empty() ? "" : ", ") + it.key() + "=" + (it.value().is_string() ? it.value().get<std::string>() : it.value().dump());
    return out;
}

std::string trialRunName(int64_t index)
{
    char name[32];
    std::snprintf(name, sizeof name, "trial-%04lld", static_cast<long long>(index));
    return name;
}

} // namespace mnist
