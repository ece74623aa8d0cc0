#include "train/Trainer.h"

#include "EnvFlag.h"
#include "Error.h"
#include "augment/BatchAugmenter.h"
#include "run/Checkpoint.h"
#include "formats/StateDict.h"
#include "run/RunLayout.h"
#include "spec/NetworkSpec.h"
#include "models/MemoryLayout.h"
#include "models/ModelRegistry.h"
#include "optim/LrScheduler.h"
#include "optim/OptimizerFactory.h"
#include "train/Device.h"
#include "train/LayerStats.h"
#include "train/GradScaler.h"
#include "train/LayoutCalibration.h"
#include "train/Precision.h"
#include "train/RunStats.h"
#include "train/WeightAverage.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <chrono>
#include <functional>
#include <cmath>
#include <filesystem>
#include <optional>

namespace mnist {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t0)
{
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::string formatLr(double lr)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", lr);
    return buf;
}

// The loss's low (of a running mean, so one lucky batch does not count) and its latest value: a run
// whose loss climbed far above its low before turning NaN diverged, which is the LR's doing; one
// that met a NaN while falling did not.
class LossTrend {
public:
    void add(double loss)
    {
        m_mean = m_count == 0 ? loss : 0.9 * m_mean + 0.1 * loss;
        m_low = m_count == 0 ? m_mean : std::min(m_low, m_mean);
        m_last = loss;
        ++m_count;
    }
    bool diverged() const { return m_count >= 2 && m_last > 3 * m_low && m_last > m_low + 0.1; }
    double low() const { return m_low; }
    double last() const { return m_last; }

private:
    double m_mean = 0, m_low = 0, m_last = 0;
    int64_t m_count = 0;
};

// An LR this high for the optimizer makes a blow-up likely whatever the loss did before.
bool lrIsHigh(const TrainConfig& c, double lr)
{
    return c.optimizer == "sgd" ? lr >= 1.0 : lr >= 0.05;
}

// What to tell the user about a non-finite loss: suggest a smaller LR only when the LR can be the
// cause. No update before the failing loss, or an LR of 0, rules it out.
std::string nonFiniteAdvice(const TrainConfig& c, int64_t updatesBefore, double lr, const LossTrend& trend)
{
    if (updatesBefore == 0)
        return "no weight update had happened yet, so the learning rate is not the cause: check the data and the "
               "normalisation (Normalize's std)";
    if (lr == 0)
        return "the learning rate was 0, so it is not the cause: check the data and the normalisation";
    char buf[200];
    if (trend.diverged()) {
        std::snprintf(buf, sizeof buf, "the loss had risen from %.3g to %.3g before: the learning rate is too large, "
                      "try a smaller one (e.g. %g)", trend.low(), trend.last(), lr / 10);
        return buf;
    }
    if (lrIsHigh(c, lr)) {
        std::snprintf(buf, sizeof buf, "a learning rate of %g is very large for %s: try a smaller one (e.g. %g)", lr,
                      c.optimizer.c_str(), lr / 10);
        return buf;
    }
    return "the loss was not rising before and the learning rate is moderate, so it is an unlikely cause: check the "
           "data, the normalisation and the weight decay";
}

// One call of Trainer::run() in named steps, which share the run's state: prepare() (the networks,
// the data on the device, the optimizer and schedule; the observer hears onRunStarted), resume()
// (a checkpoint's weights and epochs), then trainNextEpoch() until it returns false (train one
// epoch, evaluate it, write the checkpoint, tell the observer), and finish() (the result).
class TrainingRun {
public:
    // `resumePath`, when not empty, is the checkpoint resume() will be given: auto's precision is the one it trained in.
    TrainingRun(const TrainConfig& config, const DataSplits& data, TrainingObserver& observer, const StopToken& stop,
                const std::string& resumePath)
        : m_c(config), m_data(data), m_observer(observer), m_stop(stop), m_resumePath(resumePath),
          m_device(resolveDevice(config.device)),
          m_augmenter(config.augment),
          m_trainLossOptions(torch::nn::functional::CrossEntropyFuncOptions().label_smoothing(config.labelSmoothing)),
          m_earlyStopping(config.earlyStopPatience, config.earlyStopMinDelta)
    {
    }

