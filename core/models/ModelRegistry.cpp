#include "models/ModelRegistry.h"

#include "Error.h"
#include "run/RunLayout.h"
#include "models/SpecNetwork.h"

#include <torch/torch.h>

namespace mnist {

std::shared_ptr<Network> createNetwork(const std::string& name)
{
    return buildNetwork(findNetworkSpec(name));
}

std::shared_ptr<Network> createNetwork(const TrainConfig& config)
{
    return buildNetwork(networkSpecFor(config));
}

int64_t parameterCount(const torch::nn::Module& module)
{
    int64_t n = 0;
    for (const auto& p : module.parameters())
        n += p.numel();
    return n;
}

} // namespace mnist
