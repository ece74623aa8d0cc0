#pragma once
// Training-time augmentation of a whole batch on its device, with torchvision's random
// distributions: per-image parameters are drawn as tensors, crop, rotation and the random affine
// map are fused into one resampling, erasing is a mask. On a GPU that is tensor ops
// (affine_grid + grid_sample); on the CPU one pass per image (CpuAugment.h) from the same draws.
#include "spec/AugmentConfig.h"

#include <ATen/core/Generator.h>
#include <c10/util/Optional.h>
#include <torch/types.h>

namespace mnist {

// RandomResizedCrop boxes in pixels, one per image ([N] int64 each), as torchvision's get_params
// would choose them (accepted: the box came from one of the 10 attempts, not the centre fallback).
struct CropBoxes {
    torch::Tensor top, left, height, width;
    torch::Tensor accepted; // bool [N]
};

// RandomErasing rectangles ([N] int64 each); `applied` is false where the coin said no or all
// 10 attempts failed (the image is then unchanged).
struct EraseBoxes {
    torch::Tensor top, left, height, width;
    torch::Tensor applied; // bool [N]
};

// RandomAffine parameters ([N] float64 each), as torchvision's get_params draws them: angle in
// degrees (clockwise on screen, torchvision's affine convention), shifts in whole pixels (right,
// down), scale, x and y shear in degrees.
struct AffineParams {
    torch::Tensor angle, tx, ty, scale, shearX, shearY;
};

class BatchAugmenter {
public:
    explicit BatchAugmenter(AugmentConfig config);

    // Random transforms (crop, rotation, erasing) of x: float [N, 1, H, W] in [0, 1]. Returns x
    // itself when none is on. Draws from `gen` (the device's default generator when absent).
    torch::Tensor augment(const torch::Tensor& x, c10::optional<at::Generator> gen = c10::nullopt) const;

    // The same with tensor ops on any device: what augment() runs off the CPU, and the CPU
    // kernel's reference in tests and benchmarks (equal draws; pixels within float rounding).
    torch::Tensor augmentWithTensorOps(const torch::Tensor& x, c10::optional<at::Generator> gen = c10::nullopt) const;

    // (x - mean) / std when Normalize is on, else x; per channel (x [N, C, H, W]) with the measured
    // channelMean and channelStd when normalizePerChannel is (ConfigError when they are missing).
    torch::Tensor normalize(const torch::Tensor& x) const;

    const AugmentConfig& config() const { return m_config; }

    // The parameter draws, exposed so tests can check their distributions.
    CropBoxes sampleCrops(int64_t n, int64_t height, int64_t width, const torch::TensorOptions& device,
                          c10::optional<at::Generator> gen) const;
    AffineParams sampleAffine(int64_t n, int64_t height, int64_t width, const torch::TensorOptions& device,
                              c10::optional<at::Generator> gen) const;
    EraseBoxes sampleErasures(int64_t n, int64_t height, int64_t width, const torch::TensorOptions& device,
                              c10::optional<at::Generator> gen) const;

private:
    AugmentConfig m_config;
};

// Resamples each image of x [N, C, H, W] through an affine map from output to source: a rotation by
// angleRadians [N] about the centre (counter-clockwise on screen) followed by the crop box with
// scale (sx, sy) [N] and centre (cx, cy) [N] in normalised coordinates (1, 1, 0, 0 = whole image).
// Pixels from outside the image are 0.
torch::Tensor affineResample(const torch::Tensor& x, const torch::Tensor& sx, const torch::Tensor& sy, const torch::Tensor& cx,
                             const torch::Tensor& cy, const torch::Tensor& angleRadians, bool bilinear);

// torchvision's affine(img, angle, translate, scale, shear) about the image centre as grid_sample's
// output-to-source map in normalised coordinates (align_corners false): [N, 2, 3] float64.
torch::Tensor affineTheta(const AffineParams& p, int64_t height, int64_t width);

// Resamples each image of x through theta [N, 2, 3] (output to source, normalised coordinates,
// align_corners false); pixels from outside the image are 0.
torch::Tensor resampleAffine(const torch::Tensor& x, const torch::Tensor& theta, bool bilinear);

// Crop, rotation and affine share one resampling: bilinear when the crop is on (torchvision resizes
// bilinearly) or a transform asks for it, else nearest (torchvision's default).
bool resamplesBilinear(const AugmentConfig& c);

// A CPU generator seeded with `seed`, for reproducible previews and exports.
at::Generator makeCpuGenerator(uint64_t seed);

} // namespace mnist
