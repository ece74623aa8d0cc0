#pragma once
// The learning-rate range test (Smith 2017, "Cyclical Learning Rates for Training Neural
// Networks", section 3.3): a throwaway copy of the set-up trains for at most one epoch while the
// LR rises exponentially; the LR where the loss falls fastest is a good one to train with. No
// LibTorch in this header: the window's dialog uses it.
#include "spec/TrainConfig.h"
#include "train/StopToken.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace mnist {

struct DataSplits;

struct LrFinderOptions {
    double startLr = 1e-7; // the first iteration's LR
    double endLr = 10;     // the LR the last iteration of the epoch would reach
    // At most this many iterations (0: one epoch); the LR still spans startLr..endLr over them.
    int64_t maxIterations = 0;
};

struct LrPoint {
    double lr = 0;
    double loss = 0; // the smoothed training loss after the step at `lr`
};

struct LrFinderResult {
    std::vector<LrPoint> points; // in rising LR
    double suggestedLr = 0;      // steepestDescentLr(points); 0 when there are too few points
    bool diverged = false;       // ended because the smoothed loss exceeded 4x its low or was not finite
    bool stopped = false;        // ended on request
    std::string precision = "fp32"; // what the test trained in (the config's precision, auto decided)
    std::string precisionWhy;       // PrecisionDecision::describe()
};

// The LR at the steepest descent of the smoothed loss against log LR; 0 for fewer than 2 points.
double steepestDescentLr(const std::vector<LrPoint>& points);

// The setting a suggested LR belongs in for this config: "scheduler.max_lr" for one-cycle (whose
// peak LR is max_lr), else "lr".
std::string suggestedLrField(const TrainConfig& config);

class LrFinder {
public:
    // Validates the config (ConfigError) and the options (ConfigError naming them).
    LrFinder(TrainConfig config, LrFinderOptions options);

    // Trains the throwaway copy on `data`.train. `progress` hears (iterations done, at most how
    // many). A stop request ends it within one iteration with the points so far. The global random
    // generators are left as they were, so a run started after it draws what it would have anyway.
    LrFinderResult run(const DataSplits& data, const std::function<void(int64_t, int64_t)>& progress,
                       const StopToken& stop) const;
    // The same on the set-up's own data (its data set or folder, split by its train fraction).
    LrFinderResult run(const std::function<void(int64_t, int64_t)>& progress, const StopToken& stop) const;

    // Iterations run() trains at most on a training split of `trainSize` images.
    int64_t iterations(int64_t trainSize) const;

private:
    TrainConfig m_config;
    LrFinderOptions m_options;
};

} // namespace mnist
