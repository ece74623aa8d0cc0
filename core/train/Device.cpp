#include "train/Device.h"

#include "Error.h"

#include <torch/cuda.h>

#include <thread>

namespace mnist {

torch::Device resolveDevice(const std::string& spec)
{
    if (spec == "auto")
        return torch::cuda::is_available() ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
    if (spec == "cpu")
        return torch::Device(torch::kCPU);
    long index = 0;
    if (!parseCudaIndex(spec, &index))
        throw ConfigError(deviceSyntaxProblem(spec));
    if (!torch::cuda::is_available())
        throw ConfigError("device '" + spec +
                          "' was asked for, but no CUDA device is available (this LibTorch has no CUDA support or no GPU "
                          "was found); use --device cpu or auto");
    const long count = static_cast<long>(torch::cuda::device_count());
    if (index >= count)
        throw ConfigError("device '" + spec + "' does not exist: " + std::to_string(count) + " CUDA device(s) found");
    return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
}

std::vector<std::string> availableDevices()
{
    std::vector<std::string> out{"cpu"};
    if (torch::cuda::is_available())
        for (size_t i = 0; i < torch::cuda::device_count(); ++i)
            out.push_back("cuda:" + std::to_string(i));
    return out;
}

int effectiveThreads(int requested)
{
    if (requested > 0)
        return requested;
    const unsigned n = std::thread::hardware_concurrency();
    return n > 0 ? static_cast<int>(n) : 1;
}

} // namespace mnist
