#include "data/Dataset.h"

#include "Error.h"
#include "data/DataLocations.h"
#include "data/DigitCsv.h"
#include "data/ImageDecode.h"
#include "data/ImageFolder.h"
#include "data/IdxReader.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>

namespace fs = std::filesystem;

namespace mnist {

Dataset toDataset(ImageSet&& set)
{
    // The tensors keep the vectors alive: no copy of a dataset that may be hundreds of MB.
    auto pixels = std::make_shared<std::vector<uint8_t>>(std::move(set.pixels));
    auto labels = std::make_shared<std::vector<int64_t>>(std::move(set.labels));
    const auto n = static_cast<int64_t>(labels->size());
    Dataset d;
    d.images = torch::from_blob(pixels->data(), {n, set.channels, set.height, set.width}, [pixels](void*) {},
                                torch::kUInt8);
    d.labels = torch::from_blob(labels->data(), {n}, [labels](void*) {}, torch::kInt64);
    return d;
}

Dataset loadIdxPair(const std::string& imagesPath, const std::string& labelsPath)
{
    IdxImages images = readIdxImages(imagesPath);
    std::vector<uint8_t> labels = readIdxLabels(labelsPath);
    if (static_cast<int64_t>(labels.size()) != images.count)
        throw DataError(imagesPath + " has " + std::to_string(images.count) + " images but " + labelsPath +
                        " has " + std::to_string(labels.size()) + " labels");
    ImageSet s;
    s.height = images.rows;
    s.width = images.cols;
    s.pixels = std::move(images.pixels);
    s.labels.assign(labels.begin(), labels.end());
    return toDataset(std::move(s));
}

Dataset loadIdxFolder(const std::string& folder, bool trainingSet)
{
    DataRequest r;
    r.kind = "idx";
    r.location = folder;
    r.useCache = false;
    SourceData d = readDataSource(r);
    return toDataset(std::move(trainingSet ? d.train : d.test));
}

int64_t trainingImageCount(const std::string& folder)
{
    for (const char* sep : {"-", "."})
        for (const char* ext : {"", ".gz"}) {
            const fs::path p = fs::path(folder) / (std::string("train-images") + sep + "idx3-ubyte" + ext);
            std::error_code ec;
            if (fs::is_regular_file(p, ec))
                return peekIdxCount(p.string());
        }
    return -1;
}

DataSplits splitNotebook(const Dataset& trainingFile, const Dataset& testFile, double trainFraction)
{
    const int64_t n = trainingFile.size();
    const auto nTrain = static_cast<int64_t>(std::floor(trainFraction * static_cast<double>(n)));
    if (nTrain < 1 || nTrain >= n)
        throw DataError("cannot split " + std::to_string(n) + " training images with train fraction " +
                        std::to_string(trainFraction) + ": both train and valid need at least one image");
    if (testFile.size() < 1)
        throw DataError("the test set is empty");
    if (testFile.images.sizes().slice(1) != trainingFile.images.sizes().slice(1))
        throw DataError("training and test images differ in size");
    DataSplits s;
    s.train = {trainingFile.images.narrow(0, 0, nTrain), trainingFile.labels.narrow(0, 0, nTrain)};
    s.valid = {trainingFile.images.narrow(0, nTrain, n - nTrain), trainingFile.labels.narrow(0, nTrain, n - nTrain)};
    s.test = testFile;
    s.shape.channels = trainingFile.images.size(1);
    s.shape.height = trainingFile.images.size(2);
    s.shape.width = trainingFile.images.size(3);
    return s;
}

DataSplits loadSplits(const std::string& folder, double trainFraction)
{
    return splitNotebook(loadIdxFolder(folder, true), loadIdxFolder(folder, false), trainFraction);
}

DataRequest dataRequest(const TrainConfig& config)
{
    DataRequest r;
    r.kind = config.dataset;
    r.location = resolveDataDir(config);
    if (!parseImageSize(config.imageSize, r.resize.height, r.resize.width))
        throw ConfigError("image_size '" + config.imageSize + "' is not N or HxW");
    if (r.resize.active() && config.dataset != "folder")
        throw ConfigError("image_size applies to image folders only; " + config.dataset + " images keep their size");
    return r;
}

namespace {

Dataset slice(const Dataset& part, const SplitPlan::Slice& s)
{
    if (s.all)
        return part;
    if (s.indices.empty())
        return {part.images.narrow(0, s.begin, s.count), part.labels.narrow(0, s.begin, s.count)};
    const torch::Tensor idx = torch::tensor(s.indices, torch::kInt64);
    return {part.images.index_select(0, idx), part.labels.index_select(0, idx)};
}

std::string problemList(const std::vector<DataProblem>& problems)
{
    std::string s;
    const size_t shown = std::min<size_t>(problems.size(), 3);
    for (size_t i = 0; i < shown; ++i)
        s += "\n  " + problems[i].file + ": " + problems[i].reason;
    if (problems.size() > shown)
        s += "\n  ... and " + std::to_string(problems.size() - shown) + " more";
    return s;
}

} // namespace

DataSplits loadData(const TrainConfig& config, const std::function<void(const std::string&, int64_t, int64_t)>& progress)
{
    DataRequest r = dataRequest(config);
    r.progress = progress;
    SourceData source = readDataSource(r);
    if (!source.problems.empty())
        throw DataError(source.location + ": " + std::to_string(source.problems.size()) +
                        (source.problems.size() == 1 ? " file" : " files") + " could not be used, so the data set "
                        "would not be what the folder holds; fix or remove them (mnist-train --describe-data lists "
                        "them all):" + problemList(source.problems));
    const SplitPlan plan = planSplits(source, config.trainFraction);
    DataSplits s;
    s.name = source.name;
    s.shape.channels = source.train.channels;
    s.shape.height = source.train.height;
    s.shape.width = source.train.width;
    s.shape.classes = source.classes;
    const Dataset train = toDataset(std::move(source.train));
    const Dataset valid = toDataset(std::move(source.valid));
    const Dataset test = toDataset(std::move(source.test));
    const auto part = [&](SplitPlan::From f) -> const Dataset& {
        return f == SplitPlan::From::Train ? train : f == SplitPlan::From::Valid ? valid : test;
    };
    s.train = slice(part(plan.train.from), plan.train);
    s.valid = slice(part(plan.valid.from), plan.valid);
    s.test = slice(part(plan.test.from), plan.test);
    return s;
}

void applyDataShape(TrainConfig& config, const DataSplits& data)
{
    config.data = data.shape;
    measureChannelStatistics(config.augment, data.train);
}

void measureChannelStatistics(AugmentConfig& augment, const Dataset& train)
{
    augment.channelMean.clear();
    augment.channelStd.clear();
    if (!augment.normalizePerChannel || train.size() == 0)
        return;
    const torch::Tensor x = train.images.dim() == 3 ? train.images.unsqueeze(1) : train.images;
    const int64_t channels = x.size(1);
    // A histogram per channel: exact sums over 256 values, in one pass over the bytes.
    const torch::Tensor bytes = x.transpose(0, 1).reshape({channels, -1}).to(torch::kInt64);
    for (int64_t c = 0; c < channels; ++c) {
        const torch::Tensor counts = torch::bincount(bytes[c], {}, 256).to(torch::kFloat64);
        const torch::Tensor values = torch::arange(256, torch::kFloat64).div(255.0);
        const double n = counts.sum().item<double>();
        const double mean = (counts * values).sum().item<double>() / n;
        const double var = (counts * (values - mean).pow(2)).sum().item<double>() / n;
        augment.channelMean.push_back(mean);
        augment.channelStd.push_back(var > 0 ? std::sqrt(var) : 1.0);
    }
}

Dataset loadImagesToPredict(const std::string& location, const DataShape& shape, std::vector<std::string>& sources)
{
    std::error_code ec;
    ImageSet set;
    if (fs::is_regular_file(location, ec)) {
        set = readDigitCsv(location, 255);
        if (set.channels != shape.channels || set.height != shape.height || set.width != shape.width)
            throw DataError(location + ": its images are " + std::to_string(set.height) + " x " + std::to_string(set.width) +
                            " grey; the model takes " + std::to_string(shape.channels) + " x " +
                            std::to_string(shape.height) + " x " + std::to_string(shape.width));
    } else if (fs::is_directory(location, ec)) {
        ImageFolderPart part;
        const fs::path root = fs::absolute(location).lexically_normal();
        for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
             it.increment(ec)) {
            if (!it->is_regular_file(ec) || !isImageFileName(it->path().filename().string()))
                continue;
            ImageFolderFile f;
            f.path = it->path().string();
            f.relative = it->path().lexically_relative(root).string();
            part.files.push_back(std::move(f));
        }
        if (part.files.empty())
            throw DataError(location + ": no image files (png, jpg, bmp, pgm, ppm) in it");
        std::sort(part.files.begin(), part.files.end(),
                  [](const ImageFolderFile& a, const ImageFolderFile& b) { return a.relative < b.relative; });
        std::vector<DataProblem> problems;
        set = loadImageFolderPart(part, ResizePolicy{shape.height, shape.width}, shape.channels, problems);
        if (!problems.empty())
            throw DataError(location + ": " + std::to_string(problems.size()) + " images could not be read:" +
                            problemList(problems));
        std::fill(set.labels.begin(), set.labels.end(), -1);
    } else {
        throw DataError(location + " does not exist");
    }
    sources = set.sources;
    return toDataset(std::move(set));
}

} // namespace mnist
