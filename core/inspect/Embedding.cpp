#include "inspect/Embedding.h"

#include "Error.h"
#include "augment/BatchAugmenter.h"
#include "data/Dataset.h"
#include "inspect/Inspect.h"
#include "models/SpecNetwork.h"
#include "train/Device.h"
#include "train/Trainer.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace mnist {
namespace {

bool stopRequested(const StopToken* stop)
{
    return stop != nullptr && stop->stopRequested();
}

// The spec's name, and whether the network has a Linear layer to take the features before.
std::string networkWithClassifier(Network& net)
{
    const auto* built = dynamic_cast<const SpecNetworkImpl*>(&net);
    if (!built)
        throw ConfigError("this network was not built from a spec, so its penultimate features cannot be found");
    const NetworkSpec& spec = built->spec();
    for (const LayerRow& row : describeNetwork(spec).rows)
        if (row.type == LayerType::Linear)
            return spec.name;
    throw ConfigError("the network " + spec.name + " has no Linear layer: the projector shows the input of the last "
                      "Linear layer, and this network has none");
}

// Squared Euclidean distances from rows `from` of `x` to every row, [rows, N].
torch::Tensor squaredDistances(const torch::Tensor& x, const torch::Tensor& squaredNorms, int64_t from, int64_t rows)
{
    const torch::Tensor block = x.narrow(0, from, rows);
    return (squaredNorms.narrow(0, from, rows).unsqueeze(1) + squaredNorms.unsqueeze(0) - 2.0 * block.mm(x.t())).clamp_min(0.0);
}

// Rows of distance matrices kept in memory at once: a block of them, not N x N doubles.
constexpr int64_t kRowBlock = 512;

// p(j | i) for every i: a Gaussian around each point with its bandwidth chosen by bisection (on
// log beta, all points of a block at once) so that the row's entropy is log(perplexity). float
// [N, N], rows summing to 1, zero diagonal.
torch::Tensor conditionalProbabilities(const torch::Tensor& x, double perplexity)
{
    const int64_t n = x.size(0);
    const double target = std::log(perplexity);
    const torch::Tensor norms = x.pow(2).sum(1);
    torch::Tensor p = torch::empty({n, n}, torch::kFloat32);
    for (int64_t from = 0; from < n; from += kRowBlock) {
        const int64_t rows = std::min(kRowBlock, n - from);
        torch::Tensor d = squaredDistances(x, norms, from, rows);
        torch::Tensor others = torch::ones_like(d);
        others.diagonal(from).zero_();
        // Distances from each row's nearest other point: the exponentials stay in range and the
        // nearest always weighs 1, so no row sums to 0.
        const torch::Tensor nearest = std::get<0>(d.masked_fill(others.logical_not(), std::numeric_limits<double>::infinity()).min(1));
        d = (d - nearest.unsqueeze(1)).clamp_min(0.0);
        torch::Tensor low = torch::full({rows}, -50.0, torch::kFloat64);
        torch::Tensor high = torch::full({rows}, 50.0, torch::kFloat64);
        torch::Tensor row;
        for (int step = 0; step < 64; ++step) {
            const torch::Tensor mid = (low + high) * 0.5;
            const torch::Tensor beta = mid.exp().unsqueeze(1);
            row = (-d * beta).exp() * others;
            const torch::Tensor sum = row.sum(1);
            const torch::Tensor entropy = sum.log() + beta.squeeze(1) * (d * row).sum(1) / sum;
            // Entropy falls as beta grows: too flat a row needs a larger beta.
            const torch::Tensor tooFlat = entropy > target;
            low = torch::where(tooFlat, mid, low);
            high = torch::where(tooFlat, high, mid);
        }
        row = (-d * ((low + high) * 0.5).exp().unsqueeze(1)).exp() * others;
        p.narrow(0, from, rows).copy_(row / row.sum(1, true));
    }
    return p;
}

} // namespace

PenultimateFeatures penultimateFeatures(Network& net, const torch::Tensor& inputs, const torch::Tensor& labels,
                                        int64_t batchSize, const EmbeddingProgress& progress, const StopToken* stop)
{
    const std::string name = networkWithClassifier(net);
    const int64_t n = inputs.size(0);
    if (labels.numel() != n)
        throw ConfigError(std::to_string(labels.numel()) + " labels for " + std::to_string(n) + " images");
    const EvalScope eval(net);
    torch::NoGradGuard noGrad;
    const torch::Device device = deviceOf(net);
    const int64_t batch = std::max<int64_t>(batchSize, 1);
    const torch::Tensor l = labels.to(torch::kCPU, torch::kInt64).contiguous();
    PenultimateFeatures out;
    std::vector<torch::Tensor> rows;
    for (int64_t start = 0; start < n; start += batch) {
        if (stopRequested(stop)) {
            out.stopped = true;
            break;
        }
        const int64_t size = std::min(batch, n - start);
        torch::Tensor feature;
        const torch::Tensor logits = walkLayers(net, inputs.narrow(0, start, size).to(device, torch::kFloat32),
                                                [&](const std::string& key, LayerType type, const torch::Tensor& input,
                                                    const torch::Tensor&) {
                                                    if (type == LayerType::Linear) { // the last one seen wins
                                                        feature = input;
                                                        out.layerKey = key;
                                                    }
                                                });
        rows.push_back(feature.flatten(1).to(torch::kCPU, torch::kFloat32));
        const torch::Tensor predicted = logits.argmax(1).to(torch::kCPU, torch::kInt64).contiguous();
        for (int64_t i = 0; i < size; ++i) {
            out.labels.push_back(static_cast<int>(l.data_ptr<int64_t>()[start + i]));
            out.predicted.push_back(static_cast<int>(predicted.data_ptr<int64_t>()[i]));
            out.indices.push_back(start + i);
        }
        if (progress)
            progress(start + size, n);
    }
    out.features = rows.empty() ? torch::zeros({0, 0}) : torch::cat(rows).contiguous();
    return out;
}

