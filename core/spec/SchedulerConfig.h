#pragma once
// Which learning-rate schedule a run uses, with PyTorch's parameters. All steps are iterations
// (the notebook calls scheduler.step() after every optimizer.step()).
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mnist {

struct SchedulerConfig {
    // none | cosine | cyclic | warm-restarts | one-cycle | step | exponential
    std::string type = "none";

    // cosine: CosineAnnealingLR(T_max, eta_min); warm-restarts uses eta_min too
    int64_t tMax = 1000;
    double etaMin = 0.0;

    // cyclic: CyclicLR(base_lr, max_lr, step_size_up, step_size_down, mode, gamma), momentum cycling off
    double baseLr = 1e-4;
    double maxLr = 1e-3;             // one-cycle's max_lr too
    int64_t stepSizeUp = 2000;
    int64_t stepSizeDown = 0;        // 0: equal to stepSizeUp (PyTorch's None)
    std::string mode = "triangular"; // triangular | triangular2 | exp_range
    std::optional<double> gamma;     // exp_range (default 1), step (default 0.1), exponential (default 0.9999)

    // warm-restarts: CosineAnnealingWarmRestarts(T_0, T_mult, eta_min); T_mult must be an integer >= 1
    int64_t t0 = 250;
    double tMult = 1.0;

    // one-cycle: OneCycleLR(max_lr, total_steps = epochs x iterations per epoch, pct_start,
    // anneal_strategy, div_factor, final_div_factor), two phases, momentum cycling off
    double pctStart = 0.3;
    std::string anneal = "cos"; // cos | linear
    double divFactor = 25.0;
    double finalDivFactor = 1e4;

    // step: StepLR(step_size in iterations, gamma)
    int64_t stepSize = 1000;

    double gammaOr(double fallback) const { return gamma.value_or(fallback); }
};

// The accepted names of `type`, for help texts and menus.
const std::vector<std::string>& schedulerTypes();

// Every problem with the parameters the chosen type uses, in words; empty when valid.
std::vector<std::string> validateScheduler(const SchedulerConfig& config);

void to_json(nlohmann::json& j, const SchedulerConfig& c);
void from_json(const nlohmann::json& j, SchedulerConfig& c);

} // namespace mnist
