#pragma once
// Networks built by name: createNetwork() builds an architecture of spec/Architectures.h (a
// built-in or the user's spec) with SpecNetwork.
#include "models/Network.h"
#include "spec/Architectures.h"

#include <memory>
#include <string>
#include <vector>

namespace mnist {

// A freshly initialised network (LibTorch's default initialisation from the global generator).
// Throws ConfigError for an unknown name or an invalid spec, naming it.
std::shared_ptr<Network> createNetwork(const std::string& name);
std::shared_ptr<Network> createNetwork(const TrainConfig& config);

// Number of trainable parameters (what the notebook prints).
int64_t parameterCount(const torch::nn::Module& module);

} // namespace mnist
