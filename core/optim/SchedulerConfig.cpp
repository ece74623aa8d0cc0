#include "optim/SchedulerConfig.h"

#include "JsonInteger.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace mnist {

const std::vector<std::string>& schedulerTypes()
{
    static const std::vector<std::string> types = {"none", "cosine", "cyclic", "warm-restarts",
                                                   "one-cycle", "step", "exponential"};
    return types;
}

std::vector<std::string> validateScheduler(const SchedulerConfig& c)
{
    std::vector<std::string> p;
    const auto finite = [](double v) { return std::isfinite(v); };
    const auto& types = schedulerTypes();
    if (std::find(types.begin(), types.end(), c.type) == types.end()) {
        p.push_back("scheduler '" + c.type +
                    "' is unknown (choose none, cosine, cyclic, warm-restarts, one-cycle, step or exponential)");
        return p;
    }
    if ((c.type == "cosine" || c.type == "warm-restarts") && (!finite(c.etaMin) || c.etaMin < 0))
        p.push_back("eta_min must be zero or positive (got " + std::to_string(c.etaMin) + ")");
    if (c.type == "cosine" && c.tMax <= 0)
        p.push_back("T_max must be a positive number of iterations (got " + std::to_string(c.tMax) + ")");
    if (c.type == "cyclic") {
        if (!finite(c.baseLr) || c.baseLr <= 0)
            p.push_back("base_lr must be positive (got " + std::to_string(c.baseLr) + ")");
        if (!finite(c.maxLr) || c.maxLr <= 0)
            p.push_back("max_lr must be positive (got " + std::to_string(c.maxLr) + ")");
        if (c.baseLr > c.maxLr)
            p.push_back("base_lr (" + std::to_string(c.baseLr) + ") must not exceed max_lr (" + std::to_string(c.maxLr) + ")");
        if (c.stepSizeUp <= 0)
            p.push_back("step_size_up must be a positive number of iterations (got " + std::to_string(c.stepSizeUp) + ")");
        if (c.stepSizeDown < 0)
            p.push_back("step_size_down must be positive, or 0 for the same as step_size_up (got " +
                        std::to_string(c.stepSizeDown) + ")");
        if (c.mode != "triangular" && c.mode != "triangular2" && c.mode != "exp_range")
            p.push_back("cyclic mode '" + c.mode + "' is unknown (choose triangular, triangular2 or exp_range)");
    }
    if ((c.type == "cyclic" || c.type == "step" || c.type == "exponential") && c.gamma &&
        (!finite(*c.gamma) || *c.gamma <= 0))
        p.push_back("gamma must be positive (got " + std::to_string(*c.gamma) + ")");
    if (c.type == "warm-restarts") {
        if (c.t0 < 1)
            p.push_back("T_0 must be a positive number of iterations (got " + std::to_string(c.t0) + ")");
        if (!finite(c.tMult) || c.tMult < 1 || std::floor(c.tMult) != c.tMult)
            p.push_back("T_mult must be an integer of at least 1 (got " + std::to_string(c.tMult) + ")");
    }
    if (c.type == "one-cycle") {
        if (!finite(c.maxLr) || c.maxLr <= 0)
            p.push_back("max_lr must be positive (got " + std::to_string(c.maxLr) + ")");
        if (!finite(c.pctStart) || c.pctStart <= 0 || c.pctStart >= 1)
            p.push_back("pct_start must lie strictly between 0 and 1 (got " + std::to_string(c.pctStart) + ")");
        if (c.anneal != "cos" && c.anneal != "linear")
            p.push_back("anneal strategy '" + c.anneal + "' is unknown (choose cos or linear)");
        if (!finite(c.divFactor) || c.divFactor <= 0)
            p.push_back("div_factor must be positive (got " + std::to_string(c.divFactor) + ")");
        if (!finite(c.finalDivFactor) || c.finalDivFactor <= 0)
            p.push_back("final_div_factor must be positive (got " + std::to_string(c.finalDivFactor) + ")");
    }
    if (c.type == "step" && c.stepSize <= 0)
        p.push_back("step_size must be a positive number of iterations (got " + std::to_string(c.stepSize) + ")");
    return p;
}

void to_json(nlohmann::json& j, const SchedulerConfig& c)
{
    j = nlohmann::json{{"type", c.type}};
    if (c.type == "cosine")
        j.update({{"T_max", c.tMax}, {"eta_min", c.etaMin}});
    else if (c.type == "cyclic")
        j.update({{"base_lr", c.baseLr}, {"max_lr", c.maxLr}, {"step_size_up", c.stepSizeUp},
                  {"step_size_down", c.stepSizeDown}, {"mode", c.mode}, {"gamma", c.gammaOr(1.0)}});
    else if (c.type == "warm-restarts")
        j.update({{"T_0", c.t0}, {"T_mult", c.tMult}, {"eta_min", c.etaMin}});
    else if (c.type == "one-cycle")
        j.update({{"max_lr", c.maxLr}, {"pct_start", c.pctStart}, {"anneal_strategy", c.anneal},
                  {"div_factor", c.divFactor}, {"final_div_factor", c.finalDivFactor}});
    else if (c.type == "step")
        j.update({{"step_size", c.stepSize}, {"gamma", c.gammaOr(0.1)}});
    else if (c.type == "exponential")
        j.update({{"gamma", c.gammaOr(0.9999)}});
}

void from_json(const nlohmann::json& j, SchedulerConfig& c)
{
    c = SchedulerConfig{};
    // The parameter names are PyTorch's, so a config reads like the Python call it reproduces.
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& k = it.key();
        const auto& v = it.value();
        if (k == "type") c.type = v.get<std::string>();
        else if (k == "T_max") c.tMax = jsonInteger<int64_t>(v);
        else if (k == "eta_min") c.etaMin = v.get<double>();
        else if (k == "base_lr") c.baseLr = v.get<double>();
        else if (k == "max_lr") c.maxLr = v.get<double>();
        else if (k == "step_size_up") c.stepSizeUp = jsonInteger<int64_t>(v);
        else if (k == "step_size_down") c.stepSizeDown = v.is_null() ? 0 : jsonInteger<int64_t>(v);
        else if (k == "mode") c.mode = v.get<std::string>();
        else if (k == "gamma") c.gamma = v.get<double>();
        else if (k == "T_0") c.t0 = jsonInteger<int64_t>(v);
        else if (k == "T_mult") c.tMult = v.get<double>();
        else if (k == "pct_start") c.pctStart = v.get<double>();
        else if (k == "anneal_strategy") c.anneal = v.get<std::string>();
        else if (k == "div_factor") c.divFactor = v.get<double>();
        else if (k == "final_div_factor") c.finalDivFactor = v.get<double>();
        else if (k == "step_size") c.stepSize = jsonInteger<int64_t>(v);
        else throw std::invalid_argument("unknown scheduler key '" + k + "'");
    }
}

} // namespace mnist
