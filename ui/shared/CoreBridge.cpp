#include "shared/CoreBridge.h"

#include "data/ImageDecode.h"

#include "Error.h"
#include "augment/AugmentPreview.h"
#include "augment/BatchAugmenter.h"
#include "inspect/Inspect.h"
#include "AtomicFile.h"
#include "formats/OnnxExport.h"
#include "run/RunFolder.h"
#include "spec/NetworkTable.h"
#include "formats/StateDict.h"
#include "run/RunLayout.h"
#include "data/DataLocations.h"
#include "data/Dataset.h"
#include "models/ModelRegistry.h"
#include "train/Device.h"
#include "train/Predictions.h"
#include "spec/TrainConfig.h"
#include "train/Trainer.h"

#include <torch/nn/module.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

namespace studio {

ArchitectureSummary summarizeNetwork(const mnist::NetworkSpec& spec)
{
    ArchitectureSummary s;
    s.name = spec.name;
    s.description = spec.description;
    // From the spec alone: nothing is built, so listing every network costs nothing.
    s.parameters = mnist::describeNetwork(spec).parameters;
    s.layers = mnist::networkTable(spec);
    s.builtin = mnist::findBuiltinNetworkSpec(spec.name) != nullptr;
    s.spec = spec;
    return s;
}

std::vector<ArchitectureSummary> architectureSummaries()
{
    std::vector<ArchitectureSummary> out;
    for (const auto& info : mnist::architectures()) {
        try {
            out.push_back(summarizeNetwork(mnist::findNetworkSpec(info.name)));
        } catch (const std::exception&) {
            // architectures() lists only valid specs; a file changed since is left out.
        }
    }
    return out;
}

std::string userNetworkFile(const std::string& name)
{
    return (std::filesystem::path(mnist::userArchitecturesDir()) / (name + ".json")).string();
}

void saveUserNetwork(const mnist::NetworkSpec& spec)
{
    if (mnist::findBuiltinNetworkSpec(spec.name))
        throw mnist::ConfigError(spec.name + " is the name of a built-in network; give yours another name");
    const std::string text = mnist::formatNetworkSpec(mnist::networkSpecFromText(mnist::formatNetworkSpec(spec), spec.name));
    std::error_code ec;
    std::filesystem::create_directories(mnist::userArchitecturesDir(), ec);
    if (ec)
        throw mnist::IoError("cannot create " + mnist::userArchitecturesDir() + ": " + ec.message());
    mnist::writeFileAtomically(userNetworkFile(spec.name), [&](std::ostream& out) { out << text; });
}

std::vector<std::string> deviceNames()
{
    try {
        return mnist::availableDevices();
    } catch (const std::exception&) {
        return {"cpu"};
    }
}

int64_t iterationsPerEpoch(int64_t trainSize, int64_t batchSize)
{
    if (trainSize <= 0 || batchSize <= 0)
        return 0;
    return mnist::iterationsPerEpoch(trainSize, batchSize);
}

int64_t nominalTrainSize(const mnist::TrainConfig& config)
{
    if (!(config.trainFraction > 0 && config.trainFraction < 1))
        return 0;
    const int64_t found = mnist::trainingImageCount(mnist::resolveDataDir(config));
    const int64_t images = found > 0 ? found : 60000;
    return static_cast<int64_t>(std::floor(static_cast<double>(images) * config.trainFraction));
}

std::string dataFolderFor(const mnist::TrainConfig& config)
{
    return mnist::resolveDataDir(config);
}

std::string explainDataProblem(const mnist::TrainConfig& config, const std::string& coreMessage)
{
    std::error_code ec;
    const std::string folder = dataFolderFor(config);
    const auto absolute = std::filesystem::absolute(folder, ec);
    const std::string name = config.dataset == "fashion-mnist" ? "Fashion-MNIST" : config.dataset == "mnist" ? "MNIST" : "IDX";
    std::ostringstream out;
    out << "The " << name << " data could not be read from " << (ec ? folder : absolute.string()) << ".\n"
        << coreMessage << "\n"
        << "The folder must hold train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and "
           "t10k-labels-idx1-ubyte (plain or .gz).";
    if (config.dataset != "idx")
        out << " Press Train again with the folder field empty to download " << name << " into "
            << mnist::userDatasetDir(config.dataset) << ", or pick a folder that holds it"
            << " (from a source checkout, `bash scripts/fetch-data.sh` puts it in data/" << config.dataset << "/).";
    return out.str();
}

std::shared_ptr<const mnist::Dataset> loadTrainingImages(const mnist::TrainConfig& config,
                                                         std::vector<std::string>* classes)
{
    mnist::DataSplits data = mnist::loadData(config);
    if (classes)
        *classes = data.shape.classes;
    return std::make_shared<const mnist::Dataset>(std::move(data.train));
}

int64_t imageCount(const mnist::Dataset& images)
{
    return images.size();
}

std::vector<PreviewImage> previewImages(const mnist::Dataset& images, const std::vector<int64_t>& indices,
                                        const mnist::AugmentConfig& augment, uint64_t seed)
{
    const mnist::AugmentPreview preview = mnist::previewAugmentation(images, indices, augment, seed);
    std::vector<PreviewImage> out;
    out.reserve(preview.samples.size());
    for (const auto& s : preview.samples) {
        PreviewImage p;
        p.index = s.index;
        p.label = s.label;
        p.channels = static_cast<int>(preview.channels);
        p.rows = static_cast<int>(preview.rows);
        p.cols = static_cast<int>(preview.cols);
        p.original = s.original;
        p.augmented = s.augmented;
        if (!p.original.empty()) {
            const auto [lo, hi] = std::minmax_element(p.original.begin(), p.original.end());
            p.originalMin = *lo;
            p.originalMax = *hi;
        }
        p.augmentedMin = s.augmentedMin;
        p.augmentedMax = s.augmentedMax;
        out.push_back(std::move(p));
    }
    return out;
}

bool onnxExportAvailable()
{
    return mnist::onnxExportAvailable();
}

RunModel runModel(const std::string& runDir)
{
    RunModel m;
    m.config = mnist::loadRunConfig(runDir);
    m.weightsPath = mnist::RunLayout(runDir).weightsToUse();
    if (m.weightsPath.empty())
        throw mnist::IoError(runDir + " holds no weights yet (neither " + mnist::RunLayout::kModelWeights + " nor " +
                             mnist::RunLayout::kBestWeights + "): they appear when its first epoch ends");
    return m;
}

void exportRunModel(const std::string& runDir, const std::string& path, ModelFormat format)
{
    const RunModel run = runModel(runDir);
    const mnist::TrainConfig& config = run.config;
    // Through the network rather than a file copy: the export is checked against the architecture
    // and every format is written by the core's atomic writers.
    const auto net = mnist::createNetwork(config);
    mnist::loadWeights(*net, run.weightsPath);
    net->eval();
    switch (format) {
    case ModelFormat::SafeTensors: mnist::saveWeights(*net, path); break;
    case ModelFormat::LibTorchArchive: mnist::saveModelArchive(*net, path); break;
    case ModelFormat::Onnx: mnist::exportOnnx(*net, path, config.augment); break;
    }
}

WeightsEvaluation evaluateWeightsFile(const mnist::TrainConfig& config, const std::string& weightsPath)
{
    // The Evaluation tab's and the CLI's --evaluate's path: same preprocessing as training's evaluation.
    const mnist::TestPredictions p = mnist::predictTestSet(weightsPath, config);
    WeightsEvaluation out;
    out.confusion = p.confusion;
    out.classes = p.classes;
    out.classNames = p.classNames;
    out.correct = p.correct();
    out.total = p.size();
    out.accuracy = p.accuracy();
    return out;
}

DigitModel loadRunDigitModel(const std::string& runDir)
{
    const RunModel run = runModel(runDir);
    return loadDigitModel(run.config, run.weightsPath);
}

DigitModel loadDigitModel(const mnist::TrainConfig& config, const std::string& weightsPath)
{
    DigitModel m;
    m.config = config;
    m.weightsPath = weightsPath;
    m.classifier = std::make_shared<const mnist::ImageClassifier>(config, weightsPath);
    return m;
}

std::vector<uint8_t> drawnForModel(const std::vector<uint8_t>& pixels28, const mnist::DataShape& shape)
{
    mnist::DecodedImage image;
    image.channels = 1;
    image.height = 28;
    image.width = 28;
    image.pixels = pixels28;
    // The data loader's own conversions, so a drawn digit reaches the model as a file would.
    return mnist::resizeImage(mnist::convertChannels(image, shape.channels), shape.height, shape.width).pixels;
}

std::vector<float> classifyDigit(const DigitModel& model, const std::vector<uint8_t>& pixels28)
{
    if (!model.classifier)
        return {};
    const mnist::DataShape& shape = model.classifier->shape();
    return model.classifier->probabilities(drawnForModel(pixels28, shape), static_cast<int>(shape.height),
                                           static_cast<int>(shape.width));
}

ImageClassification classifyImageFile(const DigitModel& model, const std::string& path)
{
    ImageClassification out;
    if (!model.classifier)
        return out;
    const mnist::DataShape& shape = model.classifier->shape();
    const mnist::DecodedImage decoded = mnist::resizeImage(
        mnist::convertChannels(mnist::readImageFile(path), shape.channels), shape.height, shape.width);
    out.channels = static_cast<int>(decoded.channels);
    out.rows = static_cast<int>(decoded.height);
    out.cols = static_cast<int>(decoded.width);
    out.pixels = decoded.pixels;
    out.probabilities = model.classifier->probabilities(decoded.pixels, out.rows, out.cols);
    return out;
}

namespace {

// A [H, W] plane, or a [C, H, W] image kept channel-major.
InspectPicture picture(const torch::Tensor& plane, std::string title)
{
    const torch::Tensor p = plane.to(torch::kCPU, torch::kFloat32).contiguous();
    InspectPicture out;
    out.title = std::move(title);
    const int64_t d = p.dim();
    out.channels = d == 3 ? static_cast<int>(p.size(0)) : 1;
    out.rows = static_cast<int>(p.size(d - 2));
    out.cols = static_cast<int>(p.size(d - 1));
    out.values.assign(p.data_ptr<float>(), p.data_ptr<float>() + p.numel());
    return out;
}

} // namespace

InspectResult inspectRun(const std::string& runDir, int64_t imageIndex, const std::vector<uint8_t>& drawn)
{
    const RunModel run = runModel(runDir);
    const mnist::TrainConfig& config = run.config;
    InspectResult r;
    r.weightsFile = run.weightsPath;
    r.classNames = config.data.classes;
    r.dataset = config.dataset;
    const std::shared_ptr<mnist::Network> net = mnist::loadNetwork(config, r.weightsFile);
    torch::Tensor raw; // [1, H, W] in [0, 1]
    if (imageIndex < 0) {
        constexpr size_t kDrawnPixels = 28 * 28;
        if (drawn.size() != kDrawnPixels)
            throw mnist::DataError("a drawn digit has 28 x 28 = 784 pixels, not " + std::to_string(drawn.size()));
        r.imageIndex = -1;
        r.label = -1;
        std::vector<uint8_t> fitted = drawnForModel(drawn, config.data);
        const std::vector<int64_t> shape = config.data.input();
        raw = torch::from_blob(fitted.data(), shape, torch::kUInt8).to(torch::kFloat32).div(255.0);
    } else {
        const mnist::Dataset test = mnist::loadData(config).test;
        if (imageIndex >= test.size())
            throw mnist::DataError("test image " + std::to_string(imageIndex) + " does not exist: the test set has " +
                                   std::to_string(test.size()) + " images (0 to " + std::to_string(test.size() - 1) + ")");
        r.imageIndex = imageIndex;
        r.label = test.labels[imageIndex].item<int64_t>();
        raw = test.images[imageIndex].to(torch::kFloat32).div(255.0); // [C, H, W]
    }
    r.image = picture(raw, imageIndex < 0 ? "drawn digit" : "test image");
    const torch::Tensor input = mnist::BatchAugmenter(config.augment).normalize(raw.unsqueeze(0))[0];

    const std::vector<mnist::LayerOutput> outputs = mnist::layerOutputs(*net, input);
    const torch::Tensor probabilities = torch::softmax(outputs.back().value, 0);
    r.probabilities.assign(probabilities.data_ptr<float>(), probabilities.data_ptr<float>() + probabilities.numel());
    r.predicted = probabilities.argmax().item<int64_t>();
    for (const mnist::LayerOutput& o : outputs) {
        if (o.value.dim() != 3 || o.value.size(1) < 2 || o.value.size(2) < 2)
            continue;
        InspectLayer layer;
        layer.key = o.key;
        layer.type = mnist::layerTypeName(o.type);
        layer.shape = mnist::formatShape(o.value.sizes().vec());
        for (int64_t c = 0; c < o.value.size(0); ++c)
            layer.channels.push_back(picture(o.value[c], "channel " + std::to_string(c)));
        r.maps.push_back(std::move(layer));
    }
    const mnist::ConvFilters filters = mnist::firstConvFilters(*net);
    r.filterKey = filters.key;
    if (filters.weight.defined())
        for (int64_t f = 0; f < filters.weight.size(0); ++f)
            r.filters.push_back(picture(filters.weight[f][0], "filter " + std::to_string(f)));
    r.saliency = picture(mnist::saliencyMap(*net, input, r.predicted), "saliency");
    return r;
}

} // namespace studio
