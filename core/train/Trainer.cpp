#include "train/Trainer.h"

#include "Error.h"
#include "augment/BatchAugmenter.h"
#include "io/Checkpoint.h"
#include "io/StateDict.h"
#include "models/MemoryLayout.h"
#include "models/ModelRegistry.h"
#include "optim/LrScheduler.h"
#include "optim/OptimizerFactory.h"
#include "train/Device.h"
#include "train/RunStats.h"
#include "train/WeightAverage.h"

#include <torch/torch.h>

#include <chrono>
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

// auto: channels-last on the CPU, where oneDNN's NHWC convolutions and LibTorch's NHWC BatchNorm
// and pool kernels skip the reorders NCHW costs them. One epoch each way on a 2-core EPYC, batch
// 100: LeNet 14,500 -> 16,850 images/s, LeNetDropBN 9,970 -> 12,340, LeNetDL-k3 5,360 -> 6,690,
// LeNetDeep 5,610 -> 7,560, SimpleNet 2,000 -> 2,270. On a GPU cuDNN picks its own layouts for fp32
// (NHWC pays off there with mixed precision), so auto leaves it contiguous.
bool useChannelsLast(const TrainConfig& c, const torch::Device& device)
{
    if (c.memoryFormat != "auto")
        return c.memoryFormat == "channels-last";
    return device.is_cpu();
}

} // namespace

int64_t iterationsPerEpoch(int64_t trainSize, int64_t batchSize)
{
    return trainSize / batchSize + (trainSize % batchSize > 1 ? 1 : 0);
}

torch::Tensor imagesToInput(const torch::Tensor& images, const torch::Device& device)
{
    return images.to(device).to(torch::kFloat32).div_(255.0).unsqueeze(1).contiguous();
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
    resolveDevice(m_config.device); // fail now, not after loading data
}