PenultimateFeatures penultimateFeatures(Network& net, const TrainConfig& config, int64_t count,
                                        const EmbeddingProgress& progress, const StopToken* stop, torch::Tensor* images)
{
    networkWithClassifier(net); // before the data is read: a network without features fails at once
    const DataSplits data = loadData(config);
    requireModelData(data, config);
    const Dataset& test = data.test;
    const int64_t n = count <= 0 ? test.size() : std::min<int64_t>(count, test.size());
    const torch::Tensor raw = test.images.narrow(0, 0, n);
    net.to(resolveDevice(config.device));
    // Prepared as predictTestSet() prepares them, so the points are of the images it evaluated.
    const torch::Tensor x = normalizedInput(raw, torch::Device(torch::kCPU), BatchAugmenter(config.augment));
    if (images)
        *images = raw.contiguous();
    return penultimateFeatures(net, x, test.labels.narrow(0, 0, n), std::max<int64_t>(config.evalBatchSize, 1), progress, stop);
}

PcaProjection pcaProject(const torch::Tensor& features, int64_t components)
{
    if (features.dim() != 2 || features.size(0) < 2)
        throw ConfigError("PCA needs at least 2 feature rows; got a tensor of shape " +
                          std::to_string(features.dim() >= 1 ? features.size(0) : 0) + " rows");
    if (components < 1)
        throw ConfigError("PCA needs at least 1 component, not " + std::to_string(components));
    const torch::Tensor x = features.to(torch::kCPU, torch::kFloat64);
    const torch::Tensor centred = x - x.mean(0, true);
    const auto [u, s, vh] = torch::linalg_svd(centred, false);
    const int64_t k = std::min(components, vh.size(0));
    torch::Tensor axes = vh.narrow(0, 0, k);
    // An axis's sign is arbitrary to the SVD: the largest loading is made positive.
    const torch::Tensor largest = axes.gather(1, axes.abs().argmax(1, true));
    axes = axes * torch::where(largest < 0, -1.0, 1.0);
    torch::Tensor points = centred.mm(axes.t());
    if (k < components) // fewer feature columns than components: the rest are flat
        points = torch::cat({points, torch::zeros({points.size(0), components - k}, torch::kFloat64)}, 1);
    PcaProjection out;
    out.points = points.to(torch::kFloat32).contiguous();
    const torch::Tensor variance = s.pow(2);
    const double total = variance.sum().item<double>();
    for (int64_t i = 0; i < components; ++i)
        out.explained.push_back(i < k && total > 0 ? variance[i].item<double>() / total : 0.0);
    return out;
}

