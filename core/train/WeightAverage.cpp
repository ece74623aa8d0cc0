#include "train/WeightAverage.h"

#include <torch/torch.h>

#include <stdexcept>

namespace mnist {

WeightAverage::WeightAverage(std::shared_ptr<Network> average, double decay)
    : m_average(std::move(average)), m_decay(decay)
{
    if (!(decay >= 0 && decay < 1))
        throw std::invalid_argument("EMA decay must be in [0, 1)");
}

void WeightAverage::update(const Network& live)
{
    torch::NoGradGuard noGrad;
    const auto liveParams = live.parameters();
    const auto avgParams = m_average->parameters();
    const auto liveBuffers = live.buffers();
    const auto avgBuffers = m_average->buffers();
    if (liveParams.size() != avgParams.size() || liveBuffers.size() != avgBuffers.size())
        throw std::invalid_argument("the averaged network is not of the live network's architecture");
    const bool first = m_updates == 0;
    const double weight = 1.0 - m_decay;
    auto blend = [&](const torch::Tensor& from, torch::Tensor to) {
        if (first || !to.is_floating_point())
            to.copy_(from);
        else
            to.lerp_(from, weight);
    };
    for (size_t i = 0; i < liveParams.size(); ++i)
        blend(liveParams[i], avgParams[i]);
    for (size_t i = 0; i < liveBuffers.size(); ++i)
        blend(liveBuffers[i], avgBuffers[i]);
    ++m_updates;
}

} // namespace mnist
