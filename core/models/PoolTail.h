#pragma once
// The tail of a conv block in one pass: [Dropout2d,] MaxPool2d, [Dropout or Dropout2d,] ReLU, as
// the pool-early order (PoolEarly.h) runs the notebook's blocks (LeNet: pool, ReLU; the
// LeNetDrop family: Dropout2d, pool, ReLU; SimpleNet: pool, Dropout, ReLU).
//
// LibTorch runs these as four to eight memory passes: the pool with an int64 index per output,
// each dropout's noise (drawn one element at a time on one thread), a multiplication, the ReLU,
// and backwards the ReLU's mask, the multiplications, a zero fill and the pool's scatter. Here the
// forward reads each input once and writes the output and one byte per output (the window's
// argmax, whether the ReLU passed, whether the dropout kept it); the backward writes each input
// gradient once.
//
// Exact: the same float operations in the same order as LibTorch's ops, so values and gradients
// are bit for bit theirs (only the sign of a zero may differ, as with the pool-early order): the
// pool takes the first maximum of its window in row order (a NaN wins, as in LibTorch), each
// dropout multiplies by LibTorch's noise drawn from the default generator in LibTorch's order
// (DropoutMask.h), the ReLU's gradient passes where the output is not <= 0. Tested against the
// unfused modules, NCHW and NHWC, odd sizes, training and evaluation.
//
// Only non-overlapping windows (stride = kernel size, no padding), float CPU tensors in NCHW or
// NHWC, and dropout only where DropoutMask's draws are exact; poolTailApplies() says, and the
// caller runs the unfused layers otherwise.
#include <torch/types.h>

namespace mnist {

enum class TailDropout { None, Elementwise, Channels };

struct PoolTailParams {
    int64_t kernelH = 2;
    int64_t kernelW = 2;
    double preChannelsP = 0.0;                  // a Dropout2d before the pool (0: none)
    TailDropout post = TailDropout::None;       // a dropout after the pool
    double postP = 0.0;
};

// Whether poolTail() runs `x` with these parameters (dropouts active or not as given).
bool poolTailApplies(const torch::Tensor& x, const PoolTailParams& params, bool preActive, bool postActive);

// What the networks' fusion pass asks (SpecNetwork.h): poolTailApplies() and `x` channels-last,
// the layout training uses on the CPU. The NCHW kernel is as exact, but slower than LibTorch's own
// NCHW ops (`mnist-bench --fused-ab`: 0.7-0.85x on the AMD EPYC, its backward's strided scalar
// loops), so there the layers run unfused.
bool poolTailPreferred(const torch::Tensor& x, const PoolTailParams& params, bool preActive, bool postActive);

// relu(dropout_post(maxpool(dropout2d_pre(x)))), differentiable; a dropout runs only where it is
// active (its module is training), as LibTorch's would. Requires poolTailApplies().
torch::Tensor poolTail(const torch::Tensor& x, const PoolTailParams& params, bool preActive, bool postActive);

} // namespace mnist
