#pragma once
// The hand-written LeNet, LeNetDeep and SimpleNet classes the core had before networks became
// specs (commit 26e0095), kept for `make bench` only: the spec-built networks must train at least
// as fast as these did, measured side by side in one run. Same module names and layer order as
// the specs, so their state_dicts are interchangeable.
#include "models/Network.h"

#include <memory>
#include <string>

namespace bench {

// nullptr for a name other than LeNet, LeNetDeep and SimpleNet.
std::shared_ptr<mnist::Network> createHandWrittenNetwork(const std::string& name);

} // namespace bench
