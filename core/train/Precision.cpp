#include "train/Precision.h"

#include "EnvFlag.h"
#include "Error.h"
#include "models/MemoryLayout.h"
#include "models/ModelRegistry.h"
#include "optim/OptimizerFactory.h"
#include "train/CalibrationCache.h"
#include "train/LayoutCalibration.h"
#include "train/StepTiming.h"

#include <ATen/autocast_mode.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace mnist {
namespace {

// A lower precision replaces fp32 only when clearly faster: it gives up fp32's exactness, and
// within this margin the difference is the machine's noise.
constexpr double kReducedMargin = 0.95;

c10::ScalarType dtypeOf(const std::string& precision)
{
    return precision == "fp16" ? c10::ScalarType::Half : c10::ScalarType::BFloat16;
}

std::string precisionKey(const TrainConfig& c, const c10::Device& device, int threads, bool channelsLast)
{
    // The CPU's name identifies the machine; a GPU run is keyed by its device too.
    std::string key = layoutKey(c, threads) + " | " + (channelsLast ? "channels-last" : "contiguous");
    if (!device.is_cpu())
        key += " | " + device.str();
    return key;
}

} // namespace

std::string PrecisionDecision::describe() const
{
    const std::string emulation =
        emulated ? "; this CPU has no bf16 instructions, so bf16 is emulated and many times slower than fp32" : "";
    if (source == "set")
        return precision + " (set by precision" + emulation + ")";
    if (source == "resumed")
        return precision + " (auto, as the checkpoint being resumed trained" + emulation + ")";
    if (source == "no-bf16")
        return precision + " (auto: this CPU has no bf16 instructions)";
    if (source == "measured" || source == "cached") {
        std::string out = precision + " (auto, " + (source == "measured" ? "measured now" : "measured earlier") +
                          " on this machine:";
        for (const auto& [name, ms] : msPerStep)
            if (name == precision)
                out += " " + stepMilliseconds(ms) + " ms a step";
        for (const auto& [name, ms] : msPerStep)
            if (name != precision)
                out += ", " + name + " " + stepMilliseconds(ms) + " ms";
        return out + ")";
    }
    return precision + " (auto, not measured)";
}

bool cpuHasBf16()
{
    // The flags never change while the program runs: /proc/cpuinfo is read once.
    static const bool has = [] {
        std::ifstream in("/proc/cpuinfo");
        std::string line;
        while (std::getline(in, line)) {
            if (line.rfind("flags", 0) != 0)
                continue;
            std::istringstream words(line);
            std::string w;
            while (words >> w)
                if (w == "avx512_bf16" || w == "amx_bf16")
                    return true;
            return false; // every core lists the same flags
        }
        return false;
    }();
    return has;
}

void checkPrecisionRuns(const std::string& precision, const c10::Device& device)
{
    if (precision == "fp16" && !device.is_cuda())
        throw ConfigError("precision fp16 runs only on a CUDA GPU (this run is on " + device.str() + "): choose " +
                          (cpuHasBf16() ? "bf16 or auto on the CPU" : "auto or fp32 on this CPU (it has no bf16 instructions)"));
    if (precision != "fp32" && precision != "bf16" && precision != "fp16" && precision != "auto")
        throw ConfigError("precision must be fp32, bf16, fp16 or auto (got '" + precision + "')");
}

std::string fastestPrecision(const std::vector<std::pair<std::string, double>>& msPerStep)
{
    double fp32 = 0;
    for (const auto& [name, ms] : msPerStep)
        if (name == "fp32")
            fp32 = ms;
    std::string best = "fp32";
    double bestMs = fp32 * kReducedMargin;
    for (const auto& [name, ms] : msPerStep)
        if (name != "fp32" && ms < bestMs) {
            best = name;
            bestMs = ms;
        }
    return best;
}

PrecisionDecision measurePrecisions(const TrainConfig& c, const c10::Device& device, bool channelsLast,
                                    const std::vector<std::string>& candidates)
{
    const GeneratorStateGuard keepDraws(device);
    std::vector<StepTrial> trials(candidates.size());
    for (size_t i = 0; i < candidates.size(); ++i) {
        trials[i].net = createNetwork(c);
        trials[i].net->train();
        placeNetwork(*trials[i].net, device, channelsLast);
        trials[i].optimizer = makeOptimizer(c, trials[i].net->parameters());
        trials[i].precision = candidates[i];
    }
    const std::vector<double> ms = timeStepsAlternated(trials, timingBatch(c, device, channelsLast));
    PrecisionDecision d;
    d.source = "measured";
    for (size_t i = 0; i < candidates.size(); ++i)
        d.msPerStep.emplace_back(candidates[i], ms[i]);
    d.precision = fastestPrecision(d.msPerStep);
    return d;
}

