#include "DataCommands.h"

#include "AtomicFile.h"
#include "Error.h"
#include "data/DataSource.h"
#include "data/Dataset.h"
#include "run/RunFolder.h"
#include "run/RunLayout.h"
#include "spec/MachineSettings.h"
#include "train/Predictions.h"

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

// A CSV field: quoted when it holds a comma, a quote or a line end (RFC 4180).
std::string csvField(const std::string& s)
{
    if (s.find_first_of(",\"\r\n") == std::string::npos)
        return s;
    std::string q = "\"";
    for (char c : s)
        q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
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
    std::vector<std::string> sources;
    const mnist::Dataset images = mnist::loadImagesToPredict(location, config.data, sources);
    const mnist::ImagePredictions p = mnist::predictImages(weights, config, images);
    const bool csvInput = fs::is_regular_file(location);
    mnist::writeFileAtomically(outCsv, [&](std::ostream& out) {
        out << (csvInput ? "ImageId,Label\n" : "file,label,probability\n");
        for (size_t i = 0; i < p.predicted.size(); ++i) {
            const std::string& name = config.data.classes.at(static_cast<size_t>(p.predicted[i]));
            if (csvInput) {
                out << (i + 1) << "," << name << "\n";
            } else {
                char prob[32];
                std::snprintf(prob, sizeof prob, "%.6f", static_cast<double>(p.confidence[i]));
                out << csvField(sources[i]) << "," << csvField(name) << "," << prob << "\n";
            }
        }
    });
    if (json)
        std::cout << nlohmann::json{{"run", runDir}, {"images", p.predicted.size()}, {"out", outCsv}}.dump(2) << std::endl;
    else
        std::printf("predicted %zu images with %s; wrote %s\n", p.predicted.size(), runDir.c_str(), outCsv.c_str());
    return 0;
}
