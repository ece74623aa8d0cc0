#include "models/MemoryLayout.h"

#include <torch/torch.h>

namespace mnist {

void setConvWeightLayout(Network& model, torch::MemoryFormat format)
{
    torch::NoGradGuard noGrad;
    for (auto& p : model.parameters())
        if (p.dim() == 4)
            p.set_data(torch::empty(p.sizes(), p.options().memory_format(format)).copy_(p));
}

void placeNetwork(Network& model, const torch::Device& device, bool channelsLast)
{
    model.to(device);
    if (channelsLast)
        setConvWeightLayout(model, torch::MemoryFormat::ChannelsLast);
}

ChannelsLastScope::ChannelsLastScope(Network& model, const torch::Device& device)
{
    if (!device.is_cpu())
        return;
    setConvWeightLayout(model, torch::MemoryFormat::ChannelsLast);
    m_model = &model;
}

ChannelsLastScope::~ChannelsLastScope()
{
    if (m_model)
        setConvWeightLayout(*m_model, torch::MemoryFormat::Contiguous);
}

} // namespace mnist
