#pragma once
// Runs a conv block (Conv2d, [BatchNorm2d,] ReLU, [Dropout2d,] MaxPool2d, as the notebook and its
// PyTorch classes order them) with the ReLU moved after the pooling: Conv2d, [BatchNorm2d,]
// [Dropout2d,] MaxPool2d, ReLU.
//
// The values are the same, forwards and backwards. ReLU is monotone, so it commutes with a max:
// max(relu(a), relu(b)) = relu(max(a, b)), and the pool picks the same element wherever the
// window's maximum is positive (elsewhere the gradient is 0 either way). It commutes with
// Dropout2d too, which scales a whole channel by c >= 0. Only the sign of some zeros can differ,
// in a channel Dropout2d drops (c = 0 times a negative input is -0, where ReLU first gives +0);
// no sum, comparison or weight update sees it, so training runs bit for bit as before.
// Dropout2d stays before the pool on purpose: pooled after it, two inputs one rounding step apart
// can tie once scaled by c, and the pool would then route the gradient to another pixel than the
// notebook's order does (a few dozen times per LeNetDeep epoch: enough to change a run). After a
// 2x2 pool the ReLU touches a quarter of the pixels. The modules, their order in the Sequential
// and so the parameter names stay PyTorch's.
#include <torch/nn/modules/container/sequential.h>

namespace mnist {

// The block with its ReLUs after the pooling, always.
torch::Tensor forwardPoolEarly(torch::nn::Sequential& block, torch::Tensor x);

// What the architectures call: forwardPoolEarly, or the block's own order when the environment
// has MNIST_STUDIO_POOL_LAST=1 (the bench's baseline sets it; anyone can, to compare).
torch::Tensor forwardConvBlock(torch::nn::Sequential& block, torch::Tensor x);

} // namespace mnist
