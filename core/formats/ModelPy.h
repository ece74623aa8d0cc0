#pragma once
// model.py: a run's network as plain PyTorch source, so that a PyTorch user loads the run's
// weights with nothing of MNIST Studio installed:
//   from model import build, load_weights
//   net = build(); net.load_state_dict(load_weights("model.safetensors")); net.eval()
// build() returns nn.Sequential(OrderedDict(...)) with the spec's keys (NetworkSpec.h), so its
// state_dict names and shapes are those our safetensors files hold. load_weights() uses the
// safetensors package when present and reads the format itself otherwise (Debian has no
// python3-safetensors). No LibTorch here: the spec says everything.
#include "spec/NetworkSpec.h"

#include <optional>
#include <string>
#include <vector>

namespace mnist {

// The Normalize the run applied to every split, written into model.py for its users.
struct InputNormalization {
    double mean = 0;
    double std = 1;
    std::vector<double> channelMean, channelStd; // per channel when not empty (AugmentConfig.h)
};

// The source of model.py for a valid spec (NetworkSpecError otherwise).
std::string modelPySource(const NetworkSpec& spec, const std::optional<InputNormalization>& normalize = std::nullopt);

// Writes it atomically.
void writeModelPy(const std::string& path, const NetworkSpec& spec,
                  const std::optional<InputNormalization>& normalize = std::nullopt);

} // namespace mnist