    void prepare()
    {
        prepareModel();
        prepareData();
        prepareOptimizer();
        announce();
    }

    // Continues from `path` (checkpoint.pt): its epochs are reported again through the result (not
    // the observer) and training goes on from the next one.
    void resume(const std::string& path)
    {
        const CheckpointState saved = loadCheckpoint(path, *m_live, *m_optimizer, m_average ? &*m_average : nullptr);
        if (saved.step != saved.epoch * m_iters)
            throw ConfigError(path + ": the checkpoint has " + std::to_string(saved.step) + " iterations for " +
                              std::to_string(saved.epoch) + " epochs, but this config runs " + std::to_string(m_iters) +
                              " per epoch (batch size or data changed?)");
        const std::string savedPrecision = saved.precision.empty() ? "fp32" : saved.precision; // older: fp32
        if (savedPrecision != m_precision.precision)
            throw ConfigError(path + ": the checkpoint was trained in " + savedPrecision + ", this run in " +
                              m_precision.precision + ": resume it with its own config");
        m_scaler = GradScaler(m_precision.precision == "fp16", saved.scaler);
        for (const EpochMetrics& m : saved.metrics)
            noteEpoch(m);
        m_step = saved.step;
        m_firstStep = m_step;
        m_nextEpoch = saved.epoch + 1;
        for (int64_t s = 0; s < m_step; ++s)
            m_result.lrPerIteration.push_back(m_schedule->lrAt(s));
    }

    // Trains, evaluates and records the next epoch; false when the run is over (every epoch done, or
    // stopped on request). `checkpointDir`, when not empty, receives checkpoint.pt and best.safetensors.
    bool trainNextEpoch(const std::string& checkpointDir)
    {
        if (m_nextEpoch > m_c.epochs || m_result.earlyStop.happened())
            return false;
        const int64_t epoch = m_nextEpoch++;
        const auto epochStart = Clock::now();
        const int64_t done = trainEpoch(epoch);
        if (m_result.stopped)
            return false;
        const double epochTrainSeconds = secondsSince(epochStart);
        m_trainSeconds += epochTrainSeconds;
        m_trainImages += done;

        PerImageOutputs testOutputs;
        bool keepPredictions = false;
        const EpochMetrics m = evaluateEpoch(epoch, epochStart, epochTrainSeconds, done, testOutputs, keepPredictions);
        const int64_t previousBestValid = m_result.stats.bestValidEpoch;
        noteEpoch(m);
        if (!checkpointDir.empty())
            writeCheckpoint(checkpointDir, epoch, m_result.stats.bestValidEpoch != previousBestValid);
        if (keepPredictions)
            m_observer.onTestPredictions(epoch, makeTestPredictions(testOutputs, m_data.test.labels, m_data.test.images));
        if (m_layerStats)
            m_observer.onLayerStats(m_layerStats->finishEpoch(epoch));
        m_observer.onEpoch(m);
        if (m_result.earlyStop.happened())
            return false;
        if (m_stop.stopRequested() && epoch < m_c.epochs) {
            m_result.stopped = true;
            return false;
        }
        return true;
    }

