#include "models/LeNetDeep.h"

#include "models/PoolEarly.h"

#include <torch/torch.h>

namespace mnist {
namespace {

// Conv -> BN -> ReLU -> Dropout2d -> MaxPool, appended to `block` so indices match PyTorch's.
void appendConvBlock(torch::nn::Sequential& block, int64_t in, int64_t out, int64_t kernel)
{
    block->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, kernel).stride(1).padding(kernel / 2)));
    block->push_back(torch::nn::BatchNorm2d(out));
    block->push_back(torch::nn::ReLU());
    block->push_back(torch::nn::Dropout2d(0.125));
    block->push_back(torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2)));
}

} // namespace

LeNetDeepImpl::LeNetDeepImpl()
{
    torch::nn::Sequential b1, b2, b3, b4;
    b1->push_back(torch::nn::BatchNorm2d(1));
    appendConvBlock(b1, 1, 16, 5);
    appendConvBlock(b2, 16, 32, 5);
    appendConvBlock(b3, 32, 64, 3);
    appendConvBlock(b4, 64, 128, 3);
    m_block1 = register_module("block1", b1);
    m_block2 = register_module("block2", b2);
    m_block3 = register_module("block3", b3);
    m_block4 = register_module("block4", b4);
    m_fcDrop = register_module("fc_drop", torch::nn::Sequential(torch::nn::Linear(128, 10), torch::nn::Dropout(0.4)));
}

torch::Tensor LeNetDeepImpl::forward(torch::Tensor x)
{
    for (torch::nn::Sequential* block : {&m_block1, &m_block2, &m_block3, &m_block4})
        x = forwardConvBlock(*block, x);
    return m_fcDrop->forward(x.reshape({x.size(0), -1}));
}

} // namespace mnist
