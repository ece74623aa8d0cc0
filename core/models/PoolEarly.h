#pragma once
// Runs a conv block (Conv2d, [BatchNorm2d,] ReLU, [Dropout2d,] MaxPool2d, as the notebook and its
// PyTorch classes order them) with the ReLU moved after the pooling: Conv2d, [BatchNorm2d,]
// [Dropout2d,] MaxPool2d, ReLU.
//
// The result is the same, bit for bit, forwards and backwards. ReLU is monotone, so it commutes
// with a max: max(relu(a), relu(b)) = relu(max(a, b)), and the pool picks the same element
// wherever the window's maximum is positive (elsewhere the gradient is 0 either way). It commutes
// with Dropout2d too, which scales a whole channel by c >= 0. Dropout2d stays before the pool on
// purpose: pooled after it, two inputs one rounding step apart can tie once scaled by c, and the
// pool would then route the gradient to another pixel than the notebook's order does (a few dozen
// times per LeNetDeep epoch: enough to change a run). After a 2x2 pool the ReLU touches a quarter
// of the pixels. The modules, their order in the Sequential and so the parameter names stay
// PyTorch's. MNIST_STUDIO_POOL_LAST=1 in the environment runs the block in its own order instead.
#include <torch/nn/modules/container/sequential.h>

namespace mnist {

torch::Tensor forwardPoolEarly(torch::nn::Sequential& block, torch::Tensor x);

} // namespace mnist