TrainResult Trainer::run(const DataSplits& data, TrainingObserver& observer, const StopToken& stop)
{
    const TrainConfig& c = m_config;
    const torch::Device device = resolveDevice(c.device);
    const int threads = effectiveThreads(c.threads);
    torch::set_num_threads(threads);
    // The average's network is made before seeding: its initial weights are overwritten anyway, and
    // drawing them after would shift every later random draw, so the same seed would train another
    // model with the EMA on than off.
    std::shared_ptr<Network> averageNet = c.emaDecay > 0 ? createNetwork(c) : nullptr;
    std::optional<WeightAverage> average;
    torch::manual_seed(c.seed);

    const int64_t nTrain = data.train.size();
    if (nTrain < 2 || data.valid.size() < 1 || data.test.size() < 1)
        throw DataError("the train split needs at least 2 images and the valid and test splits at least 1");

    TrainResult result;
    // Held here: result.model becomes the weight average, when there is one, at the end.
    const std::shared_ptr<Network> live = createNetwork(c);
    result.model = live;
    Network& model = *live;
    const bool channelsLast = useChannelsLast(c, device);
    const auto place = [&](Network& net) {
        net.to(device);
        if (channelsLast)
            setConvWeightLayout(net, torch::MemoryFormat::ChannelsLast);
    };
    place(model);
    if (averageNet) {
        place(*averageNet);
        average.emplace(averageNet, c.emaDecay);
    }
    // What is evaluated, kept as best and returned: the average once it holds an update.
    const auto evaluated = [&]() -> Network& {
        return average && average->updates() > 0 ? average->model() : model;
    };

    // Images move to the device as float once; each batch is then a view or a gather. Normalize
    // applies to every split; without random transforms the training images are normalised once too.
    const BatchAugmenter augmenter(c.augment);
    const bool augmentBatches = c.augment.randomActive();
    const auto trainLossOptions = torch::nn::functional::CrossEntropyFuncOptions().label_smoothing(c.labelSmoothing);
    torch::Tensor trainX = imagesToInput(data.train.images, device);
    if (!augmentBatches)
        trainX = augmenter.normalize(trainX);
    const torch::Tensor trainY = data.train.labels.to(device);
    const torch::Tensor validX = augmenter.normalize(imagesToInput(data.valid.images, device));
    const torch::Tensor validY = data.valid.labels.to(device);
    const torch::Tensor testX = augmenter.normalize(imagesToInput(data.test.images, device));
    const torch::Tensor testY = data.test.labels.to(device);
    if (trainX.size(2) != 28 || trainX.size(3) != 28)
        throw DataError("the architectures expect 28x28 images; these are " + std::to_string(trainX.size(2)) + "x" +
                        std::to_string(trainX.size(3)));

    const int64_t iters = iterationsPerEpoch(nTrain, c.batchSize);
    const auto optimizer = makeOptimizer(c, model.parameters());
    const auto schedule = makeSchedule(c.scheduler, c.lr, iters * c.epochs);

    RunInfo& info = result.info;
    info.device = device.str();
    info.threads = threads;
    info.parameterCount = parameterCount(model);
    info.trainSize = nTrain;
    info.validSize = data.valid.size();
    info.testSize = data.test.size();
    info.iterationsPerEpoch = iters;
    info.epochs = c.epochs;
    observer.onRunStarted(info);

    // On the CPU reading a loss back is free; on a GPU it waits for the queue to drain, so losses
    // are collected on the device and read in bursts.
    const size_t flushEvery = device.is_cuda() ? 50 : 1;
    std::vector<torch::Tensor> pendingLoss;
    std::vector<IterationPoint> pendingPoints;
    double epochLossSum = 0;
    LossTrend trend;
    int64_t firstStep = 0; // of this call: a resumed run's weights come from a finite checkpoint

    auto flush = [&]() {
        if (pendingLoss.empty())
            return;
        const torch::Tensor losses = torch::stack(pendingLoss).to(torch::kCPU, torch::kFloat64);
        const double* v = losses.data_ptr<double>();
        for (size_t i = 0; i < pendingPoints.size(); ++i) {
            IterationPoint& p = pendingPoints[i];
            p.loss = v[i];
            if (!std::isfinite(p.loss))
                throw TrainingError("the loss became " + std::string(std::isnan(p.loss) ? "NaN" : "infinite") +
                                    " at epoch " + std::to_string(p.epoch) + ", iteration " +
                                    std::to_string(p.iteration + 1) + " (learning rate " + formatLr(p.lr) +
                                    "): training stopped; " + nonFiniteAdvice(c, p.step - firstStep, p.lr, trend));
            trend.add(p.loss);
            epochLossSum += p.loss;
            observer.onIteration(p);
        }
        pendingLoss.clear();
        pendingPoints.clear();
    };

    double trainSeconds = 0;
    int64_t trainImages = 0;
    int64_t step = 0;
    int64_t firstEpoch = 1;
    result.lrPerIteration.reserve(static_cast<size_t>(iters * c.epochs));

    const auto noteEpoch = [&](const EpochMetrics& m) {
        result.epochs.push_back(m);
        // The whole list each epoch (a few hundred rows at most), so the rule is computeRunStats()'s.
        result.stats = computeRunStats(result.epochs);
    };

    if (!m_resumePath.empty()) {
        const CheckpointState saved = loadCheckpoint(m_resumePath, model, *optimizer, average ? &*average : nullptr);
        if (saved.step != saved.epoch * iters)
            throw ConfigError(m_resumePath + ": the checkpoint has " + std::to_string(saved.step) + " iterations for " +
                              std::to_string(saved.epoch) + " epochs, but this config runs " + std::to_string(iters) +
                              " per epoch (batch size or data changed?)");
        for (const EpochMetrics& m : saved.metrics)
            noteEpoch(m);
        step = saved.step;
        firstStep = step;
        firstEpoch = saved.epoch + 1;
        for (int64_t s = 0; s < step; ++s)
            result.lrPerIteration.push_back(schedule->lrAt(s));
    }

    for (int64_t epoch = firstEpoch; epoch <= c.epochs; ++epoch) {
        const auto epochStart = Clock::now();
        model.train();
        epochLossSum = 0;
        torch::Tensor order;
        if (c.shuffle)
            order = torch::randperm(nTrain, torch::TensorOptions().dtype(torch::kInt64)).to(device);

        int64_t done = 0;
        for (int64_t it = 0; it < iters; ++it) {
            stop.waitWhilePaused();
            if (stop.stopRequested()) {
                flush();
                result.stopped = true;
                break;
            }
            const int64_t start = it * c.batchSize;
            const int64_t len = std::min(c.batchSize, nTrain - start);
            torch::Tensor x, y;
            if (c.shuffle) {
                const torch::Tensor idx = order.narrow(0, start, len);
                x = trainX.index_select(0, idx);
                y = trainY.index_select(0, idx);
            } else {
                x = trainX.narrow(0, start, len);
                y = trainY.narrow(0, start, len);
            }
            if (augmentBatches)
                x = augmenter.normalize(augmenter.augment(x));
            const double lr = schedule->lrAt(step);
            setLearningRate(*optimizer, lr);
            optimizer->zero_grad();
            torch::Tensor loss = torch::nn::functional::cross_entropy(model.forward(x), y, trainLossOptions);
            loss.backward();
            optimizer->step();
            if (average)
                average->update(model);

            result.lrPerIteration.push_back(lr);
            pendingLoss.push_back(loss.detach());
            pendingPoints.push_back({step, epoch, it, lr, 0.0});
            if (pendingLoss.size() >= flushEvery)
                flush();
            ++step;
            done += len;
        }
        flush();
        if (result.stopped)
            break;
        const double epochTrainSeconds = secondsSince(epochStart);
        trainSeconds += epochTrainSeconds;
        trainImages += done;

        EpochMetrics m;
        m.epoch = epoch;
        m.trainLoss = epochLossSum / static_cast<double>(iters);
        const Evaluation valid = evaluate(evaluated(), validX, validY, c.evalBatchSize, nullptr, c.labelSmoothing);
        PerImageOutputs testOutputs;
        const bool keepPredictions = observer.wantsTestPredictions();
        const Evaluation test = evaluate(evaluated(), testX, testY, c.evalBatchSize, keepPredictions ? &testOutputs : nullptr);
        m.validLoss = valid.meanLoss;
        m.testAccuracy = test.accuracy;
        m.lr = result.lrPerIteration.back();
        m.seconds = secondsSince(epochStart);
        m.imagesPerSecond = epochTrainSeconds > 0 ? static_cast<double>(done) / epochTrainSeconds : 0;
        if (!std::isfinite(m.validLoss))
            throw TrainingError("the valid loss became " + std::string(std::isnan(m.validLoss) ? "NaN" : "infinite") +
                                " after epoch " + std::to_string(epoch) + " (learning rate " + formatLr(m.lr) +
                                "): training stopped; " + nonFiniteAdvice(c, step - firstStep, m.lr, trend));
        const int64_t previousBestValid = result.stats.bestValidEpoch;
        noteEpoch(m);
        if (!m_checkpointDir.empty()) {
            // Best weights first: a crash between the two writes then never leaves a checkpoint
            // that is newer than best.safetensors.
            if (result.stats.bestValidEpoch != previousBestValid)
                saveWeights(evaluated(), m_checkpointDir + "/best.safetensors");
            saveCheckpoint(m_checkpointDir + "/checkpoint.pt", model, *optimizer,
                           {epoch, step, result.epochs, result.stats.bestValidLoss, result.stats.bestValidEpoch},
                           average ? &*average : nullptr);
        }
        if (keepPredictions)
            observer.onTestPredictions(epoch, makeTestPredictions(testOutputs, data.test.labels, data.test.images));
        observer.onEpoch(m);
        if (stop.stopRequested() && epoch < c.epochs) {
            result.stopped = true;
            break;
        }
    }
    result.trainImagesPerSecond = trainSeconds > 0 ? static_cast<double>(trainImages) / trainSeconds : 0;
    if (average && average->updates() > 0)
        result.model = average->modelPtr();
    if (channelsLast) // callers export and save the model: they get PyTorch's default layout
        setConvWeightLayout(*result.model, torch::MemoryFormat::Contiguous);
    result.model->eval();
    return result;
}

} // namespace mnist