    TrainResult finish()
    {
        m_result.trainImagesPerSecond = m_trainSeconds > 0 ? static_cast<double>(m_trainImages) / m_trainSeconds : 0;
        if (m_average && m_average->updates() > 0)
            m_result.model = m_average->modelPtr();
        if (m_channelsLast) // callers export and save the model: they get PyTorch's default layout
            setConvWeightLayout(*m_result.model, torch::MemoryFormat::Contiguous);
        m_result.model->eval();
        return std::move(m_result);
    }

private:
    // The networks (the live one and the weight average's) on the device, and the seed.
    void prepareModel()
    {
        m_threads = effectiveThreads(m_c.threads);
        torch::set_num_threads(m_threads);
        // Channels-last lets oneDNN's NHWC convolutions and LibTorch's NHWC BatchNorm and pool
        // kernels skip the reorders NCHW costs on the CPU; by how much depends on the CPU, so auto
        // is measured here (it leaves the random draws alone).
        m_layout = decideLayout(m_c, m_device, m_threads);
        m_channelsLast = m_layout.channelsLast;
        // Measured (auto) in the layout just chosen, before seeding, like the layout.
        m_precision = decidePrecision(m_c, m_device, m_threads, m_channelsLast,
                                      m_c.precision == "auto" && !m_resumePath.empty()
                                          ? readCheckpointSummary(m_resumePath).precision
                                          : std::string());
        m_scaler = GradScaler(m_precision.precision == "fp16");
        // The average's network is made before seeding: its initial weights are overwritten anyway,
        // and drawing them after would shift every later random draw, so the same seed would train
        // another model with the EMA on than off.
        std::shared_ptr<Network> averageNet = m_c.emaDecay > 0 ? createNetwork(m_c) : nullptr;
        torch::manual_seed(m_c.seed);

        m_nTrain = m_data.train.size();
        if (m_nTrain < 2 || m_data.valid.size() < 1 || m_data.test.size() < 1)
            throw DataError("the train split needs at least 2 images and the valid and test splits at least 1");

        // Held here: result.model becomes the weight average, when there is one, at the end.
        m_live = createNetwork(m_c);
        m_result.model = m_live;
        placeNetwork(*m_live, m_device, m_channelsLast);
        // MNIST_STUDIO_NO_LAYER_STATS=1 leaves layers.csv empty: the bench's way to measure its cost.
        if (!envFlag("MNIST_STUDIO_NO_LAYER_STATS"))
            m_layerStats.emplace(*m_live);
        if (averageNet) {
            placeNetwork(*averageNet, m_device, m_channelsLast);
            m_average.emplace(averageNet, m_c.emaDecay);
        }
    }

    // Images move to the device as float once; each batch is then a view or a gather. Normalize
    // applies to every split; without random transforms the training images are normalised once too.
    void prepareData()
    {
        m_augmentBatches = m_c.augment.randomActive();
        m_trainX = m_augmentBatches ? imagesToInput(m_data.train.images, m_device)
                                    : normalizedInput(m_data.train.images, m_device, m_augmenter);
        m_trainY = m_data.train.labels.to(m_device);
        m_validX = normalizedInput(m_data.valid.images, m_device, m_augmenter);
        m_validY = m_data.valid.labels.to(m_device);
        m_testX = normalizedInput(m_data.test.images, m_device, m_augmenter);
        m_testY = m_data.test.labels.to(m_device);
        const std::vector<int64_t> shape{m_trainX.size(1), m_trainX.size(2), m_trainX.size(3)};
        if (shape != m_c.data.input())
            throw DataError("the images are " + formatShape(shape) + " but the set-up's network was made for " +
                            formatShape(m_c.data.input()) + " (applyDataShape() of the loaded data sets it)");
        const int64_t classes = m_c.data.classCount();
        for (const Dataset* split : {&m_data.train, &m_data.valid, &m_data.test})
            if (split->size() > 0 && (split->labels.min().item<int64_t>() < 0 || split->labels.max().item<int64_t>() >= classes))
                throw DataError("a label lies outside the data's " + std::to_string(classes) + " classes (0.." +
                                std::to_string(classes - 1) + ")");
    }

    void prepareOptimizer()
    {
        m_iters = iterationsPerEpoch(m_nTrain, m_c.batchSize);
        m_parameters = m_live->parameters();
        m_optimizer = makeOptimizer(m_c, m_parameters);
        m_schedule = makeSchedule(m_c.scheduler, m_c.lr, m_iters * m_c.epochs);
    }

