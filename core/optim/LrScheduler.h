#pragma once
// Learning-rate schedules as pure functions of the iteration, equal to torch.optim.lr_scheduler's
// values when scheduler.step() is called once after every optimizer.step(): lrAt(i) is the LR that
// iteration i (0-based) trains with.
#include "spec/SchedulerConfig.h"

#include <memory>

namespace mnist {

class LrSchedule {
public:
    virtual ~LrSchedule() = default;
    // LR used at iteration `step` >= 0.
    virtual double lrAt(int64_t step) const = 0;
};

// Builds the schedule. `optimizerLr` is the optimizer's LR (the base LR of none, cosine,
// warm-restarts, step and exponential; cyclic and one-cycle ignore it, as PyTorch does).
// `totalSteps` (epochs x iterations per epoch) is needed by one-cycle only.
// Throws ConfigError listing every invalid parameter.
std::unique_ptr<LrSchedule> makeSchedule(const SchedulerConfig& config, double optimizerLr, int64_t totalSteps);

// lrAt(0..count-1): what the CLI's --print-lr-schedule and the GUI's LR preview show.
std::vector<double> lrSequence(const SchedulerConfig& config, double optimizerLr, int64_t totalSteps, int64_t count);

} // namespace mnist
