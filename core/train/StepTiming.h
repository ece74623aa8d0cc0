#pragma once
// Timing a few training steps of throwaway copies of a run's network: how the choices that are
// measured per machine are made (memory_format auto: LayoutCalibration.h; precision auto:
// Precision.h). Each candidate is one StepTrial; the trials are timed in alternated rounds on the
// same random batch, so a machine whose speed drifts during the measurement favours none. Callers
// hold a GeneratorStateGuard while they measure: the run draws what it would have drawn.
#include "models/Network.h"
#include "train/GeneratorStateGuard.h"
#include "spec/TrainConfig.h"

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

namespace mnist {

// One candidate: its network (made by createNetwork, placed and laid out by the caller), its
// optimizer, and the precision its forward pass runs in ("fp32", "bf16", "fp16").
struct StepTrial {
    std::shared_ptr<Network> net;
    std::unique_ptr<torch::optim::Optimizer> optimizer;
    std::string precision = "fp32";

    void step(const torch::Tensor& x, const torch::Tensor& y);
};

// A training batch of `c`'s input shape and class count on `device` (random images and labels).
struct TimingBatch {
    torch::Tensor x, y;
};
TimingBatch timingBatch(const TrainConfig& c, const torch::Device& device, bool channelsLast);

// The median wall time of one step of each trial, in milliseconds: one untimed warm-up step each
// (oneDNN and cuDNN build their kernels on first use), then three alternated rounds of a window
// of steps each (around 0.1 s a window).
std::vector<double> timeStepsAlternated(std::vector<StepTrial>& trials, const TimingBatch& batch);

// A step time for the choices' descriptions: "4.73" (under 10 ms), "56.9".
std::string stepMilliseconds(double ms);

} // namespace mnist
