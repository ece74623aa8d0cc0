#pragma once
// The `precision` a run computes in. fp32 is LibTorch's plain path, bit for bit PyTorch's. bf16 and
// fp16 are PyTorch's autocast: inside AutocastScope, convolutions and linear layers run in the
// lower precision (their fp32 weights cast once per step, autocast's cache), BatchNorm keeps fp32
// parameters and statistics (LibTorch's mixed-type kernel), and the loss is computed in fp32;
// gradients land on the fp32 weights, which the optimizer updates. fp16 (CUDA only) scales the
// loss (GradScaler.h). Saved weights, model.py and ONNX stay fp32 whatever ran.
//
// auto picks the fastest precision on the machine at hand, measured once per machine, network and
// batch size and kept in calibration.json, as memory_format auto is: on a CPU, fp32 against bf16
// where the CPU has bf16 instructions (AVX512-BF16 or AMX; elsewhere bf16 is emulated, slower, and
// not measured); on a GPU fp32, fp16 and bf16. A lower precision must win clearly (kReducedMargin in
// Precision.cpp), so auto never picks one that its own measurement found slower than fp32.
#include "spec/TrainConfig.h"

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <string>
#include <utility>
#include <vector>

namespace mnist {

struct PrecisionDecision {
    std::string precision = "fp32"; // what runs: "fp32", "bf16" or "fp16"
    // "set" (the config names it), "measured", "cached", "resumed" (auto continues the checkpoint's),
    // "no-bf16" (auto on a CPU without bf16 instructions) or "default" (auto, not measured).
    std::string source = "default";
    std::vector<std::pair<std::string, double>> msPerStep; // when measured or cached
    // bf16 on a CPU without bf16 instructions (set, or resumed): it runs, in software, many times
    // slower than fp32, which people must hear before they wait for it.
    bool emulated = false;

    bool reduced() const { return precision != "fp32"; }
    // One line for people: the precision and why.
    std::string describe() const;
};

// Whether this CPU has bf16 arithmetic in hardware (the avx512_bf16 or amx_bf16 flags).
bool cpuHasBf16();

// The precision a run of `c` trains in on `device` with `threads` threads and the layout chosen.
// `resumed`, when not empty, is the precision the run's checkpoint was trained in: auto continues
// with it. Throws ConfigError for a precision the device cannot run (fp16 on the CPU).
PrecisionDecision decidePrecision(const TrainConfig& c, const c10::Device& device, int threads, bool channelsLast,
                                  const std::string& resumed = {});

// The measurement behind auto, uncached: each candidate's training step timed on throwaway networks.
PrecisionDecision measurePrecisions(const TrainConfig& c, const c10::Device& device, bool channelsLast,
                                    const std::vector<std::string>& candidates);

// The rule auto applies to a measurement: the fastest lower precision when it beats fp32 clearly,
// else fp32. `msPerStep` must hold fp32.
std::string fastestPrecision(const std::vector<std::pair<std::string, double>>& msPerStep);

// Throws ConfigError naming the precision when `device` cannot run it.
void checkPrecisionRuns(const std::string& precision, const c10::Device& device);

// Autocast on for this thread and `device` while it lives, in `precision`'s dtype; nothing for fp32.
// Nests; restores what was set before.
class AutocastScope {
public:
    AutocastScope(const c10::Device& device, const std::string& precision);
    ~AutocastScope();
    AutocastScope(const AutocastScope&) = delete;
    AutocastScope& operator=(const AutocastScope&) = delete;

private:
    bool m_on = false;
    bool m_cuda = false;
    bool m_wasEnabled = false;
    c10::ScalarType m_wasDtype = c10::ScalarType::BFloat16;
};

} // namespace mnist
