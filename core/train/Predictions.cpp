#include "train/Predictions.h"

#include "Error.h"
#include "augment/BatchAugmenter.h"
#include "data/Dataset.h"
#include "run/RunFolder.h"
#include "formats/StateDict.h"
#include "models/MemoryLayout.h"
#include "models/ModelRegistry.h"
#include "train/Device.h"
#include "train/Trainer.h"
#include "spec/NetworkSpec.h"

#include <torch/torch.h>

#include <algorithm>
#include <cstring>

namespace mnist {

int64_t TestPredictions::correct() const
{
    int64_t n = 0;
    for (int k = 0; k < classes; ++k)
        n += confusion.empty() ? 0 : confusion[static_cast<std::size_t>(k * classes + k)];
    return n;
}

double TestPredictions::accuracy() const
{
    return size() > 0 ? 100.0 * static_cast<double>(correct()) / static_cast<double>(size()) : 0.0;
}

double TestPredictions::classAccuracy(int k) const
{
    if (k < 0 || k >= classes || confusion.empty())
        return -1;
    int64_t row = 0;
    for (int p = 0; p < classes; ++p)
        row += confusion[static_cast<std::size_t>(k * classes + p)];
    if (row == 0)
        return -1;
    return 100.0 * static_cast<double>(confusion[static_cast<std::size_t>(k * classes + k)]) / static_cast<double>(row);
}

namespace {

// The one place single images and the test set are turned into network inputs, so that a drawn
// digit is normalised exactly as the images the model was evaluated on.
torch::Tensor modelInput(const torch::Tensor& images, const AugmentConfig& augment, const torch::Device& device)
{
    return normalizedInput(images, device, BatchAugmenter(augment));
}

} // namespace

TestPredictions makeTestPredictions(const PerImageOutputs& outputs, const torch::Tensor& labels, const torch::Tensor& images)
{
    const torch::Tensor p = outputs.probabilities.to(torch::kCPU, torch::kFloat32).contiguous();
    const torch::Tensor pred = outputs.predicted.to(torch::kCPU, torch::kInt64).contiguous();
    const torch::Tensor l64 = labels.to(torch::kCPU, torch::kInt64).contiguous();
    const int64_t n = l64.numel();
    TestPredictions out;
    const bool grey3d = images.dim() == 3; // [N, H, W]: one channel
    out.channels = grey3d ? 1 : static_cast<int>(images.size(1));
    out.rows = static_cast<int>(images.size(grey3d ? 1 : 2));
    out.cols = static_cast<int>(images.size(grey3d ? 2 : 3));
    out.classes = p.dim() == 2 ? static_cast<int>(p.size(1)) : 10;
    out.labels.resize(static_cast<std::size_t>(n));
    out.predicted.resize(static_cast<std::size_t>(n));
    out.confidence.resize(static_cast<std::size_t>(n));
    out.probabilities.assign(p.data_ptr<float>(), p.data_ptr<float>() + p.numel());
    out.confusion.assign(static_cast<std::size_t>(out.classes * out.classes), 0);
    const int64_t* l = l64.data_ptr<int64_t>();
    const int64_t* q = pred.data_ptr<int64_t>();
    for (int64_t i = 0; i < n; ++i) {
        if (l[i] < 0 || l[i] >= out.classes)
            throw DataError("test label " + std::to_string(l[i]) + " of image " + std::to_string(i) + " is outside 0.." +
                            std::to_string(out.classes - 1));
        const auto s = static_cast<std::size_t>(i);
        out.labels[s] = static_cast<int>(l[i]);
        out.predicted[s] = static_cast<int>(q[i]);
        out.confidence[s] = out.probabilities[s * static_cast<std::size_t>(out.classes) + static_cast<std::size_t>(q[i])];
        ++out.confusion[static_cast<std::size_t>(l[i] * out.classes + q[i])];
    }
    const torch::Tensor pixels = images.to(torch::kCPU, torch::kUInt8).contiguous();
    out.images.resize(static_cast<std::size_t>(pixels.numel()));
    if (pixels.numel() > 0)
        std::memcpy(out.images.data(), pixels.data_ptr<uint8_t>(), out.images.size());
    return out;
}

void requireModelData(const DataSplits& data, const TrainConfig& config)
{
    if (data.shape != config.data)
        throw DataError("the data in " + resolveDataDir(config) + " (" + data.name + ", " + formatShape(data.shape.input()) +
                        ", " + std::to_string(data.shape.classCount()) + " classes) is not the data this model was "
                        "trained on (" + formatShape(config.data.input()) + ", " +
                        std::to_string(config.data.classCount()) + " classes)");
}

TestPredictions predictTestSet(const std::string& weightsPath, const TrainConfig& config)
{
    const std::shared_ptr<Network> net = loadNetwork(config, weightsPath);
    return predictTestSet(*net, config);
}

TestPredictions predictTestSet(Network& net, const TrainConfig& config)
{
    const DataSplits data = loadData(config);
    requireModelData(data, config);
    const Dataset& test = data.test;
    const torch::Device device = resolveDevice(config.device);
    net.to(device);
    const torch::Tensor labels = test.labels.to(torch::kInt64).contiguous();
    // Checked before the forward passes: the loss of evaluate() would fail on such a label with
    // LibTorch's message instead of ours.
    const int64_t classes = config.data.classCount();
    const torch::Tensor bad = labels.lt(0).logical_or(labels.ge(classes)).nonzero();
    if (bad.numel() > 0) {
        const int64_t i = bad[0][0].item<int64_t>();
        throw DataError("test label " + std::to_string(labels[i].item<int64_t>()) + " of image " + std::to_string(i) +
                        " is outside 0.." + std::to_string(classes - 1));
    }
    // Same input pipeline and forward passes as training's evaluation, so the counts equal its accuracy.
    const torch::Tensor x = modelInput(test.images, config.augment, device);
    PerImageOutputs outputs;
    const ChannelsLastScope layout(net, device);
    evaluate(net, x, labels.to(device), std::max<int64_t>(config.evalBatchSize, 1), &outputs);
    TestPredictions out = makeTestPredictions(outputs, labels, test.images);
    out.classNames = config.data.classes;
    return out;
}

ImagePredictions predictImages(const std::string& weightsPath, const TrainConfig& config, const Dataset& images)
{
    const std::vector<int64_t> shape{images.images.size(1), images.images.size(2), images.images.size(3)};
    if (shape != config.data.input())
        throw DataError("the images are " + formatShape(shape) + " but the model takes " + formatShape(config.data.input()));
    const std::shared_ptr<Network> net = loadNetwork(config, weightsPath);
    const torch::Device device = resolveDevice(config.device);
    net->to(device);
    net->eval();
    torch::NoGradGuard noGrad;
    const ChannelsLastScope layout(*net, device);
    const torch::Tensor x = modelInput(images.images, config.augment, device);
    const int64_t n = x.size(0), batch = std::max<int64_t>(config.evalBatchSize, 1);
    ImagePredictions out;
    out.predicted.reserve(static_cast<size_t>(n));
    out.confidence.reserve(static_cast<size_t>(n));
    for (int64_t start = 0; start < n; start += batch) {
        const torch::Tensor p = torch::softmax(net->forward(x.narrow(0, start, std::min(batch, n - start))), 1);
        const auto [best, index] = p.max(1);
        const torch::Tensor b = best.to(torch::kCPU, torch::kFloat32).contiguous();
        const torch::Tensor i = index.to(torch::kCPU, torch::kInt64).contiguous();
        for (int64_t k = 0; k < b.numel(); ++k) {
            out.predicted.push_back(static_cast<int>(i.data_ptr<int64_t>()[k]));
            out.confidence.push_back(b.data_ptr<float>()[k]);
        }
    }
    return out;
}

struct ImageClassifier::Impl {
    std::shared_ptr<Network> net;
    AugmentConfig augment;
    DataShape shape;
};

ImageClassifier::ImageClassifier(const TrainConfig& config, const std::string& weightsPath)
    : m_impl(std::make_unique<Impl>())
{
    m_impl->net = loadNetwork(config, weightsPath);
    m_impl->net->eval();
    m_impl->augment = config.augment;
    m_impl->shape = config.data;
}

const DataShape& ImageClassifier::shape() const
{
    return m_impl->shape;
}

ImageClassifier::~ImageClassifier() = default;

std::vector<float> ImageClassifier::probabilities(const std::vector<uint8_t>& pixels, int rows, int cols) const
{
    const int64_t channels = m_impl->shape.channels;
    if (rows <= 0 || cols <= 0 ||
        pixels.size() != static_cast<std::size_t>(channels) * static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols))
        throw DataError("an image of " + std::to_string(pixels.size()) + " bytes is not " + std::to_string(channels) +
                        " x " + std::to_string(rows) + " x " + std::to_string(cols));
    torch::NoGradGuard noGrad;
    const torch::Tensor image =
        torch::from_blob(const_cast<uint8_t*>(pixels.data()), {1, channels, rows, cols}, torch::kUInt8);
    const torch::Tensor logits = m_impl->net->forward(modelInput(image, m_impl->augment, torch::Device(torch::kCPU)));
    const torch::Tensor p = torch::softmax(logits, 1).to(torch::kFloat32).contiguous();
    return std::vector<float>(p.data_ptr<float>(), p.data_ptr<float>() + p.numel());
}

} // namespace mnist
