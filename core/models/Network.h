#pragma once
// Common base of the notebook's architectures: a torch::nn::Module with a single-tensor forward,
// so a run, an export or an import can hold any of them behind one pointer.
#include <torch/nn/module.h>

namespace mnist {

class Network : public torch::nn::Module {
public:
    // x: float [N, 1, 28, 28]; returns the logits, float [N, 10] (softmax is left to the loss).
    virtual torch::Tensor forward(torch::Tensor x) = 0;
};

} // namespace mnist
