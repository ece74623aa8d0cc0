#pragma once
// Puts the process-wide random generators back as they were when it goes: the CPU's and, for a
// CUDA device, that device's. Whatever draws inside (a layout or precision measurement, an LR
// range test) then leaves the run that follows drawing what it would have drawn without it.
#include <ATen/core/Generator.h>
#include <c10/core/Device.h>
#include <c10/util/Optional.h>

#include <torch/types.h>

namespace mnist {

class GeneratorStateGuard {
public:
    explicit GeneratorStateGuard(const c10::Device& device);
    ~GeneratorStateGuard();
    GeneratorStateGuard(const GeneratorStateGuard&) = delete;
    GeneratorStateGuard& operator=(const GeneratorStateGuard&) = delete;

private:
    at::Generator m_cpu;
    torch::Tensor m_cpuState;
    c10::optional<at::Generator> m_cuda;
    torch::Tensor m_cudaState;
};

} // namespace mnist
