#pragma once
// Dropout's random masks, drawn as LibTorch's own CPU dropout draws them, only faster.
//
// LibTorch's CPU dropout (without MKL, as Debian builds it) fills its noise with
// `bernoulli_(1 - p)`: one element after another on one thread, each a double drawn from the
// default generator's Mersenne Twister (two 32-bit words), ~19 ns an element here. SimpleNet
// spent 13% of its step there. These functions read the default generator's state, run the same
// Mersenne Twister over the same words in the same order, and write the state back: the masks and
// every later draw are bit for bit LibTorch's (tested against bernoulli_ itself).
//
// Only where that equality is known: a CPU generator and a LibTorch without MKL, whose bernoulli_
// takes another path (exactMasksAvailable() says). Elsewhere callers use LibTorch's own ops.
#include <torch/types.h>

#include <cstdint>

namespace mnist {

// True when keepMask() draws exactly what LibTorch's bernoulli_(keep) on the CPU would.
bool exactMasksAvailable();

// `count` draws of bernoulli(keep) from the default CPU generator, in the order bernoulli_ fills a
// contiguous tensor of that many elements: out[i] = 1 where kept. Advances the generator as
// bernoulli_ does. Requires exactMasksAvailable().
void keepMask(uint8_t* out, int64_t count, double keep);

// The noise tensor LibTorch's dropout multiplies by: a contiguous float tensor of `sizes`, each
// element 0 or 1 / keep (the value LibTorch's div_ gives). keep = 1 - p.
torch::Tensor dropoutNoise(at::IntArrayRef sizes, double keep);

// What one kept element is scaled by: LibTorch's `ones.div_(keep)`, so the rounding is its own.
float keptScale(double keep);

// torch::dropout(x, p, train) with the noise above where exactMasksAvailable() and x is a float
// CPU tensor; LibTorch's own dropout otherwise. Same values, same gradients, same generator.
torch::Tensor exactDropout(const torch::Tensor& x, double p, bool train);

} // namespace mnist
