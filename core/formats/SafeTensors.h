#pragma once
// A small reader and writer for the safetensors format (8-byte little-endian header length, JSON
// header, raw little-endian data), as PyTorch users exchange weights. Supported dtypes: F32, F64,
// I64, I32, U8 (enough for state_dicts; BatchNorm's num_batches_tracked is I64).
#include <torch/types.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace mnist {

using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

// Reads every tensor (CPU, contiguous). Throws IoError naming the file and the problem for a
// missing, truncated or malformed file, an unsupported dtype or out-of-range offsets, and naming
// the tensor for offsets that break the format's dense layout: sorted by their begin, the tensors
// must start at 0, each begin where the one before ends (no overlap, no gap), and the last end
// where the file ends. (JSON keys have no order, so the header's order of entries is free.)
std::map<std::string, torch::Tensor> readSafeTensors(const std::string& path);

// The same reader on a whole file's content already in memory, which readSafeTensors uses;
// `name` stands for the file in error messages.
std::map<std::string, torch::Tensor> parseSafeTensors(const uint8_t* data, size_t size, const std::string& name);

// Writes the tensors (moved to the CPU) atomically. Names must be unique.
void writeSafeTensors(const std::string& path, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata = {});

} // namespace mnist
