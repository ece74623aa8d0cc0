#pragma once
// The embedding projector's numbers: a network's penultimate features (the input of its last
// Linear layer, what the classifier separates) for a test set, and their projection to 2-D by PCA
// or by exact t-SNE (van der Maaten and Hinton 2008), written here on LibTorch's tensor ops since
// Debian packages no C++ t-SNE library. Scores of how well classes separate in the projection
// compare networks. Works for any spec-built network, the user's included. No Qt: the window and
// the HTML report share it (plain-std results in inspect/Projection.h).
#include "models/Network.h"
#include "spec/TrainConfig.h"
#include "train/StopToken.h"

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace mnist {

// (done, total) of the current step; called from the computing thread.
using EmbeddingProgress = std::function<void(int64_t done, int64_t total)>;

struct PenultimateFeatures {
    torch::Tensor features;        // float [N, D] on the CPU, one row per image
    std::vector<int> labels;       // true class per row
    std::vector<int> predicted;    // argmax of the logits per row
    std::vector<int64_t> indices;  // the row's image in the test set
    std::string layerKey;          // the last Linear's state_dict prefix ("fc2"): its input is the feature
    bool stopped = false;          // a stop request ended it: the rows computed until then
};

// Feeds `inputs` (prepared as the network takes them: float [N, C, H, W], Normalize applied) in
// batches of `batchSize` through a spec-built network in eval mode without gradients, on the
// device of its weights, and keeps each image's input of the last Linear layer (flattened).
// `labels` (int, N) are copied into the result; indices are 0..N-1. Throws ConfigError naming the
// network when it is not spec-built or has no Linear layer. Restores the network's mode.
PenultimateFeatures penultimateFeatures(Network& net, const torch::Tensor& inputs, const torch::Tensor& labels,
                                        int64_t batchSize, const EmbeddingProgress& progress = {},
                                        const StopToken* stop = nullptr);

// The first `count` images of config's test split (loadData(); all of them when count <= 0 or
// beyond the set), prepared exactly as predictTestSet() prepares them, through `net` moved to
// config.device, in batches of config.evalBatchSize. DataError when the data is not the model's.
// `images`, when given, receives those images' bytes (uint8 [n, C, H, W]).
PenultimateFeatures penultimateFeatures(Network& net, const TrainConfig& config, int64_t count,
                                        const EmbeddingProgress& progress = {}, const StopToken* stop = nullptr,
                                        torch::Tensor* images = nullptr);

struct PcaProjection {
    torch::Tensor points;         // float [N, k]
    std::vector<double> explained; // each component's share of the total variance, in [0, 1]
};
// The features centred and projected on their first `components` principal axes (SVD in double
// precision), each axis's sign fixed so that its largest-magnitude loading is positive: the same
// features always give the same picture. ConfigError for fewer than 2 rows.
PcaProjection pcaProject(const torch::Tensor& features, int64_t components = 2);

struct TsneOptions {
    double perplexity = 30;
    int64_t iterations = 1000;
    uint64_t seed = 0;
    // Steps with the attraction multiplied by `exaggeration` and momentum 0.5; then 0.8.
    int64_t exaggerationIterations = 250;
    double exaggeration = 12;
    double learningRate = 0; // <= 0: max(200, N / 12)
    // Features wider than this are reduced by PCA first, as the reference implementation does.
    int64_t pcaDimensions = 50;
};
struct TsneProjection {
    torch::Tensor points;     // float [N, 2], centred
    int64_t iterations = 0;   // gradient steps taken
    bool stopped = false;     // a stop request ended it early: the layout of the last step
};
// Exact t-SNE of the rows of `features` (float [N, D]): each point's Gaussian bandwidth found by
// bisection to the perplexity, P symmetrised, then gradient descent with momentum and per-
// coordinate gains on the Student-t similarities. O(N^2) memory and time per step: meant for a few
// thousand points. Deterministic on the CPU for a seed. ConfigError for fewer than 4 rows or a
// perplexity not below N. progress(i, iterations) every few steps; `stop` checked every step.
TsneProjection tsneProject(const torch::Tensor& features, const TsneOptions& options = {},
                           const EmbeddingProgress& progress = {}, const StopToken* stop = nullptr);

// How well `labels` separate among `points` ([N, d]): the share of points whose k nearest other
// points (Euclidean) mostly share their class, leave-one-out, ties to the lowest class; in [0, 1].
double knnAccuracy(const torch::Tensor& points, const std::vector<int>& labels, int64_t k = 5);

// Between-class over within-class variance of `points` (trace of the scatter matrices): large when
// the classes sit apart as tight clusters; 0 when every class has the same mean.
double classSeparation(const torch::Tensor& points, const std::vector<int>& labels);

} // namespace mnist
