#pragma once
// A saved model's test images as points in 2-D (inspect/Embedding.h's PCA or t-SNE of its
// penultimate features), in plain std types: the window's projector and the HTML report include
// this header without LibTorch.
#include "spec/TrainConfig.h"
#include "train/StopToken.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace mnist {

enum class ProjectionMethod { Pca, Tsne };
const char* projectionMethodName(ProjectionMethod method); // "PCA", "t-SNE"

// Exact t-SNE keeps several N x N matrices: beyond this many points it needs gigabytes.
constexpr int64_t kMaxTsnePoints = 5000;

struct ProjectionRequest {
    ProjectionMethod method = ProjectionMethod::Pca;
    int64_t count = 2000; // the test set's first images; <= 0 or beyond the set: all of them
    double perplexity = 30;  // t-SNE only
    int64_t iterations = 1000;
    uint64_t seed = 0;
};

struct Projection {
    ProjectionMethod method = ProjectionMethod::Pca;
    std::vector<float> x, y;          // one point per image
    std::vector<int> labels;          // true class
    std::vector<int> predicted;       // the model's class
    std::vector<int64_t> indices;     // the image's index in the test set
    std::vector<double> explained;    // PCA: each axis's share of the variance; empty for t-SNE
    std::string layerKey;             // the Linear layer whose input was projected
    int64_t featureDimensions = 0;    // that input's width
    double knnAccuracy = 0;           // knnAccuracy() of the points, in [0, 1]
    int classes = 10;
    std::vector<std::string> classNames; // the run's data's, in label order
    int channels = 1, rows = 28, cols = 28;
    std::vector<uint8_t> images;      // size() * channels * rows * cols bytes, channel-major
    bool stopped = false;             // a stop request ended it: no points

    int64_t size() const { return static_cast<int64_t>(x.size()); }
    bool misclassified(int64_t i) const { return labels[static_cast<size_t>(i)] != predicted[static_cast<size_t>(i)]; }
};

// Steps of a projection: "features" (images done of n), then for t-SNE "t-SNE" (iterations).
using ProjectionProgress = std::function<void(const std::string& step, int64_t done, int64_t total)>;

// Loads `weightsPath` into config's network (loadNetwork()), computes the penultimate features of
// the first request.count test images and projects them. Throws what predictTestSet() throws for
// weights or data, ConfigError for a network without a Linear layer or a bad request (t-SNE of
// more than kMaxTsnePoints images, count <= 0 included).
Projection projectTestSet(const std::string& weightsPath, const TrainConfig& config, const ProjectionRequest& request,
                          const ProjectionProgress& progress = {}, const StopToken* stop = nullptr);

} // namespace mnist
