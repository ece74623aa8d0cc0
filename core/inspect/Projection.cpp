#include "inspect/Projection.h"

#include "Error.h"
#include "inspect/Embedding.h"
#include "run/RunFolder.h"

#include <cstring>

namespace mnist {

const char* projectionMethodName(ProjectionMethod method)
{
    return method == ProjectionMethod::Tsne ? "t-SNE" : "PCA";
}

Projection projectTestSet(const std::string& weightsPath, const TrainConfig& config, const ProjectionRequest& request,
                          const ProjectionProgress& progress, const StopToken* stop)
{
    if (request.method == ProjectionMethod::Tsne && (request.count <= 0 || request.count > kMaxTsnePoints))
        throw ConfigError("exact t-SNE takes at most " + std::to_string(kMaxTsnePoints) + " images; asked for " +
                          (request.count <= 0 ? std::string("the whole test set") : std::to_string(request.count)));
    const std::shared_ptr<Network> net = loadNetwork(config, weightsPath);
    torch::Tensor images;
    const PenultimateFeatures features = penultimateFeatures(
        *net, config, request.count,
        [&progress](int64_t done, int64_t total) {
            if (progress)
                progress("features", done, total);
        },
        stop, &images);
    Projection out;
    out.method = request.method;
    if (features.stopped) {
        out.stopped = true;
        return out;
    }
    out.classes = static_cast<int>(config.data.classCount());
    for (size_t i = 0; i < features.labels.size(); ++i)
        if (features.labels[i] < 0 || features.labels[i] >= out.classes)
            throw DataError("test label " + std::to_string(features.labels[i]) + " of image " + std::to_string(i) +
                            " is outside 0.." + std::to_string(out.classes - 1));

    torch::Tensor points;
    if (request.method == ProjectionMethod::Pca) {
        PcaProjection pca = pcaProject(features.features, 2);
        points = pca.points;
        out.explained = pca.explained;
    } else {
        TsneOptions options;
        options.perplexity = request.perplexity;
        options.iterations = request.iterations;
        options.seed = request.seed;
        const TsneProjection tsne = tsneProject(
            features.features, options,
            [&progress](int64_t done, int64_t total) {
                if (progress)
                    progress("t-SNE", done, total);
            },
            stop);
        if (tsne.stopped) {
            out.stopped = true;
            return out;
        }
        points = tsne.points;
    }
    const torch::Tensor p = points.to(torch::kFloat32).contiguous();
    const int64_t n = p.size(0);
    const float* xy = p.data_ptr<float>();
    for (int64_t i = 0; i < n; ++i) {
        out.x.push_back(xy[2 * i]);
        out.y.push_back(xy[2 * i + 1]);
    }
    out.labels = features.labels;
    out.predicted = features.predicted;
    out.indices = features.indices;
    out.layerKey = features.layerKey;
    out.featureDimensions = features.features.size(1);
    out.knnAccuracy = knnAccuracy(p, out.labels);
    out.classNames = config.data.classes;
    out.channels = static_cast<int>(images.size(1));
    out.rows = static_cast<int>(images.size(2));
    out.cols = static_cast<int>(images.size(3));
    out.images.resize(static_cast<size_t>(images.numel()));
    if (images.numel() > 0)
        std::memcpy(out.images.data(), images.data_ptr<uint8_t>(), out.images.size());
    return out;
}

} // namespace mnist
