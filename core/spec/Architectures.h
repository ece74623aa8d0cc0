#pragma once
// Architectures by name: the built-in networks (resources/architectures/, the notebook's eight
// first) and the user's own (userArchitecturesDir() of run/RunLayout.h), all of them JSON specs (NetworkSpec.h). A
// set-up names one with `arch`, or points at a spec file with `arch_file`. No LibTorch: building a
// network from its spec is models/ModelRegistry.h's createNetwork().
#include "spec/NetworkSpec.h"

#include <string>
#include <vector>

namespace mnist {

struct TrainConfig;
struct DataShape;

struct ArchitectureInfo {
    std::string name;        // e.g. "LeNetDL-k3"; the CLI, configs and run folders use it
    std::string description; // one line for menus and --list-archs
    bool builtin = true;     // false: a spec file in userArchitecturesDir()
};

// The built-in networks in their order, then the user's valid ones by name. A user file whose
// name is a built-in one, or that is not a valid spec, is left out (listUserArchitectures()
// says why).
std::vector<ArchitectureInfo> architectures();

// Each *.json of userArchitecturesDir(), with its problem ("" when usable), sorted by file name.
struct UserArchitecture {
    std::string file;
    std::string name;    // the spec's name (the file's stem when unreadable)
    std::string problem; // empty when the spec is valid and its name is free
};
std::vector<UserArchitecture> listUserArchitectures();

bool isKnownArchitecture(const std::string& name);

// The spec of a built-in or user network; ConfigError listing the known ones for another name.
NetworkSpec findNetworkSpec(const std::string& name);

// The network a set-up trains: its arch_file when set (read and validated), else its arch. A
// built-in network takes the data's shape (config.data): its input becomes [C, H, W] and its last
// Linear the classifier of the data's classes (state_dict names unchanged). A user's spec is used
// as written, and refused with a ConfigError naming both shapes when it disagrees with the data.
NetworkSpec networkSpecFor(const TrainConfig& config);

// A spec with the data's input and classes; ConfigError when it does not fit (too small images
// for its pools, no plain classifier at its end).
NetworkSpec adaptNetworkSpec(const NetworkSpec& spec, const DataShape& data);

// Sets config.arch to the name of the network in config.archFile, when it names a readable spec:
// folder names, lists and summaries then say which network ran. Leaves it alone otherwise (the
// field's check says what is wrong with the file).
void nameArchitectureFromFile(TrainConfig& config);

// "LeNet, LeNetBN, ..." for error messages and help text.
std::string architectureNames();

} // namespace mnist
