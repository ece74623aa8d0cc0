#pragma once
// `memory_format: auto` on the CPU, decided on the machine at hand. Channels-last has been the
// faster layout on every CPU measured so far, but by margins that differ from CPU to CPU and
// network to network, so a constant tuned on one machine is not trusted: a run's first use of a
// network and batch size on this machine times a few training steps each way on a throwaway copy
// (about a second; longer for big networks), keeps the faster, and caches it in calibration.json
// (train/CalibrationCache.h). MNIST_STUDIO_NO_CALIBRATION=1 skips the measurement: channels-last.
#include "spec/TrainConfig.h"

#include <c10/core/Device.h>

#include <string>

namespace mnist {

struct LayoutDecision {
    bool channelsLast = false;
    // "set" (memory_format names a layout), "gpu" (auto on a GPU: channels-last for bf16 and fp16,
    // else contiguous), "measured",
    // "cached", or "default" (not measured: channels-last on the CPU).
    std::string source;
    double channelsLastMs = 0, contiguousMs = 0; // per training step, when measured or cached

    std::string layout() const { return channelsLast ? "channels-last" : "contiguous"; }
    // One line for people: the layout and why.
    std::string describe() const;
};

// The layout a run of `c` on `device` with `threads` threads trains in. Measuring draws from and
// then restores the default CPU generator, so the run's random numbers are those it would have had.
LayoutDecision decideLayout(const TrainConfig& c, const c10::Device& device, int threads);

// Times `c`'s network both ways on random data (the measurement behind decideLayout, uncached).
LayoutDecision measureLayouts(const TrainConfig& c);

// The calibration file's key for this run's measurement.
std::string layoutKey(const TrainConfig& c, int threads);

} // namespace mnist
