#pragma once
// The notebook's LeNetDeep: an input BatchNorm, four conv blocks (16, 32, 64, 128 channels) with
// BatchNorm and Dropout2d(0.125), and a 128 -> 10 classifier followed by Dropout(0.4). 107,372 parameters.
#include "models/Network.h"

#include <torch/nn/modules/container/sequential.h>

namespace mnist {

class LeNetDeepImpl : public Network {
public:
    LeNetDeepImpl();
    torch::Tensor forward(torch::Tensor x) override;

private:
    torch::nn::Sequential m_block1{nullptr}, m_block2{nullptr}, m_block3{nullptr}, m_block4{nullptr};
    torch::nn::Sequential m_fcDrop{nullptr};
};
TORCH_MODULE(LeNetDeep);

} // namespace mnist
