#include "train/LrFinder.h"

#include "train/GeneratorStateGuard.h"
#include "train/GradScaler.h"
#include "train/LayoutCalibration.h"
#include "train/Precision.h"

#include "Error.h"
#include "augment/BatchAugmenter.h"
#include "data/DataLocations.h"
#include "data/Dataset.h"
#include "models/MemoryLayout.h"
#include "models/ModelRegistry.h"
#include "optim/OptimizerFactory.h"
#include "train/Device.h"
#include "train/Trainer.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>

namespace mnist {
namespace {

// fastai's smoothing of the loss (beta 0.98: about the last 50 iterations), debiased as Adam's
// moments are so the first points are not pulled towards 0.
constexpr double kSmoothing = 0.98;
// Smith's and fastai's end of the test: the smoothed loss has blown up once it is this many
// times its low.
constexpr double kDivergeFactor = 4.0;

} // namespace

double steepestDescentLr(const std::vector<LrPoint>& points)
{
    const size_t n = points.size();
    if (n < 2)
        return 0;
    // fastai's suggestion skips the first 10 and the last 5 points: at the start the LR is too
    // small to change anything and the smoothed loss still mostly reflects its few first batches
    // (its slope there is noise), and the last ones are the blow-up. Shorter tests skip the same
    // shares, so that at least a few points remain.
    const size_t skipStart = n >= 30 ? 10 : n / 3;
    const size_t skipEnd = n >= 30 ? 5 : n / 6;
    const size_t first = skipStart, last = n - 1 - skipEnd;
    // The slope d loss / d log LR by central differences (one-sided at the ends), as numpy.gradient.
    const auto slope = [&](size_t i) {
        const size_t a = i == 0 ? 0 : i - 1, b = i + 1 == n ? i : i + 1;
        return (points[b].loss - points[a].loss) / (std::log(points[b].lr) - std::log(points[a].lr));
    };
    size_t best = first;
    double bestSlope = std::numeric_limits<double>::infinity();
    for (size_t i = first; i <= last; ++i)
        if (const double s = slope(i); s < bestSlope) {
            bestSlope = s;
            best = i;
        }
    return points[best].lr;
}

std::string suggestedLrField(const TrainConfig& config)
{
    return config.scheduler.type == "one-cycle" ? "scheduler.max_lr" : "lr";
}

LrFinder::LrFinder(TrainConfig config, LrFinderOptions options) : m_config(std::move(config)), m_options(options)
{
    throwIfInvalid(m_config);
    const auto& o = m_options;
    if (!(o.startLr > 0 && std::isfinite(o.endLr) && o.endLr > o.startLr))
        throw ConfigError("the LR range test needs 0 < start LR < end LR (got " + std::to_string(o.startLr) + " and " +
                          std::to_string(o.endLr) + ")");
    if (o.maxIterations < 0)
        throw ConfigError("the LR range test's iterations must be 0 (one epoch) or more (got " +
                          std::to_string(o.maxIterations) + ")");
    checkPrecisionRuns(m_config.precision, resolveDevice(m_config.device)); // fail now, not after loading data
}

int64_t LrFinder::iterations(int64_t trainSize) const
{
    const int64_t epoch = iterationsPerEpoch(trainSize, m_config.batchSize);
    return m_options.maxIterations > 0 ? std::min(epoch, m_options.maxIterations) : epoch;
}

LrFinderResult LrFinder::run(const std::function<void(int64_t, int64_t)>& progress, const StopToken& stop) const
{
    return run(loadData(m_config), progress, stop);
}

LrFinderResult LrFinder::run(const DataSplits& data, const std::function<void(int64_t, int64_t)>& progress,
                             const StopToken& stop) const
{
    TrainConfig c = m_config;
    applyDataShape(c, data); // the network takes the data's shape and classes
    const torch::Device device = resolveDevice(c.device);
    const int64_t n = data.train.size();
    if (n < 2)
        throw DataError("the train split needs at least 2 images");
    const int64_t total = iterations(n);

    const GeneratorStateGuard keepDraws(device); // the test seeds and draws; what runs next must not notice
    const int threads = effectiveThreads(c.threads);
    torch::set_num_threads(threads);
    // The run's layout and precision, decided as the trainer decides them (auto: measured once,
    // then read from calibration.json under the same keys, so the run after the test measures
    // nothing again): the test is then as fast as the run, and its curve is the one the run trains
    // on (bf16 rounds the loss's landscape a little; the layout changes only the speed).
    const LayoutDecision layout = decideLayout(c, device, threads);
    const PrecisionDecision precision = decidePrecision(c, device, threads, layout.channelsLast);
    GradScaler scaler(precision.precision == "fp16");
    // The trainer's order of draws: seed, network, then the batches.
    torch::manual_seed(c.seed);
    const std::shared_ptr<Network> net = createNetwork(c);
    placeNetwork(*net, device, layout.channelsLast);
    net->train();
    const auto optimizer = makeOptimizer(c, net->parameters());
    const BatchAugmenter augmenter(c.augment);
    const bool augment = c.augment.randomActive();
    const torch::Tensor x = augment ? imagesToInput(data.train.images, device) : normalizedInput(data.train.images, device, augmenter);
    const torch::Tensor y = data.train.labels.to(device);
    const torch::Tensor order =
        c.shuffle ? torch::randperm(n, torch::TensorOptions().dtype(torch::kInt64)).to(device) : torch::Tensor();
    const auto lossOptions = torch::nn::functional::CrossEntropyFuncOptions().label_smoothing(c.labelSmoothing);

    LrFinderResult result;
    result.precision = precision.precision;
    result.precisionWhy = precision.describe();
    const std::vector<torch::Tensor> parameters = net->parameters();
    const double ratio = m_options.endLr / m_options.startLr;
    double average = 0, low = std::numeric_limits<double>::infinity();
    for (int64_t it = 0; it < total; ++it) {
        stop.waitWhilePaused();
        if (stop.stopRequested()) {
            result.stopped = true;
            break;
        }
        const double lr = m_options.startLr * std::pow(ratio, total > 1 ? static_cast<double>(it) / static_cast<double>(total - 1) : 0.0);
        const auto [bx, by] = trainingBatch(x, y, order, it, c.batchSize, augment ? &augmenter : nullptr);
        setLearningRate(*optimizer, lr);
        optimizer->zero_grad();
        torch::Tensor loss;
        {
            const AutocastScope autocast(device, precision.precision); // the forward pass and the loss, as the trainer
            loss = torch::nn::functional::cross_entropy(net->forward(bx), by, lossOptions);
        }
        scaler.scale(loss).backward();
        const bool finite = scaler.unscale(parameters);
        if (finite) // fp16: an overflowed step is skipped and the scale lowered, as in training
            optimizer->step();
        scaler.update(finite);

        average = kSmoothing * average + (1 - kSmoothing) * loss.item<double>();
        const double smoothed = average / (1 - std::pow(kSmoothing, static_cast<double>(it + 1)));
        if (progress)
            progress(it + 1, total);
        if (!std::isfinite(smoothed)) {
            result.diverged = true;
            break;
        }
        result.points.push_back({lr, smoothed});
        low = std::min(low, smoothed);
        if (smoothed > kDivergeFactor * low) {
            result.diverged = true;
            break;
        }
    }
    result.suggestedLr = steepestDescentLr(result.points);
    return result;
}

} // namespace mnist