TsneProjection tsneProject(const torch::Tensor& features, const TsneOptions& options, const EmbeddingProgress& progress,
                           const StopToken* stop)
{
    const int64_t n = features.dim() == 2 ? features.size(0) : 0;
    if (n < 4)
        throw ConfigError("t-SNE needs at least 4 points, not " + std::to_string(n));
    if (!(options.perplexity >= 1) || options.perplexity >= static_cast<double>(n - 1))
        throw ConfigError("t-SNE's perplexity must be at least 1 and below the number of points minus 1 (" +
                          std::to_string(n - 1) + "); it is " + std::to_string(options.perplexity));
    if (options.iterations < 0)
        throw ConfigError("t-SNE's iterations cannot be negative");
    torch::Tensor x = features.to(torch::kCPU, torch::kFloat64);
    if (options.pcaDimensions > 0 && x.size(1) > options.pcaDimensions)
        x = pcaProject(x, options.pcaDimensions).points.to(torch::kFloat64);

    const torch::Tensor conditional = conditionalProbabilities(x, options.perplexity);
    const torch::Tensor p = ((conditional + conditional.t()) / (2.0 * static_cast<double>(n))).clamp_min(1e-12);
    const torch::Tensor exaggerated = p * options.exaggeration;

    const at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(options.seed);
    torch::Tensor y = (torch::randn({n, 2}, generator, torch::kFloat64) * 1e-4).to(torch::kFloat32);
    torch::Tensor update = torch::zeros_like(y);
    torch::Tensor gains = torch::ones_like(y);
    const double rate = options.learningRate > 0 ? options.learningRate : std::max(200.0, static_cast<double>(n) / 12.0);

    TsneProjection out;
    for (int64_t it = 0; it < options.iterations; ++it) {
        if (stopRequested(stop)) {
            out.stopped = true;
            break;
        }
        const bool early = it < options.exaggerationIterations;
        const torch::Tensor norms = y.pow(2).sum(1);
        torch::Tensor kernel = (norms.unsqueeze(1) + norms.unsqueeze(0) - 2.0 * y.mm(y.t())).add_(1.0).reciprocal_();
        kernel.fill_diagonal_(0.0);
        const torch::Tensor q = (kernel / kernel.sum()).clamp_min_(1e-12);
        const torch::Tensor weights = ((early ? exaggerated : p) - q).mul_(kernel);
        const torch::Tensor gradient = 4.0 * (weights.sum(1, true) * y - weights.mm(y));
        // Gains grow where the gradient turned against the last step and shrink where it agrees.
        const torch::Tensor turned = (gradient > 0) != (update > 0);
        gains = torch::where(turned, gains + 0.2, gains * 0.8).clamp_min_(0.01);
        update = (early ? 0.5 : 0.8) * update - rate * gains * gradient;
        y = y + update;
        y = y - y.mean(0, true);
        out.iterations = it + 1;
        if (progress && (out.iterations % 10 == 0 || out.iterations == options.iterations))
            progress(out.iterations, options.iterations);
    }
    out.points = y.contiguous();
    return out;
}

double knnAccuracy(const torch::Tensor& points, const std::vector<int>& labels, int64_t k)
{
    const int64_t n = points.size(0);
    if (static_cast<int64_t>(labels.size()) != n)
        throw ConfigError(std::to_string(labels.size()) + " labels for " + std::to_string(n) + " points");
    if (n < 2 || k < 1)
        return 0.0;
    k = std::min(k, n - 1);
    const torch::Tensor x = points.to(torch::kCPU, torch::kFloat64).reshape({n, -1});
    const torch::Tensor norms = x.pow(2).sum(1);
    const int top = *std::max_element(labels.begin(), labels.end());
    std::vector<int> votes(static_cast<size_t>(std::max(top, 0) + 1));
    int64_t right = 0;
    for (int64_t from = 0; from < n; from += kRowBlock) {
        const int64_t rows = std::min(kRowBlock, n - from);
        torch::Tensor d = squaredDistances(x, norms, from, rows);
        d.diagonal(from).fill_(std::numeric_limits<double>::infinity());
        const torch::Tensor nearest = std::get<1>(d.topk(k, 1, false, true)).contiguous();
        const int64_t* idx = nearest.data_ptr<int64_t>();
        for (int64_t r = 0; r < rows; ++r) {
            std::fill(votes.begin(), votes.end(), 0);
            for (int64_t j = 0; j < k; ++j) {
                const int label = labels[static_cast<size_t>(idx[r * k + j])];
                if (label >= 0)
                    ++votes[static_cast<size_t>(label)];
            }
            const auto winner = std::max_element(votes.begin(), votes.end()) - votes.begin(); // ties: the lowest class
            right += winner == labels[static_cast<size_t>(from + r)] ? 1 : 0;
        }
    }
    return static_cast<double>(right) / static_cast<double>(n);
}

double classSeparation(const torch::Tensor& points, const std::vector<int>& labels)
{
    const int64_t n = points.size(0);
    if (static_cast<int64_t>(labels.size()) != n)
        throw ConfigError(std::to_string(labels.size()) + " labels for " + std::to_string(n) + " points");
    if (n == 0)
        return 0.0;
    if (*std::min_element(labels.begin(), labels.end()) < 0)
        throw ConfigError("class labels cannot be negative");
    const torch::Tensor x = points.to(torch::kCPU, torch::kFloat64).reshape({n, -1});
    const torch::Tensor l = torch::tensor(std::vector<int64_t>(labels.begin(), labels.end()), torch::kInt64);
    const int64_t classes = l.max().item<int64_t>() + 1;
    const torch::Tensor counts = torch::zeros({classes}, torch::kFloat64).index_add_(0, l, torch::ones({n}, torch::kFloat64));
    const torch::Tensor sums = torch::zeros({classes, x.size(1)}, torch::kFloat64).index_add_(0, l, x);
    const torch::Tensor means = sums / counts.clamp_min(1.0).unsqueeze(1);
    const torch::Tensor overall = x.mean(0, true);
    const double between = (counts.unsqueeze(1) * (means - overall).pow(2)).sum().item<double>();
    const double within = (x - means.index_select(0, l)).pow(2).sum().item<double>();
    if (within <= 0)
        return between > 0 ? std::numeric_limits<double>::infinity() : 0.0;
    return between / within;
}

} // namespace mnist