PrecisionDecision decidePrecision(const TrainConfig& c, const c10::Device& device, int threads, bool channelsLast,
                                  const std::string& resumed)
{
    checkPrecisionRuns(c.precision, device);
    PrecisionDecision d;
    const auto emulatedHere = [&](const std::string& p) { return p == "bf16" && device.is_cpu() && !cpuHasBf16(); };
    if (c.precision != "auto") {
        d.precision = c.precision;
        d.source = "set";
        d.emulated = emulatedHere(d.precision);
        return d;
    }
    if (!resumed.empty()) {
        checkPrecisionRuns(resumed, device);
        d.precision = resumed;
        d.source = "resumed";
        d.emulated = emulatedHere(d.precision);
        return d;
    }
    std::vector<std::string> candidates{"fp32"};
    if (device.is_cuda())
        candidates.insert(candidates.end(), {"fp16", "bf16"});
    else if (cpuHasBf16())
        candidates.push_back("bf16");
    else {
        d.source = "no-bf16";
        return d;
    }
    if (envFlag("MNIST_STUDIO_NO_CALIBRATION"))
        return d;
    const std::string path = calibrationFilePath();
    const std::string key = precisionKey(c, device, threads, channelsLast);
    if (const auto cached = findPrecisionMeasurement(readCalibrationText(path), key)) {
        d.precision = cached->chosen;
        d.source = "cached";
        d.msPerStep = cached->msPerStep;
        return d;
    }
    try {
        d = measurePrecisions(c, device, channelsLast, candidates);
    } catch (const std::exception&) {
        if (!device.is_cuda())
            return d; // a measurement must never stop the run: fp32
        try { // a GPU without bf16 fails its trial: measure the others
            d = measurePrecisions(c, device, channelsLast, {"fp32", "fp16"});
        } catch (const std::exception&) {
            return PrecisionDecision{};
        }
    }
    updateCalibrationFile(path, [&](const std::string& current) {
        return withPrecisionMeasurement(current, key, {d.precision, d.msPerStep});
    });
    return d;
}

// LibTorch 2.4 replaced the per-backend autocast calls with ones taking the device type (the old
// ones remain, deprecated); 1.13, Debian's, has only the old ones.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define MNIST_AUTOCAST_BY_DEVICE_TYPE 1
#endif

namespace {

bool autocastEnabled(bool cuda)
{
#ifdef MNIST_AUTOCAST_BY_DEVICE_TYPE
    return at::autocast::is_autocast_enabled(cuda ? at::kCUDA : at::kCPU);
#else
    return cuda ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
#endif
}

c10::ScalarType autocastDtype(bool cuda)
{
#ifdef MNIST_AUTOCAST_BY_DEVICE_TYPE
    return at::autocast::get_autocast_dtype(cuda ? at::kCUDA : at::kCPU);
#else
    return cuda ? at::autocast::get_autocast_gpu_dtype() : at::autocast::get_autocast_cpu_dtype();
#endif
}

void setAutocast(bool cuda, bool enabled, c10::ScalarType dtype)
{
#ifdef MNIST_AUTOCAST_BY_DEVICE_TYPE
    at::autocast::set_autocast_enabled(cuda ? at::kCUDA : at::kCPU, enabled);
    at::autocast::set_autocast_dtype(cuda ? at::kCUDA : at::kCPU, dtype);
#else
    if (cuda) {
        at::autocast::set_enabled(enabled);
        at::autocast::set_autocast_gpu_dtype(dtype);
    } else {
        at::autocast::set_cpu_enabled(enabled);
        at::autocast::set_autocast_cpu_dtype(dtype);
    }
#endif
}

} // namespace

AutocastScope::AutocastScope(const c10::Device& device, const std::string& precision)
{
    if (precision == "fp32")
        return;
    m_cuda = device.is_cuda();
    m_wasEnabled = autocastEnabled(m_cuda);
    m_wasDtype = autocastDtype(m_cuda);
    setAutocast(m_cuda, true, dtypeOf(precision));
    at::autocast::increment_nesting();
    m_on = true;
}

AutocastScope::~AutocastScope()
{
    if (!m_on)
        return;
    // The weights' casts are cached for the scope's forward pass; dropped with its outermost scope.
    if (at::autocast::decrement_nesting() == 0)
        at::autocast::clear_cache();
    setAutocast(m_cuda, m_wasEnabled, m_wasDtype);
}

} // namespace mnist
