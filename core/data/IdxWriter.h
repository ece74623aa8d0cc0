#pragma once
// Writing IDX image files (e.g. exported augmented samples), readable by any MNIST loader.
#include <torch/types.h>

#include <string>

namespace mnist {

// images: uint8 [N, H, W]. Written atomically; throws IoError naming the path on failure.
void writeIdxImages(const std::string& path, const torch::Tensor& images);

} // namespace mnist
