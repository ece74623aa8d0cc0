#include "train/GeneratorStateGuard.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>

#include <mutex>

namespace mnist {
namespace {

torch::Tensor stateOf(at::Generator& gen)
{
    std::lock_guard<std::mutex> lock(gen.mutex());
    return gen.get_state();
}

void restore(at::Generator& gen, const torch::Tensor& state)
{
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(state);
}

} // namespace

GeneratorStateGuard::GeneratorStateGuard(const c10::Device& device) : m_cpu(at::detail::getDefaultCPUGenerator())
{
    m_cpuState = stateOf(m_cpu);
    if (device.is_cuda()) {
        m_cuda = at::globalContext().defaultGenerator(device);
        m_cudaState = stateOf(*m_cuda);
    }
}

GeneratorStateGuard::~GeneratorStateGuard()
{
    restore(m_cpu, m_cpuState);
    if (m_cuda)
        restore(*m_cuda, m_cudaState);
}

} // namespace mnist