    void announce()
    {
        RunInfo& info = m_result.info;
        info.device = m_device.str();
        info.threads = m_threads;
        info.memoryFormat = m_layout.layout();
        info.memoryFormatWhy = m_layout.describe();
        info.precision = m_precision.precision;
        info.precisionWhy = m_precision.describe();
        info.precisionEmulated = m_precision.emulated;
        info.parameterCount = parameterCount(*m_live);
        info.trainSize = m_nTrain;
        info.validSize = m_data.valid.size();
        info.testSize = m_data.test.size();
        info.iterationsPerEpoch = m_iters;
        info.epochs = m_c.epochs;
        m_observer.onRunStarted(info);

        // On the CPU reading a loss back is free; on a GPU it waits for the queue to drain, so
        // losses are collected on the device and read in bursts.
        m_flushEvery = m_device.is_cuda() ? 50 : 1;
        m_result.lrPerIteration.reserve(static_cast<size_t>(m_iters * m_c.epochs));
    }

    // What is evaluated, kept as best and returned: the average once it holds an update.
    Network& evaluated() { return m_average && m_average->updates() > 0 ? m_average->model() : *m_live; }

    void noteEpoch(const EpochMetrics& m)
    {
        m_result.epochs.push_back(m);
        // The whole list each epoch (a few hundred rows at most), so the rule is computeRunStats()'s.
        m_result.stats = computeRunStats(m_result.epochs);
        // A resumed run re-reports its checkpoint's epochs here too, so the rule's state is the
        // uninterrupted run's. Only an end before the last epoch counts as an early stop; a run resumed
        // with a patience that has already run out ends at once, where it is.
        const bool ends = m_earlyStopping.add(m) && m.epoch < m_c.epochs;
        m_result.earlyStop = ends ? EarlyStop{m.epoch, m_earlyStopping.bestEpoch()} : EarlyStop{};
    }

    // Reads the pending losses back, checks them and tells the observer.
    void flush()
    {
        if (m_pendingLoss.empty())
            return;
        const torch::Tensor losses = torch::stack(m_pendingLoss).to(torch::kCPU, torch::kFloat64);
        const double* v = losses.data_ptr<double>();
        for (size_t i = 0; i < m_pendingPoints.size(); ++i) {
            IterationPoint& p = m_pendingPoints[i];
            p.loss = v[i];
            if (!std::isfinite(p.loss))
                throw DivergedError("the loss became " + std::string(std::isnan(p.loss) ? "NaN" : "infinite") +
                                    " at epoch " + std::to_string(p.epoch) + ", iteration " +
                                    std::to_string(p.iteration + 1) + " (learning rate " + formatLr(p.lr) +
                                    "): training stopped; " + nonFiniteAdvice(m_c, p.step - m_firstStep, p.lr, m_trend));
            m_trend.add(p.loss);
            m_epochLossSum += p.loss;
            m_observer.onIteration(p);
        }
        m_pendingLoss.clear();
        m_pendingPoints.clear();
    }

