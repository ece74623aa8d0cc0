#include "train/LayoutCalibration.h"

#include "EnvFlag.h"
#include "AtomicFile.h"
#include "models/MemoryLayout.h"
#include "models/ModelRegistry.h"
#include "optim/OptimizerFactory.h"
#include "train/CalibrationCache.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <vector>

namespace mnist {
namespace {

using Clock = std::chrono::steady_clock;

// Contiguous replaces channels-last only when clearly faster: within this margin the difference
// is the machine's noise, and the layout that has won everywhere so far stays.
constexpr double kSwitchMargin = 0.97;
// Each timed window: long enough to average a few steps, short enough that the whole measurement
// (two warm-ups and three alternated rounds each way) stays around a second.
constexpr double kWindowSeconds = 0.12;

// Puts the default CPU generator back as it was, so the run draws what it would have drawn.
class GeneratorStateGuard {
public:
    GeneratorStateGuard() : m_gen(at::detail::getDefaultCPUGenerator())
    {
        std::lock_guard<std::mutex> lock(m_gen.mutex());
        m_state = m_gen.get_state();
    }
    ~GeneratorStateGuard()
    {
        std::lock_guard<std::mutex> lock(m_gen.mutex());
        m_gen.set_state(m_state);
    }
    GeneratorStateGuard(const GeneratorStateGuard&) = delete;
    GeneratorStateGuard& operator=(const GeneratorStateGuard&) = delete;

private:
    at::Generator m_gen;
    torch::Tensor m_state;
};

// One layout's throwaway network and optimizer.
struct Trial {
    std::shared_ptr<Network> net;
    std::unique_ptr<torch::optim::Optimizer> optimizer;

    void step(const torch::Tensor& x, const torch::Tensor& y)
    {
        optimizer->zero_grad();
        torch::nn::functional::cross_entropy(net->forward(x), y).backward();
        optimizer->step();
    }
    double secondsPerStep(const torch::Tensor& x, const torch::Tensor& y, int steps)
    {
        const auto t0 = Clock::now();
        for (int i = 0; i < steps; ++i)
            step(x, y);
        return std::chrono::duration<double>(Clock::now() - t0).count() / steps;
    }
};

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

std::string readWholeFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return {};
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string milliseconds(double ms)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, ms < 10 ? "%.2f" : "%.1f", ms);
    return buf;
}

} // namespace

std::string LayoutDecision::describe() const
{
    if (source == "set")
        return layout() + " (set by memory_format)";
    if (source == "gpu")
        return layout() + " (auto on a GPU)";
    if (source == "measured" || source == "cached") {
        const std::string other = channelsLast ? "contiguous" : "channels-last";
        return layout() + " (" + (source == "measured" ? "measured now" : "measured earlier") + " on this machine: " +
               milliseconds(channelsLast ? channelsLastMs : contiguousMs) + " ms a step, " + other + " " +
               milliseconds(channelsLast ? contiguousMs : channelsLastMs) + " ms)";
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
    const GeneratorStateGuard keepDraws;
    LayoutDecision d;
    d.channelsLast = true;
    d.source = "default";
    Trial trials[2]; // channels-last, contiguous
    for (int i = 0; i < 2; ++i) {
        trials[i].net = createNetwork(c);
        trials[i].net->train();
        if (i == 0)
            setConvWeightLayout(*trials[i].net, torch::MemoryFormat::ChannelsLast);
        trials[i].optimizer = makeOptimizer(c, trials[i].net->parameters());
    }
    const auto params = trials[0].net->parameters();
    if (std::none_of(params.begin(), params.end(), [](const torch::Tensor& p) { return p.dim() == 4; }))
        return d; // no convolution: both layouts are the same network

    const int64_t batch = std::max<int64_t>(1, c.batchSize);
    const torch::Tensor x = torch::rand({batch, 1, 28, 28});
    int64_t classes = 0;
    {
        torch::NoGradGuard noGrad;
        classes = trials[1].net->forward(x).size(1);
    }
    const torch::Tensor y = torch::randint(classes, {batch}, torch::kLong);
    // oneDNN builds its kernels on first use: one step each untimed, then one timed to size the windows.
    double warm = 0;
    for (Trial& t : trials) {
        t.step(x, y);
        warm = std::max(warm, t.secondsPerStep(x, y, 1));
    }
    const int steps = std::clamp(static_cast<int>(std::ceil(kWindowSeconds / std::max(warm, 1e-4))), 1, 25);
    std::vector<double> times[2];
    for (int round = 0; round < 3; ++round)
        for (int k = 0; k < 2; ++k) {
            const int i = (round + k) % 2; // the first of a round alternates
            times[i].push_back(trials[i].secondsPerStep(x, y, steps));
        }
    d.source = "measured";
    d.channelsLastMs = 1000 * median(times[0]);
    d.contiguousMs = 1000 * median(times[1]);
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
        // cuDNN picks its own layouts for fp32; NHWC pays off there only with mixed precision.
        d.source = "gpu";
        return d;
    }
    d.channelsLast = true;
    d.source = "default";
    if (envFlag("MNIST_STUDIO_NO_CALIBRATION"))
        return d;
    const std::string path = calibrationFilePath();
    const std::string key = layoutKey(c, threads);
    const std::string text = path.empty() ? std::string() : readWholeFile(path);
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
    try {
        std::filesystem::create_directories(std::filesystem::path(path).parent_path());
        // Read again: the runs of a sweep measure side by side, and each keeps the others' entries.
        const std::string updated =
            withLayoutMeasurement(readWholeFile(path), key, {d.channelsLast, d.channelsLastMs, d.contiguousMs});
        writeFileAtomically(path, [&](std::ostream& out) { out << updated; });
    } catch (const std::exception&) {
        // An unwritable config folder: measured again next time.
    }
    return d;
}

} // namespace mnist
