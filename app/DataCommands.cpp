#include "DataCommands.h"

#include "Error.h"
#include "data/DataSource.h"
#include "data/Dataset.h"
#include "run/RunFolder.h"
#include "run/RunLayout.h"
#include "spec/MachineSettings.h"
#include "train/PredictionsCsv.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <iostream>

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json partJson(const mnist::PartCounts& c)
{
    return json{{"images", c.images}, {"per_class", c.perClass}};
}

void printPart(const char* name, const mnist::PartCounts& c, const std::vector<std::string>& classes)
{
    std::printf("  %-6s %8lld images", name, static_cast<long long>(c.images));
    if (classes.size() <= 30) {
        std::printf(":");
        for (size_t k = 0; k < c.perClass.size(); ++k)
            std::printf(" %s=%lld", classes[k].c_str(), static_cast<long long>(c.perClass[k]));
    }
    std::printf("\n");
}

} // namespace

int describeDataCommand(const std::string& path, const std::string& givenKind, const mnist::TrainConfig& config, bool json)
{
    const std::string kind = givenKind.empty() ? mnist::detectDataKind(path) : givenKind;
    if (kind.empty())
        throw mnist::DataError(path + ": not a dataset this program recognises (IDX files, class folders of images, a "
                                      "Kaggle CSV, or an EMNIST, KMNIST or QMNIST release); pass --dataset KIND");
    mnist::TrainConfig c = config;
    c.dataset = kind;
    c.dataDir = path;
    mnist::DataRequest request = mnist::dataRequest(c);
    const mnist::SourceData source = mnist::readDataSource(request);
    const mnist::DatasetDescription d = mnist::describeSource(source, c.trainFraction);
    if (json) {
        nlohmann::json problems = nlohmann::json::array();
        for (const auto& p : d.problems)
            problems.push_back({{"file", p.file}, {"reason", p.reason}});
        std::cout << nlohmann::json{{"format", d.kind},
                                    {"name", d.name},
                                    {"location", d.location},
                                    {"classes", d.classes},
                                    {"shape", {d.channels, d.height, d.width}},
                                    {"splits", {{"train", d.train.images}, {"valid", d.valid.images}, {"test", d.test.images}}},
                                    {"held_out_test", d.heldOutTest},
                                    {"per_class", {{"train", d.train.perClass}, {"valid", d.valid.perClass}, {"test", d.test.perClass}}},
                                    {"from_cache", source.fromCache},
                                    {"problems", problems}}
                         .dump(2)
                  << std::endl;
    } else {
        std::printf("%s (%s) at %s\n", d.name.c_str(), d.kind.c_str(), d.location.c_str());
        std::printf("images: %lld x %lld, %s; %zu classes\n", static_cast<long long>(d.height), static_cast<long long>(d.width),
                    d.channels == 1 ? "grey" : "colour", d.classes.size());
        printPart("train", d.train, d.classes);
        printPart("valid", d.valid, d.classes);
        printPart("test", d.test, d.classes);
        if (d.heldOutTest)
            std::printf("  (no test part: the test split is held out of the training part, the same images every run)\n");
        if (d.problems.empty()) {
            std::printf("no problems\n");
        } else {
            std::printf("%zu files could not be used (training refuses the data until they are fixed or removed):\n",
                        d.problems.size());
            for (const auto& p : d.problems)
                std::printf("  %s: %s\n", p.file.c_str(), p.reason.c_str());
        }
    }
    return d.problems.empty() ? 0 : 1;
}

int predictCommand(const std::string& runDir, const std::string& location, const std::string& outCsv,
                   const mnist::TrainConfig& machine, bool json)
{
    if (outCsv.empty())
        throw mnist::ConfigError("--predict needs --out FILE.csv, where the predictions go");
    if (location.empty())
        throw mnist::ConfigError("--predict needs --data-dir: a CSV file or a folder of images to classify");
    mnist::TrainConfig config = mnist::withMachineSettings(mnist::loadRunConfig(runDir), machine);
    const mnist::RunLayout layout(runDir);
    const std::string weights = fs::exists(layout.modelWeights()) ? layout.modelWeights() : layout.bestWeights();
    if (!fs::exists(weights))
        throw mnist::IoError(runDir + " holds no trained weights (" + mnist::RunLayout::kModelWeights + ")");
    const int64_t count = mnist::predictToCsv(weights, config, location, outCsv);
    if (json)
        std::cout << nlohmann::json{{"run", runDir}, {"images", count}, {"out", outCsv}}.dump(2) << std::endl;
    else
        std::printf("predicted %lld images with %s; wrote %s\n", static_cast<long long>(count), runDir.c_str(),
                    outCsv.c_str());
    return 0;
}
