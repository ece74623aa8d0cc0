#pragma once
// Choosing the device a run trains on.
#include "spec/DeviceName.h"

#include <torch/types.h>

#include <string>
#include <vector>

namespace mnist {

// auto: the first CUDA device when there is one, else the CPU. Throws ConfigError when CUDA is
// asked for and there is none, or the index is out of range.
torch::Device resolveDevice(const std::string& spec);

// "cpu" and "cuda:0".."cuda:N-1" for the devices present.
std::vector<std::string> availableDevices();

// Threads for intra-op parallelism: `requested`, or all cores when 0.
int effectiveThreads(int requested);


} // namespace mnist
