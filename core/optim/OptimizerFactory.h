#pragma once
// Optimizers of a run, built from its TrainConfig with PyTorch's defaults otherwise.
#include <torch/optim/optimizer.h>

#include <memory>

namespace mnist {

struct TrainConfig;

// adam: Adam(lr, betas 0.9/0.999, eps 1e-8, weight_decay as L2); adamw: AdamW with decoupled weight
// decay; sgd: SGD(lr, momentum, nesterov, weight_decay).
std::unique_ptr<torch::optim::Optimizer> makeOptimizer(const TrainConfig& config, const std::vector<torch::Tensor>& params);

// Writes `lr` into every parameter group (what a PyTorch scheduler does at each step).
void setLearningRate(torch::optim::Optimizer& optimizer, double lr);

} // namespace mnist
