#include "HandWrittenNetworks.h"

#include "models/PoolEarly.h"

#include <torch/torch.h>

namespace bench {
namespace {

namespace nn = torch::nn;

nn::Conv2d conv(int64_t in, int64_t out, int64_t kernel)
{
    return nn::Conv2d(nn::Conv2dOptions(in, out, kernel).stride(1).padding(kernel / 2));
}

// LeNet: two conv blocks (16, 32; 5x5) and a linear classifier.
class LeNetImpl : public mnist::Network {
public:
    LeNetImpl()
    {
        m_block1 = register_module("block1", nn::Sequential(conv(1, 16, 5), nn::ReLU(), nn::MaxPool2d(nn::MaxPool2dOptions(2))));
        m_block2 = register_module("block2", nn::Sequential(conv(16, 32, 5), nn::ReLU(), nn::MaxPool2d(nn::MaxPool2dOptions(2))));
        m_fc = register_module("fc", nn::Linear(7 * 7 * 32, 10));
    }
    torch::Tensor forward(torch::Tensor x) override
    {
        x = mnist::forwardConvBlock(m_block2, mnist::forwardConvBlock(m_block1, x));
        return m_fc->forward(x.reshape({x.size(0), -1}));
    }

private:
    nn::Sequential m_block1{nullptr}, m_block2{nullptr};
    nn::Linear m_fc{nullptr};
};

// Conv -> BN -> ReLU -> Dropout2d -> MaxPool, appended so that indices match PyTorch's.
void appendDeepBlock(nn::Sequential& block, int64_t in, int64_t out, int64_t kernel)
{
    block->push_back(conv(in, out, kernel));
    block->push_back(nn::BatchNorm2d(out));
    block->push_back(nn::ReLU());
    block->push_back(nn::Dropout2d(0.125));
    block->push_back(nn::MaxPool2d(nn::MaxPool2dOptions(2)));
}

class LeNetDeepImpl : public mnist::Network {
public:
    LeNetDeepImpl()
    {
        nn::Sequential b1, b2, b3, b4;
        b1->push_back(nn::BatchNorm2d(1));
        appendDeepBlock(b1, 1, 16, 5);
        appendDeepBlock(b2, 16, 32, 5);
        appendDeepBlock(b3, 32, 64, 3);
        appendDeepBlock(b4, 64, 128, 3);
        m_blocks = {register_module("block1", b1), register_module("block2", b2), register_module("block3", b3),
                    register_module("block4", b4)};
        m_fcDrop = register_module("fc_drop", nn::Sequential(nn::Linear(128, 10), nn::Dropout(0.4)));
    }
    torch::Tensor forward(torch::Tensor x) override
    {
        for (auto& block : m_blocks)
            x = mnist::forwardConvBlock(block, x);
        return m_fcDrop->forward(x.reshape({x.size(0), -1}));
    }

private:
    std::vector<nn::Sequential> m_blocks;
    nn::Sequential m_fcDrop{nullptr};
};

// The notebook pools, drops, then applies ReLU, in that order.
nn::Sequential poolingBlock(int64_t in, int64_t out)
{
    return nn::Sequential(conv(in, out, 3), nn::MaxPool2d(nn::MaxPool2dOptions(2)), nn::Dropout(0.25), nn::ReLU());
}

class SimpleNetImpl : public mnist::Network {
public:
    SimpleNetImpl()
    {
        m_block1 = register_module("block1", nn::Sequential(conv(1, 32, 3), nn::ReLU()));
        m_block2 = register_module("block2", poolingBlock(32, 32));
        m_block3 = register_module("block3", nn::Sequential(conv(32, 64, 3), nn::ReLU()));
        m_block4 = register_module("block4", poolingBlock(64, 64));
        m_fc = register_module("fc", nn::Sequential(nn::Linear(7 * 7 * 64, 512), nn::BatchNorm1d(512), nn::ReLU(),
                                                    nn::Linear(512, 10)));
    }
    torch::Tensor forward(torch::Tensor x) override
    {
        x = m_block4->forward(m_block3->forward(m_block2->forward(m_block1->forward(x))));
        return m_fc->forward(x.reshape({x.size(0), -1}));
    }

private:
    nn::Sequential m_block1{nullptr}, m_block2{nullptr}, m_block3{nullptr}, m_block4{nullptr}, m_fc{nullptr};
};

} // namespace

std::shared_ptr<mnist::Network> createHandWrittenNetwork(const std::string& name)
{
    if (name == "LeNet")
        return std::make_shared<LeNetImpl>();
    if (name == "LeNetDeep")
        return std::make_shared<LeNetDeepImpl>();
    if (name == "SimpleNet")
        return std::make_shared<SimpleNetImpl>();
    return nullptr;
}

} // namespace bench
