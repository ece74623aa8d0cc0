#pragma once
// Choosing the device a run trains on.
#include <torch/types.h>

#include <string>
#include <vector>

namespace mnist {

// Empty when `spec` is syntactically one of auto, cpu, cuda, cuda:N; otherwise the problem.
std::string deviceSyntaxProblem(const std::string& spec);

// auto: the first CUDA device when there is one, else the CPU. Throws ConfigError when CUDA is
// asked for and there is none, or the index is out of range.
torch::Device resolveDevice(const std::string& spec);

// "cpu" and "cuda:0".."cuda:N-1" for the devices present.
std::vector<std::string> availableDevices();

// Threads for intra-op parallelism: `requested`, or all cores when 0.
int effectiveThreads(int requested);

// LibTorch's OpenMP threads spin while they wait. When anything else wants a core (the GUI, a
// compiler, a second run) spinning threads starve it and each other: measured here, LeNet fell from
// 11,000 to under 700 images/s on a busy 2-core machine, against 5,800-11,000 with passive waiting.
// OpenMP reads OMP_WAIT_POLICY when the process loads, so the first call of main() re-executes the
// program with OMP_WAIT_POLICY=PASSIVE unless the user set a policy. Returns only when no re-exec
// happened (already set, or exec failed).
void useCooperativeOpenMpThreads(char** argv);

} // namespace mnist
