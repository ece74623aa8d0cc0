#pragma once
// The notebook's LeNet family: LeNet, LeNetBN, LeNetDrop, LeNetDropBN and both LeNetDL variants
// differ only in widths, the second kernel, BatchNorm and Dropout, so one class builds all six with
// the same module names as the PyTorch classes (block1.0.weight, fc_drop.0.bias, ...).
#include "models/Network.h"

#include <torch/nn/modules/container/sequential.h>

namespace mnist {

struct LeNetOptions {
    int64_t channels1 = 16;   // first convolution's output channels (5x5, padding 2)
    int64_t channels2 = 32;   // second convolution's output channels
    int64_t kernel2 = 5;      // second convolution's kernel (padding keeps the size)
    bool batchNorm = false;   // BatchNorm2d after each convolution
    bool dropout = false;     // Dropout2d(0.125) per block, Dropout(0.4) after the classifier ("fc_drop")
};

class LeNetImpl : public Network {
public:
    explicit LeNetImpl(const LeNetOptions& options = {});
    torch::Tensor forward(torch::Tensor x) override;

private:
    torch::nn::Sequential m_block1{nullptr};
    torch::nn::Sequential m_block2{nullptr};
    torch::nn::Sequential m_head{nullptr}; // "fc_drop" (Linear, Dropout) when dropout is on
    torch::nn::Linear m_fc{nullptr};       // "fc" otherwise
};
TORCH_MODULE(LeNet);

} // namespace mnist
