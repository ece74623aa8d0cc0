#pragma once
// Pieces shared by the interop tests that compare our networks with another runtime (PyTorch's
// model.py, ONNX Runtime).
#include "models/Network.h"
#include "models/SpecNetwork.h"

#include <torch/torch.h>

#include <fstream>
#include <sstream>
#include <string>

namespace fixtures {

// BatchNorm's statistics and weights away from 0 and 1, so that eval mode really uses them.
inline void randomizeBatchNorm(mnist::Network& net)
{
    torch::NoGradGuard noGrad;
    for (auto& b : net.named_buffers()) {
        const std::string& name = b.key();
        if (name.size() > 13 && name.compare(name.size() - 13, 13, ".running_mean") == 0)
            b.value().uniform_(-0.5, 0.5);
        else if (name.size() > 12 && name.compare(name.size() - 12, 12, ".running_var") == 0)
            b.value().uniform_(0.5, 1.5);
    }
    for (auto& p : net.named_parameters())
        if (p.key().find("bias") == std::string::npos && p.value().dim() == 1)
            p.value().uniform_(0.5, 1.5); // BatchNorm weights
}

// The network of `spec` built after seeding with `seed`, its BatchNorm statistics randomised, in
// eval mode: what the interop tests compare against the other runtime.
inline std::shared_ptr<mnist::Network> evalNetwork(const mnist::NetworkSpec& spec, uint64_t seed)
{
    torch::manual_seed(seed);
    const auto net = mnist::buildNetwork(spec);
    randomizeBatchNorm(*net);
    net->eval();
    return net;
}

inline std::string readText(const std::string& path)
{
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

} // namespace fixtures