    // One pass over the training split; the images it trained on. A stop request ends it within one
    // iteration and marks the result stopped.
    int64_t trainEpoch(int64_t epoch)
    {
        Network& model = *m_live;
        model.train();
        m_epochLossSum = 0;
        torch::Tensor order;
        if (m_c.shuffle)
            order = torch::randperm(m_nTrain, torch::TensorOptions().dtype(torch::kInt64)).to(m_device);
        int64_t done = 0;
        for (int64_t it = 0; it < m_iters; ++it) {
            m_stop.waitWhilePaused();
            if (m_stop.stopRequested()) {
                flush();
                m_result.stopped = true;
                break;
            }
            const auto [x, y] = trainingBatch(m_trainX, m_trainY, order, it, m_c.batchSize,
                                              m_augmentBatches ? &m_augmenter : nullptr);
            const int64_t len = x.size(0);
            const double lr = m_schedule->lrAt(m_step);
            setLearningRate(*m_optimizer, lr);
            m_optimizer->zero_grad();
            torch::Tensor loss;
            {
                // Only the forward pass and the loss: backward runs each op in its forward's dtype.
                const AutocastScope autocast(m_device, m_precision.precision);
                loss = torch::nn::functional::cross_entropy(model.forward(x), y, m_trainLossOptions);
            }
            m_scaler.scale(loss).backward();
            const bool finite = m_scaler.unscale(m_parameters);
            if (m_layerStats)
                m_layerStats->afterBackward(it);
            if (finite) // fp16 skips a step whose gradients overflowed and lowers its loss scale
                m_optimizer->step();
            m_scaler.update(finite);
            if (m_average)
                m_average->update(model);

            m_result.lrPerIteration.push_back(lr);
            m_pendingLoss.push_back(loss.detach());
            m_pendingPoints.push_back({m_step, epoch, it, lr, 0.0});
            if (m_pendingLoss.size() >= m_flushEvery)
                flush();
            ++m_step;
            done += len;
        }
        flush();
        return done;
    }

    // The epoch's metrics: the valid loss and test accuracy of evaluated(). `testOutputs` receives
    // the test images' predictions when the observer wants them (`keepPredictions`).
    EpochMetrics evaluateEpoch(int64_t epoch, Clock::time_point epochStart, double epochTrainSeconds, int64_t done,
                               PerImageOutputs& testOutputs, bool& keepPredictions)
    {
        EpochMetrics m;
        m.epoch = epoch;
        m.trainLoss = m_epochLossSum / static_cast<double>(m_iters);
        const Evaluation valid = evaluate(evaluated(), m_validX, m_validY, m_c.evalBatchSize, nullptr, m_c.labelSmoothing);
        keepPredictions = m_observer.wantsTestPredictions();
        const Evaluation test =
            evaluate(evaluated(), m_testX, m_testY, m_c.evalBatchSize, keepPredictions ? &testOutputs : nullptr);
        m.validLoss = valid.meanLoss;
        m.testAccuracy = test.accuracy;
        m.lr = m_result.lrPerIteration.back();
        m.seconds = secondsSince(epochStart);
        m.imagesPerSecond = epochTrainSeconds > 0 ? static_cast<double>(done) / epochTrainSeconds : 0;
        if (!std::isfinite(m.validLoss))
            throw DivergedError("the valid loss became " + std::string(std::isnan(m.validLoss) ? "NaN" : "infinite") +
                                " after epoch " + std::to_string(epoch) + " (learning rate " + formatLr(m.lr) +
                                "): training stopped; " + nonFiniteAdvice(m_c, m_step - m_firstStep, m.lr, m_trend));
        return m;
    }

    // best.safetensors when the epoch has the lowest valid loss so far, then checkpoint.pt.
    void writeCheckpoint(const std::string& dir, int64_t epoch, bool newBestValid)
    {
        // Best weights first: a crash between the two writes then never leaves a checkpoint that is
        // newer than best.safetensors.
        const RunLayout run(dir);
        if (newBestValid)
            saveWeights(evaluated(), run.bestWeights());
        saveCheckpoint(run.checkpoint(), *m_live, *m_optimizer,
                       {epoch, m_step, m_result.epochs, m_result.stats.bestValidLoss, m_result.stats.bestValidEpoch,
                        m_precision.precision, m_scaler.state()},
                       m_average ? &*m_average : nullptr);
    }

    const TrainConfig& m_c;
    const DataSplits& m_data;
    TrainingObserver& m_observer;
    const StopToken& m_stop;
    const std::string m_resumePath;
    const torch::Device m_device;
    const BatchAugmenter m_augmenter;
    const torch::nn::functional::CrossEntropyFuncOptions m_trainLossOptions;
    EarlyStopping m_earlyStopping;

