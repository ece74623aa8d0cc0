#pragma once
// Per-layer weight and gradient statistics of a run (TrainingObserver.h LayerStat), gathered by
// the trainer: gradient norms every kGradientSampleEvery-th iteration, summed on the training
// device without reading them back (no GPU stall), and weight norms and histograms once per epoch.
#include "models/Network.h"
#include "train/TrainingObserver.h"

#include <torch/torch.h>

#include <string>
#include <vector>

namespace mnist {

class LayerStatsRecorder {
public:
    // Sampling every 10th iteration keeps the cost at a few small reductions per 10 steps; the mean
    // of the sampled norms tracks the epoch's gradients as well as all of them would.
    static constexpr int64_t kGradientSampleEvery = 10;

    explicit LayerStatsRecorder(Network& net);

    // After backward() and before the optimizer step of iteration `iteration` (0-based in the
    // epoch): adds each layer's gradient norm when the iteration is sampled.
    void afterBackward(int64_t iteration);

    // The epoch's statistics; starts the next epoch's gradient sums.
    EpochLayerStats finishEpoch(int64_t epoch);

private:
    struct Layer {
        std::string name;
        std::vector<torch::Tensor> parameters;
        torch::Tensor values; // the "weight" tensor, else the first
        torch::Tensor gradientSum; // on the device; undefined until the first sample
    };
    std::vector<Layer> m_layers;
    int64_t m_samples = 0;
};

} // namespace mnist
