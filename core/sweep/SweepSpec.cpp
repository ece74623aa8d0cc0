#include "sweep/SweepSpec.h"

#include "Error.h"
#include "JsonInteger.h"
#include "spec/Recipes.h"

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
    std::string key;
    const ConfigField* field = nullptr;
    std::string kind; // uniform | log_uniform | choice
    double lo = 0, hi = 0;
    std::vector<json> choices;
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

    // The random part's distributions, its trial count and seed.
    std::vector<Distribution> space(const json& spec, int64_t& trials, uint64_t& seed)
    {
        std::vector<Distribution> out;
        trials = 0;
        seed = 0;
        if (!spec.contains("random"))
            return out;
        const json& r = spec["random"];
        if (!r.is_object()) {
            problem("random", "random must be a JSON object: {\"trials\": N, \"space\": {...}}");
            return out;
        }
        for (auto it = r.begin(); it != r.end(); ++it)
            if (it.key() != "trials" && it.key() != "space" && it.key() != "seed")
                problem("random." + it.key(), "unknown key '" + it.key() + "' in random (trials, seed, space)");
        try {
            trials = jsonInteger<int64_t>(r.value("trials", json()));
            if (trials < 1 || trials > 100000)
                throw std::out_of_range("between 1 and 100000");
        } catch (const std::exception& e) {
            problem("random.trials", std::string("random.trials must be a whole number of samples between 1 and 100000 (got ") +
                                         r.value("trials", json()).dump() + ")");
            trials = 0;
        }
        if (r.contains("seed")) {
            try {
                seed = jsonInteger<uint64_t>(r["seed"]);
            } catch (const std::exception&) {
                problem("random.seed", "random.seed must be a whole number from 0 (got " + r["seed"].dump() + ")");
            }
        }
        const json s = r.value("space", json());
        if (!s.is_object() || s.empty()) {
            problem("random.space", "random.space must be a non-empty object of setting: {\"uniform\" | \"log_uniform\": [low, "
                                    "high]} or {\"choice\": [values]}");
            return out;
        }
        for (auto it = s.begin(); it != s.end(); ++it) {
            const std::string where = "random.space." + it.key();
            const ConfigField* f = sweptField(where, it.key());
            if (!f)
                continue;
            const json& d = it.value();
            if (!d.is_object() || d.size() != 1) {
                problem(where, "a distribution is one of {\"uniform\": [low, high]}, {\"log_uniform\": [low, high]}, "
                               "{\"choice\": [values]}");
                continue;
            }
            Distribution dist{it.key(), f, d.begin().key(), 0, 0, {}};
            const json& arg = d.begin().value();
            if (dist.kind == "choice") {
                if (!arg.is_array() || arg.empty()) {
                    problem(where, "choice takes a non-empty list of values");
                    continue;
                }
                bool ok = true;
                for (const json& v : arg)
                    ok = acceptable(where, *f, v) && ok;
                if (!ok)
                    continue;
                dist.choices.assign(arg.begin(), arg.end());
            } else if (dist.kind == "uniform" || dist.kind == "log_uniform") {
                if (f->kind != FieldKind::Real && f->kind != FieldKind::Integer) {
                    problem(where, "'" + it.key() + "' is not a number: give it a {\"choice\": [values]}");
                    continue;
                }
                if (!arg.is_array() || arg.size() != 2 || !arg[0].is_number() || !arg[1].is_number() ||
                    !std::isfinite(arg[0].get<double>()) || !std::isfinite(arg[1].get<double>()) ||
                    arg[0].get<double>() > arg[1].get<double>()) {
                    problem(where, dist.kind + " takes [low, high] with low <= high (got " + arg.dump() + ")");
                    continue;
                }
                dist.lo = arg[0].get<double>();
                dist.hi = arg[1].get<double>();
                if (dist.kind == "log_uniform" && dist.lo <= 0) {
                    problem(where, "log_uniform needs low > 0 (got " + arg.dump() + ")");
                    continue;
                }
                if (!acceptable(where, *f, sampleValue(dist, 0.0)) || !acceptable(where, *f, sampleValue(dist, 1.0)))
                    continue;
            } else {
                problem(where, "unknown distribution '" + dist.kind + "' (uniform, log_uniform, choice)");
                continue;
            }
            out.push_back(std::move(dist));
        }
        return out;
    }

    // The value at u in [0, 1] of a uniform or log-uniform distribution; whole numbers for an
    // integer setting (rounded, within [lo, hi]).
    static json sampleValue(const Distribution& d, double u)
    {
        const double v = d.kind == "log_uniform" ? std::exp(std::log(d.lo) + u * (std::log(d.hi) - std::log(d.lo)))
                                                 : d.lo + u * (d.hi - d.lo);
        if (d.field->kind == FieldKind::Integer)
            return static_cast<int64_t>(std::llround(std::min(std::max(v, std::ceil(d.lo)), std::floor(d.hi))));
        return v;
    }