    TrainResult m_result;
    int m_threads = 0;
    std::shared_ptr<Network> m_live;
    std::optional<WeightAverage> m_average;
    std::optional<LayerStatsRecorder> m_layerStats; // of the live network: its gradients exist
    LayoutDecision m_layout;
    bool m_channelsLast = false;
    PrecisionDecision m_precision;
    GradScaler m_scaler{false};
    std::vector<torch::Tensor> m_parameters; // the live network's, as the optimizer holds them

    int64_t m_nTrain = 0;
    bool m_augmentBatches = false;
    torch::Tensor m_trainX, m_trainY, m_validX, m_validY, m_testX, m_testY;

    int64_t m_iters = 0;
    std::unique_ptr<torch::optim::Optimizer> m_optimizer;
    std::unique_ptr<LrSchedule> m_schedule;

    size_t m_flushEvery = 1;
    std::vector<torch::Tensor> m_pendingLoss;
    std::vector<IterationPoint> m_pendingPoints;
    double m_epochLossSum = 0;
    LossTrend m_trend;
    int64_t m_firstStep = 0; // of this call: a resumed run's weights come from a finite checkpoint
    int64_t m_step = 0;
    int64_t m_nextEpoch = 1;
    double m_trainSeconds = 0;
    int64_t m_trainImages = 0;
};

} // namespace

int64_t iterationsPerEpoch(int64_t trainSize, int64_t batchSize)
{
    return trainSize / batchSize + (trainSize % batchSize > 1 ? 1 : 0);
}

TrainingBatch trainingBatch(const torch::Tensor& images, const torch::Tensor& labels, const torch::Tensor& order, int64_t it,
                            int64_t batchSize, const BatchAugmenter* augmenter)
{
    const int64_t start = it * batchSize;
    const int64_t len = std::min(batchSize, images.size(0) - start);
    TrainingBatch b;
    if (order.defined()) {
        const torch::Tensor idx = order.narrow(0, start, len);
        b.x = images.index_select(0, idx);
        b.y = labels.index_select(0, idx);
    } else {
        b.x = images.narrow(0, start, len);
        b.y = labels.narrow(0, start, len);
    }
    if (augmenter)
        b.x = augmenter->normalize(augmenter->augment(b.x));
    return b;
}

namespace {

// [N, H, W] (one grey channel) or [N, C, H, W] bytes -> float [N, C, H, W] in [0, 1].
torch::Tensor imagesToInputOps(const torch::Tensor& images, const torch::Device& device)
{
    const torch::Tensor x = images.to(device).to(torch::kFloat32).div_(255.0);
    return (x.dim() == 3 ? x.unsqueeze(1) : x).contiguous();
}

// uint8 [N, H, W] -> float [N, 1, H, W] through `perByte`, an elementwise chain of LibTorch ops
// whose result depends on the byte alone: evaluated once on the 256 bytes, then one table lookup
// per pixel, in parallel. Bit for bit the chain's values (each op rounds the same wherever an
// element sits); on the CPU it replaces up to four passes and three allocations of the whole set
// (150 MB of floats for MNIST's training split) by one.
torch::Tensor mapBytes(const torch::Tensor& images, const std::function<torch::Tensor(const torch::Tensor&)>& perByte)
{
    const torch::Tensor table =
        perByte(imagesToInputOps(torch::arange(256, torch::kUInt8).view({256, 1, 1}), torch::kCPU)).contiguous();
    TORCH_CHECK(table.numel() == 256 && table.scalar_type() == torch::kFloat32, "mapBytes: not one float per byte");
    const torch::Tensor bytes = images.contiguous();
    torch::Tensor out = images.dim() == 3 ? torch::empty({images.size(0), 1, images.size(1), images.size(2)}, torch::kFloat32)
                                          : torch::empty(images.sizes(), torch::kFloat32);
    const uint8_t* src = bytes.data_ptr<uint8_t>();
    const float* lut = table.data_ptr<float>();
    float* dst = out.data_ptr<float>();
    at::parallel_for(0, bytes.numel(), 1 << 16, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i)
            dst[i] = lut[src[i]];
    });
    return out;
}

