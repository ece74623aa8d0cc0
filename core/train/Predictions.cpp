#include "train/Predictions.h"

#include "Error.h"
#include "augment/BatchAugmenter.h"
#include "data/Dataset.h"
#include "io/RunFolder.h"
#include "io/StateDict.h"
#include "models/ModelRegistry.h"
#include "train/Device.h"
#include "train/Trainer.h"

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
    return BatchAugmenter(augment).normalize(imagesToInput(images, device));
}

} // namespace

TestPredictions predictTestSet(const std::string& weightsPath, const TrainConfig& config)
{
    const std::shared_ptr<Network> net = loadNetwork(config.arch, weightsPath);
    const Dataset test = loadIdxFolder(resolveDataDir(config), false);
    const torch::Device device = resolveDevice(config.device);
    net->to(device);
    net->eval();
    torch::NoGradGuard noGrad;

    TestPredictions out;
    const int64_t n = test.size();
    out.rows = static_cast<int>(test.images.size(1));
    out.cols = static_cast<int>(test.images.size(2));
    const torch::Tensor labels = test.labels.to(torch::kInt64).contiguous();
    // Same input pipeline as training's evaluation, so the counts equal evaluate()'s.
    const torch::Tensor x = modelInput(test.images, config.augment, device);
    const int64_t batch = std::max<int64_t>(config.evalBatchSize, 1);
    std::vector<torch::Tensor> probs;
    std::vector<torch::Tensor> preds;
    for (int64_t start = 0; start < n; start += batch) {
        const int64_t len = std::min(batch, n - start);
        const torch::Tensor logits = net->forward(x.narrow(0, start, len));
        // argmax of the logits rather than of the softmax: rounding cannot then create a tie that
        // differs from what evaluate() and confusionMatrix() count.
        preds.push_back(logits.argmax(1).to(torch::kCPU));
        probs.push_back(torch::softmax(logits, 1).to(torch::kCPU, torch::kFloat32));
    }
    const torch::Tensor p = n > 0 ? torch::cat(probs).contiguous() : torch::zeros({0, 10});
    const torch::Tensor pred = n > 0 ? torch::cat(preds).to(torch::kInt64).contiguous() : torch::zeros({0}, torch::kInt64);
    out.classes = static_cast<int>(p.size(1));

    out.labels.resize(static_cast<std::size_t>(n));
    out.predicted.resize(static_cast<std::size_t>(n));
    out.confidence.resize(static_cast<std::size_t>(n));
    out.probabilities.assign(p.data_ptr<float>(), p.data_ptr<float>() + p.numel());
    out.confusion.assign(static_cast<std::size_t>(out.classes * out.classes), 0);
    const int64_t* l = labels.data_ptr<int64_t>();
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
    const torch::Tensor pixels = test.images.to(torch::kUInt8).contiguous();
    out.images.resize(static_cast<std::size_t>(pixels.numel()));
    if (pixels.numel() > 0)
        std::memcpy(out.images.data(), pixels.data_ptr<uint8_t>(), out.images.size());
    return out;
}

struct ImageClassifier::Impl {
    std::shared_ptr<Network> net;
    AugmentConfig augment;
};

ImageClassifier::ImageClassifier(const std::string& arch, const std::string& weightsPath, const AugmentConfig& augment)
    : m_impl(std::make_unique<Impl>())
{
    m_impl->net = loadNetwork(arch, weightsPath);
    m_impl->net->eval();
    m_impl->augment = augment;
}

ImageClassifier::~ImageClassifier() = default;

std::vector<float> ImageClassifier::probabilities(const std::vector<uint8_t>& pixels, int rows, int cols) const
{
    if (rows <= 0 || cols <= 0 || pixels.size() != static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols))
        throw DataError("an image of " + std::to_string(pixels.size()) + " bytes is not " + std::to_string(rows) + " x " +
                        std::to_string(cols));
    torch::NoGradGuard noGrad;
    const torch::Tensor image = torch::from_blob(const_cast<uint8_t*>(pixels.data()), {1, rows, cols}, torch::kUInt8);
    const torch::Tensor logits = m_impl->net->forward(modelInput(image, m_impl->augment, torch::Device(torch::kCPU)));
    const torch::Tensor p = torch::softmax(logits, 1).to(torch::kFloat32).contiguous();
    return std::vector<float>(p.data_ptr<float>(), p.data_ptr<float>() + p.numel());
}

} // namespace mnist
