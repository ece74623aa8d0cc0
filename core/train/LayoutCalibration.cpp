#include "train/LayoutCalibration.h"

#include "EnvFlag.h"
#include "models/MemoryLayout.h"
#include "models/ModelRegistry.h"
#include "optim/OptimizerFactory.h"
#include "train/CalibrationCache.h"
#include "train/StepTiming.h"

#include <torch/torch.h>
#include <torch/version.h>

#include <algorithm>
#include <cstdio>

namespace mnist {
namespace {

// Contiguous replaces channels-last only when clearly faster: within this margin the difference
// is the machine's noise, and the layout that has won everywhere so far stays.
constexpr double kSwitchMargin = 0.97;

} // namespace

std::string LayoutDecision::describe() const
{
    if (source == "set")
        return layout() + " (set by memory_format)";
    if (source == "gpu")
        return layout() + (channelsLast ? " (auto on a GPU in mixed precision)" : " (auto on a GPU)");
    if (source == "measured" || source == "cached") {
        const std::string other = channelsLast ? "contiguous" : "channels-last";
        return layout() + " (" + (source == "measured" ? "measured now" : "measured earlier") + " on this machine: " +
               stepMilliseconds(channelsLast ? channelsLastMs : contiguousMs) + " ms a step, " + other + " " +
               stepMilliseconds(channelsLast ? contiguousMs : channelsLastMs) + " ms)";
    }
    return layout() + " (auto, not measured)";
}

std::string layoutKey(const TrainConfig& c, int threads)
{
    const std::string network = c.archFile.empty() ? c.arch : c.arch + " (" + c.archFile + ")";
    return cpuModelName() + " | LibTorch " + TORCH_VERSION + " | " + std::to_string(threads) + " threads | " + network + " | batch " +
           std::to_string(c.batchSize);
}

LayoutDecision measureLayouts(const TrainConfig& c)
{
    const GeneratorStateGuard keepDraws(torch::kCPU);
    LayoutDecision d;
    d.channelsLast = true;
    d.source = "default";
    std::vector<StepTrial> trials(2); // channels-last, contiguous
    for (size_t i = 0; i < trials.size(); ++i) {
        trials[i].net = createNetwork(c);
        trials[i].net->train();
        if (i == 0)
            setConvWeightLayout(*trials[i].net, torch::MemoryFormat::ChannelsLast);
        trials[i].optimizer = makeOptimizer(c, trials[i].net->parameters());
    }
    const auto params = trials[0].net->parameters();
    if (std::none_of(params.begin(), params.end(), [](const torch::Tensor& p) { return p.dim() == 4; }))
        return d; // no convolution: both layouts are the same network
    const std::vector<double> ms = timeStepsAlternated(trials, timingBatch(c, torch::kCPU, false));
    d.source = "measured";
    d.channelsLastMs = ms[0];
    d.contiguousMs = ms[1];
    d.channelsLast = !(d.contiguousMs < kSwitchMargin * d.channelsLastMs);
    return d;
}

LayoutDecision decideLayout(const TrainConfig& c, const c10::Device& device, int threads)
{
    LayoutDecision d;
    if (c.memoryFormat != "auto") {
        d.channelsLast = c.memoryFormat == "channels-last";
        d.source = "set";
        return d;
    }
    if (!device.is_cpu()) {
        // cuDNN picks its own layouts for fp32; NHWC pays off there with mixed precision, whose
        // tensor-core kernels take it without a transpose. (precision auto is measured contiguous.)
        d.channelsLast = c.precision == "bf16" || c.precision == "fp16";
        d.source = "gpu";
        return d;
    }
    d.channelsLast = true;
    d.source = "default";
    if (envFlag("MNIST_STUDIO_NO_CALIBRATION"))
        return d;
    const std::string path = calibrationFilePath();
    const std::string key = layoutKey(c, threads);
    const std::string text = path.empty() ? std::string() : readCalibrationText(path);
    if (const auto cached = findLayoutMeasurement(text, key)) {
        d.channelsLast = cached->channelsLast;
        d.source = "cached";
        d.channelsLastMs = cached->channelsLastMs;
        d.contiguousMs = cached->contiguousMs;
        return d;
    }
    try {
        d = measureLayouts(c);
    } catch (const std::exception&) {
        return d; // a measurement must never stop the run: the usual layout
    }
    if (d.source != "measured" || path.empty())
        return d;
    updateCalibrationFile(path, [&](const std::string& current) {
        return withLayoutMeasurement(current, key, {d.channelsLast, d.channelsLastMs, d.contiguousMs});
    });
    return d;
}

} // namespace mnist