private:
    std::vector<FieldProblem>& m_problems;
};

// A double in [0, 1) from 53 random bits: the same on every platform (std's distributions are not).
double unit(std::mt19937_64& rng)
{
    return static_cast<double>(rng() >> 11) * (1.0 / 9007199254740992.0);
}

SweepPlan plan(const json& spec, std::vector<FieldProblem>& problems)
{
    SweepPlan p;
    p.spec = spec;
    if (!spec.is_object()) {
        problems.push_back({"", "a sweep spec is a JSON object with \"base\", \"grid\", \"random\" and \"seeds\""});
        return p;
    }
    for (auto it = spec.begin(); it != spec.end(); ++it)
        if (it.key() != "base" && it.key() != "grid" && it.key() != "random" && it.key() != "seeds")
            problems.push_back({it.key(), "unknown key '" + it.key() + "' (base, grid, random, seeds)"});
    Planner planner(problems);
    const TrainConfig base = planner.base(spec);
    const std::vector<Axis> axes = planner.grid(spec);
    int64_t trials = 0;
    uint64_t randomSeed = 0;
    const std::vector<Distribution> space = planner.space(spec, trials, randomSeed);

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
        p.seeds.push_back(base.seed);
    }
    if (!problems.empty())
        return p;

    // The configurations: the grid's points (the last key fastest), then the random samples.
    std::vector<json> configurations;
    size_t points = axes.empty() ? 0 : 1;
    for (const Axis& a : axes)
        points *= a.values.size();
    constexpr size_t kMaxTrials = 100000;
    if ((points + static_cast<size_t>(trials)) * p.seeds.size() > kMaxTrials) {
        problems.push_back({"", "the sweep has " + std::to_string((points + static_cast<size_t>(trials)) * p.seeds.size()) +
                                    " trials; at most " + std::to_string(kMaxTrials) + " are planned"});
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
    for (int64_t t = 0; t < trials; ++t) {
        json params = json::object();
        for (const Distribution& d : space)
            params[d.key] = d.kind == "choice" ? d.choices[static_cast<size_t>(rng() % d.choices.size())]
                                               : Planner::sampleValue(d, unit(rng));
        configurations.push_back(std::move(params));
    }
    if (configurations.empty())
        configurations.push_back(json::object()); // seeds of the base alone

    std::set<std::string> keys;
    for (const Axis& a : axes)
        if (keys.insert(a.key).second)
            p.keys.push_back(a.key);
    for (const Distribution& d : space)
        if (keys.insert(d.key).second)
            p.keys.push_back(d.key);

    for (const json& varied : configurations) {
        TrainConfig config = base;
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
        for (const FieldProblem& fp : fieldProblems(p.trials.back().config))
            if (!isMachineField(fp.field))
                problems.push_back({"trial " + std::to_string(p.trials.back().index - static_cast<int64_t>(p.seeds.size()) + 1) + " (" +
                                    (params.empty() ? std::string("base") : describeParams(params)) + "): " + fp.field,
                                fp.message});
    }
    return p;
}

} // namespace

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
