#pragma once
// Architectures by name: the notebook's eight, with a one-line description each.
#include "models/Network.h"

#include <memory>
#include <string>
#include <vector>

namespace mnist {

struct ArchitectureInfo {
    std::string name;        // e.g. "LeNetDL-k3"; the CLI, configs and run folders use it
    std::string description; // one line for menus and --list-archs
};

// In the notebook's order.
const std::vector<ArchitectureInfo>& architectures();

bool isKnownArchitecture(const std::string& name);

// A freshly initialised network (LibTorch's default initialisation from the global generator).
// Throws ConfigError for an unknown name, listing the known ones.
std::shared_ptr<Network> createNetwork(const std::string& name);

// Number of trainable parameters (what the notebook prints).
int64_t parameterCount(const torch::nn::Module& module);

// "LeNet, LeNetBN, ..." for error messages and help text.
std::string architectureNames();

} // namespace mnist
