#pragma once
// PyTorch-compatible state_dicts of LibTorch modules: same names, same order, same shapes.
#include "formats/SafeTensors.h"

#include <torch/nn/module.h>

#include <map>

namespace mnist {

// Parameters and buffers in PyTorch's state_dict order (each module's own parameters, then its
// buffers, then its children), named "block1.0.weight" etc.
NamedTensors stateDict(const torch::nn::Module& module);

// Copies every entry of `tensors` into the module. Missing or unexpected keys and shape mismatches
// throw IoError listing them; nothing is changed in that case.
void loadStateDict(torch::nn::Module& module, const std::map<std::string, torch::Tensor>& tensors);

// stateDict() to a safetensors file with the PyTorch names.
void saveWeights(const torch::nn::Module& module, const std::string& path);

// readSafeTensors() then loadStateDict(); entries whose names start with "__" are ignored.
void loadWeights(torch::nn::Module& module, const std::string& path);

} // namespace mnist
