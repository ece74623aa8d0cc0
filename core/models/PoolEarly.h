#pragma once
// Runs a conv block (Conv2d, [BatchNorm2d,] ReLU, [Dropout2d,] MaxPool2d, as the notebook and its
// PyTorch classes order them) with the pooling moved before the ReLU and the Dropout2d.
//
// Both commute with a max-pool exactly, being monotone: max(relu(a), relu(b)) = relu(max(a, b)),
// and Dropout2d multiplies a whole channel by one non-negative factor (its mask has shape
// N x C x 1 x 1 either way, so it draws the same random numbers). The outputs are the same values;
// the gradients too, but for a rare tie: two inputs of a window one rounding step apart can become
// equal once scaled by 8/7, and the pool then routes the gradient to the first of them instead of
// the larger. After a 2x2 pool the ReLU and the mask touch a quarter of the pixels, forwards and
// backwards. The modules, their order in the Sequential and so the parameter names stay PyTorch's.
// MNIST_STUDIO_POOL_LAST=1 in the environment runs the block in its own order instead.
#include <torch/nn/modules/container/sequential.h>

namespace mnist {

torch::Tensor forwardPoolEarly(torch::nn::Sequential& block, torch::Tensor x);

} // namespace mnist
