#include "models/SimpleNet.h"

#include <torch/torch.h>

namespace mnist {
namespace {

torch::nn::Conv2d conv3x3(int64_t in, int64_t out)
{
    return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).padding(1));
}

// The notebook pools, drops, then applies ReLU (in that order): kept so outputs match.
torch::nn::Sequential poolingBlock(int64_t in, int64_t out)
{
    return torch::nn::Sequential(conv3x3(in, out), torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2)),
                                 torch::nn::Dropout(0.25), torch::nn::ReLU());
}

} // namespace

SimpleNetImpl::SimpleNetImpl()
{
    m_block1 = register_module("block1", torch::nn::Sequential(conv3x3(1, 32), torch::nn::ReLU()));
    m_block2 = register_module("block2", poolingBlock(32, 32));
    m_block3 = register_module("block3", torch::nn::Sequential(conv3x3(32, 64), torch::nn::ReLU()));
    m_block4 = register_module("block4", poolingBlock(64, 64));
    m_fc = register_module("fc", torch::nn::Sequential(torch::nn::Linear(7 * 7 * 64, 512), torch::nn::BatchNorm1d(512),
                                                       torch::nn::ReLU(), torch::nn::Linear(512, 10)));
}

torch::Tensor SimpleNetImpl::forward(torch::Tensor x)
{
    x = m_block4->forward(m_block3->forward(m_block2->forward(m_block1->forward(x))));
    return m_fc->forward(x.reshape({x.size(0), -1}));
}

} // namespace mnist