bool mappable(const torch::Tensor& images, const torch::Device& device)
{
    return device.is_cpu() && images.device().is_cpu() && images.scalar_type() == torch::kUInt8 &&
           (images.dim() == 3 || images.dim() == 4);
}

} // namespace

torch::Tensor imagesToInput(const torch::Tensor& images, const torch::Device& device)
{
    if (!mappable(images, device))
        return imagesToInputOps(images, device);
    return mapBytes(images, [](const torch::Tensor& x) { return x; });
}

torch::Tensor normalizedInput(const torch::Tensor& images, const torch::Device& device, const BatchAugmenter& augmenter)
{
    // The byte table holds one value per byte: a per-channel normalisation needs the channel too.
    if (!mappable(images, device) || (augmenter.config().normalize && augmenter.config().normalizePerChannel))
        return augmenter.normalize(imagesToInputOps(images, device));
    return mapBytes(images, [&](const torch::Tensor& x) { return augmenter.normalize(x); });
}

Evaluation evaluate(Network& model, const torch::Tensor& images, const torch::Tensor& labels, int64_t batchSize,
                    PerImageOutputs* perImage, double labelSmoothing)
{
    // Nothing computed here is ever differentiated: inference mode also skips version counters.
    c10::InferenceMode inference;
    const bool wasTraining = model.is_training();
    model.eval();
    const int64_t n = images.size(0);
    const auto device = images.device();
    // Accumulated on the device and read once: a read per batch would stall a GPU.
    torch::Tensor lossSum = torch::zeros({}, torch::TensorOptions().dtype(torch::kFloat64).device(device));
    torch::Tensor correct = torch::zeros({}, torch::TensorOptions().dtype(torch::kInt64).device(device));
    std::vector<torch::Tensor> predicted, probabilities;
    const auto lossOptions =
        torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum).label_smoothing(labelSmoothing);
    for (int64_t start = 0; start < n; start += batchSize) {
        const int64_t len = std::min(batchSize, n - start);
        const torch::Tensor logits = model.forward(images.narrow(0, start, len));
        const torch::Tensor y = labels.narrow(0, start, len);
        if (perImage) {
            // Kept on the device until the end: one copy back, not one per batch.
            predicted.push_back(logits.argmax(1));
            probabilities.push_back(torch::softmax(logits, 1).to(torch::kFloat32));
        }
        lossSum += torch::nn::functional::cross_entropy(logits, y, lossOptions).to(torch::kFloat64);
        correct += logits.argmax(1).eq(y).sum();
    }
    model.train(wasTraining);
    if (perImage) {
        perImage->predicted = n > 0 ? torch::cat(predicted).to(torch::kCPU, torch::kInt64).contiguous()
                                    : torch::zeros({0}, torch::kInt64);
        perImage->probabilities = n > 0 ? torch::cat(probabilities).to(torch::kCPU).contiguous() : torch::zeros({0, 10});
    }
    Evaluation e;
    e.meanLoss = lossSum.item<double>() / static_cast<double>(n);
    e.accuracy = 100.0 * static_cast<double>(correct.item<int64_t>()) / static_cast<double>(n);
    return e;
}

Trainer::Trainer(TrainConfig config) : m_config(std::move(config))
{
    throwIfInvalid(m_config);
    checkPrecisionRuns(m_config.precision, resolveDevice(m_config.device)); // fail now, not after loading data
}

TrainResult Trainer::run(const DataSplits& data, TrainingObserver& observer, const StopToken& stop)
{
    TrainingRun run(m_config, data, observer, stop, m_resumePath);
    run.prepare();
    if (!m_resumePath.empty())
        run.resume(m_resumePath);
    while (run.trainNextEpoch(m_checkpointDir)) {
        // each call trains, evaluates and records one epoch
    }
    return run.finish();
}

} // namespace mnist
