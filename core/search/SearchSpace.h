#pragma once
// A search space as the samplers see it: each setting's distribution, by its JSON key, and the
// trials seen so far. Plain std and nlohmann/json: no LibTorch, no field table (the sweep spec
// turns the user's JSON into these and checks the values against the settings).
#include <nlohmann/json.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace mnist::search {

enum class ParamKind {
    Uniform,    // {"uniform": [lo, hi]}
    LogUniform, // {"log_uniform": [lo, hi]}, lo > 0: uniform in log(x)
    IntUniform, // {"int_uniform": [lo, hi]}: whole numbers lo..hi, each equally likely
    Choice,     // {"choice": [values]}: unordered categories
};

struct Param {
    std::string key;     // "lr", "scheduler.max_lr"
    ParamKind kind = ParamKind::Uniform;
    double lo = 0, hi = 0;              // numeric kinds
    bool integer = false;               // Uniform/LogUniform of a whole-number setting: values rounded into [ceil(lo), floor(hi)]
    std::vector<nlohmann::json> choices; // Choice
};
using Space = std::vector<Param>;

// A trial the samplers learn from: its values of the space's keys and its objective (the valid
// loss; lower is better). A diverged trial has +infinity: the worst, but still seen.
struct Observation {
    nlohmann::json params;
    double objective = 0;
};

// A double in [0, 1) from 53 random bits: the same on every platform (std's distributions are not).
double unit(std::mt19937_64& rng);
// The value at quantile u in [0, 1) of the parameter's prior (uniform in its own scale).
nlohmann::json valueAt(const Param& p, double u);
// One point drawn from the priors, keys in the space's order. A choice takes rng() % n, as the
// random sweeps always drew them, so a random sweep's trials stay those it planned before.
nlohmann::json sampleRandom(const Space& space, std::mt19937_64& rng);

// The scale the samplers and the importance model a parameter in: log(x) for log_uniform, the
// choice's index for a choice, the number itself otherwise. False (x untouched) when the value is
// not one of the parameter's: not a number, outside modelRange (beyond rounding), not among the
// choices. Rounding's overshoot is clamped into the range.
bool modelCoordinate(const Param& p, const nlohmann::json& value, double& x);
// The bounds of that scale: [log lo, log hi] for log_uniform, [lo - 0.5, hi + 0.5] for
// int_uniform (each whole number an equal share), [-0.5, n - 0.5] for n choices, else [lo, hi].
std::pair<double, double> modelRange(const Param& p);
// The parameter's value at a point of that scale: rounded (and kept in range) for whole numbers,
// the nearest index's choice.
nlohmann::json valueFromModel(const Param& p, double x);

} // namespace mnist::search
