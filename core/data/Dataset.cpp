#include "data/Dataset.h"

#include "Error.h"
#include "data/IdxReader.h"

#include <torch/torch.h>

#include <cmath>
#include <filesystem>

namespace fs = std::filesystem;

namespace mnist {

Dataset loadIdxPair(const std::string& imagesPath, const std::string& labelsPath)
{
    IdxImages images = readIdxImages(imagesPath);
    std::vector<uint8_t> labels = readIdxLabels(labelsPath);
    if (static_cast<int64_t>(labels.size()) != images.count)
        throw DataError(imagesPath + " has " + std::to_string(images.count) + " images but " + labelsPath +
                        " has " + std::to_string(labels.size()) + " labels");
    Dataset d;
    d.images = torch::empty({images.count, images.rows, images.cols}, torch::kUInt8);
    std::memcpy(d.images.data_ptr<uint8_t>(), images.pixels.data(), images.pixels.size());
    d.labels = torch::empty({images.count}, torch::kInt64);
    auto* out = d.labels.data_ptr<int64_t>();
    for (size_t i = 0; i < labels.size(); ++i)
        out[i] = labels[i];
    return d;
}

namespace {

std::string findFile(const fs::path& folder, const std::string& prefix, const std::string& kind)
{
    // MNIST mirrors spell the names with "-" or "." before idxN; any may be gzipped.
    for (const char* sep : {"-", "."})
        for (const char* ext : {"", ".gz"}) {
            const fs::path p = folder / (prefix + sep + kind + "-ubyte" + ext);
            std::error_code ec;
            if (fs::is_regular_file(p, ec))
                return p.string();
        }
    return {};
}

} // namespace

Dataset loadIdxFolder(const std::string& folder, bool trainingSet)
{
    std::error_code ec;
    if (!fs::is_directory(folder, ec))
        throw DataError("data folder " + folder + " does not exist (run scripts/fetch-data.sh, or pass --data-dir)");
    const std::string prefix = trainingSet ? "train" : "t10k";
    const std::string images = findFile(folder, prefix + "-images", "idx3");
    const std::string labels = findFile(folder, prefix + "-labels", "idx1");
    if (images.empty() || labels.empty()) {
        std::string missing;
        if (images.empty())
            missing += prefix + "-images-idx3-ubyte[.gz]";
        if (labels.empty())
            missing += std::string(missing.empty() ? "" : " and ") + prefix + "-labels-idx1-ubyte[.gz]";
        throw DataError("data folder " + folder + " lacks " + missing);
    }
    return loadIdxPair(images, labels);
}

int64_t trainingImageCount(const std::string& folder)
{
    const std::string images = findFile(folder, "train-images", "idx3");
    return images.empty() ? -1 : peekIdxCount(images);
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
    return s;
}

DataSplits loadSplits(const std::string& folder, double trainFraction)
{
    return splitNotebook(loadIdxFolder(folder, true), loadIdxFolder(folder, false), trainFraction);
}

} // namespace mnist
