#include "models/LeNet.h"

#include "models/PoolEarly.h"

#include <torch/torch.h>

namespace mnist {
namespace {

torch::nn::Sequential convBlock(int64_t in, int64_t out, int64_t kernel, bool batchNorm, bool dropout)
{
    torch::nn::Sequential block;
    block->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, kernel).stride(1).padding(kernel / 2)));
    if (batchNorm)
        block->push_back(torch::nn::BatchNorm2d(out));
    block->push_back(torch::nn::ReLU());
    if (dropout)
        block->push_back(torch::nn::Dropout2d(0.125));
    block->push_back(torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2)));
    return block;
}

} // namespace

LeNetImpl::LeNetImpl(const LeNetOptions& o)
{
    m_block1 = register_module("block1", convBlock(1, o.channels1, 5, o.batchNorm, o.dropout));
    m_block2 = register_module("block2", convBlock(o.channels1, o.channels2, o.kernel2, o.batchNorm, o.dropout));
    const int64_t features = 7 * 7 * o.channels2;
    if (o.dropout) {
        m_head = register_module("fc_drop", torch::nn::Sequential(torch::nn::Linear(features, 10), torch::nn::Dropout(0.4)));
    } else {
        m_fc = register_module("fc", torch::nn::Linear(features, 10));
    }
}

torch::Tensor LeNetImpl::forward(torch::Tensor x)
{
    x = forwardConvBlock(m_block2, forwardConvBlock(m_block1, x));
    x = x.reshape({x.size(0), -1});
    return m_head ? m_head->forward(x) : m_fc->forward(x);
}

} // namespace mnist
