#pragma once
// BatchAugmenter::augment on the CPU without tensor ops per transform: the same draws from the same
// generator in the same order as the tensor path (so crop boxes, angles and erasures are the same),
// each image's map worked out on the host, then one pass per image that resamples (crop, rotation
// and affine together) and erases. At training batch sizes the tensor path's ~100 small ops and
// affine_grid + grid_sample cost far more than the pixels themselves.
//
// Not bit-identical to the tensor path: the source coordinates are computed in double from the
// float map, where affine_grid and grid_sample round in float. Bilinear pixels agree within 1e-5;
// nearest can pick the neighbouring pixel where a coordinate lies within float rounding of a pixel
// boundary.
#include "spec/AugmentConfig.h"

#include <ATen/core/Generator.h>
#include <c10/util/Optional.h>
#include <torch/types.h>

namespace mnist {

// x: float32 [N, C, H, W] on the CPU, any strides. `gen`: the CPU default generator when absent.
torch::Tensor augmentOnCpu(const AugmentConfig& config, const torch::Tensor& x, const c10::optional<at::Generator>& gen);

} // namespace mnist
