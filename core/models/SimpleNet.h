#pragma once
// The notebook's SimpleNet: four 3x3 convolutions (32, 32, 64, 64), two max-pools with Dropout(0.25),
// and a 3136 -> 512 -> 10 classifier with BatchNorm1d. 1,677,290 parameters.
#include "models/Network.h"

#include <torch/nn/modules/container/sequential.h>

namespace mnist {

class SimpleNetImpl : public Network {
public:
    SimpleNetImpl();
    torch::Tensor forward(torch::Tensor x) override;

private:
    torch::nn::Sequential m_block1{nullptr}, m_block2{nullptr}, m_block3{nullptr}, m_block4{nullptr};
    torch::nn::Sequential m_fc{nullptr};
};
TORCH_MODULE(SimpleNet);

} // namespace mnist
