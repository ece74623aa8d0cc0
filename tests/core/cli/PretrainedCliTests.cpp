// mnist-train --export-pretrained and --evaluate --pretrained, end to end with the real binary, and
// the model that ships in resources/models scored by both MNIST Studio and real PyTorch.
#include "data/IdxFixtures.h"
#include "data/NetworkFixtures.h"
#include "data/RunCli.h"
#include "data/SkipTest.h"
#include "data/TempDir.h"

#include "TestPaths.h"

#include "formats/ModelPy.h"
#include "run/PretrainedModel.h"
#include "models/ModelRegistry.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

using fixtures::runCli;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string python()
{
    return fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

bool havePyTorch()
{
    return std::system((python() + " -c 'import torch' > /dev/null 2>&1").c_str()) == 0;
}

// PyTorch's count of correct test images for the model, through model.py written from its spec.
void checkInPyTorch(const mnist::PretrainedModel& m, const std::string& dataDir, const TempDir& dir)
{
    const std::string modelPy = dir.file("pretrained_model.py"), log = dir.file("pytorch.log");
    std::optional<mnist::InputNormalization> norm;
    if (m.config.augment.normalize)
        norm = mnist::InputNormalization{m.config.augment.mean, m.config.augment.std};
    mnist::writeModelPy(modelPy, mnist::networkSpecFor(m.config), norm);
    std::string command = python() + " " + std::string(MNIST_SOURCE_DIR) + "/tests/pytorch/check_pretrained.py " + modelPy +
                          " " + m.weightsPath + " " + dataDir + " " + std::to_string(m.testCorrect);
    if (norm)
        command += " " + std::to_string(norm->mean) + " " + std::to_string(norm->std);
    const int rc = std::system((command + " > " + log + " 2>&1").c_str());
    INFO(fixtures::readText(log));
    CHECK(rc == 0);
}

struct ScopedEnv {
    std::string name;
    ScopedEnv(const char* n, const std::string& value) : name(n) { ::setenv(n, value.c_str(), 1); }
    ~ScopedEnv() { ::unsetenv(name.c_str()); }
};

} // namespace

TEST_CASE("mnist-train --export-pretrained writes a record that --evaluate --pretrained and PyTorch reproduce",
          "[cli][pretrained]")
{
    TempDir dir;
    const std::string data = dir.file("data"), run = dir.file("run"), models = dir.file("models");
    fs::create_directories(data);
    fixtures::writeSyntheticDataset(data, 300, 100, true);
    const auto train = runCli("--arch LeNet --epochs 2 --batch-size 50 --device cpu --threads 1 --normalize 0.1307,0.3081 "
                              "--data-dir " + data + " --out " + run,
                              dir);
    INFO(train.out << train.err);
    REQUIRE(train.exitCode == 0);

    const auto exported = runCli("--export-pretrained " + run + " --out " + models + "/tiny.json --trained-on 'a test'", dir);
    INFO(exported.out << exported.err);
    REQUIRE(exported.exitCode == 0);
    REQUIRE(fs::is_regular_file(models + "/tiny.safetensors"));
    const mnist::PretrainedModel m = mnist::readPretrainedRecord(models + "/tiny.json");
    CHECK(m.config.arch == "LeNet");
    CHECK(m.config.dataDir.empty()); // machine settings are the user's
    CHECK(m.config.archFile.empty()); // the run folder's arch.json: the built-in LeNet is named instead
    CHECK(m.config.augment.normalize);
    CHECK(m.testTotal == 100);
    CHECK(m.trainedOn == "a test");
    CHECK(m.epoch >= 1);
    CHECK(m.epoch <= 2);
    CHECK_THAT(m.epochRule, Catch::Contains("lowest valid loss"));
    const json summary = json::parse(std::ifstream(run + "/summary.json"));
    CHECK(m.epoch == summary.at("best_valid_epoch").get<int64_t>());
    CHECK(m.testAccuracy == Approx(summary.at("test_acc_at_best_valid").get<double>()).margin(1e-9));

    const ScopedEnv env("MNIST_STUDIO_MODELS_DIR", models);
    const auto evaluated = runCli("--evaluate --pretrained --json --data-dir " + data + " --device cpu", dir);
    INFO(evaluated.out << evaluated.err);
    REQUIRE(evaluated.exitCode == 0);
    const json result = json::parse(evaluated.out);
    CHECK(result.at("arch") == "LeNet");
    CHECK(result.at("correct").get<int64_t>() == m.testCorrect);
    CHECK(result.at("test_acc").get<double>() == Approx(m.testAccuracy));
    const auto table = runCli("--pretrained tiny --data-dir " + data + " --device cpu", dir);
    CHECK(table.exitCode == 0);
    CHECK_THAT(table.out, Catch::Contains("pretrained model tiny"));
    CHECK_THAT(table.out, Catch::Contains("test accuracy"));

    const auto noFile = runCli("--evaluate", dir);
    CHECK(noFile.exitCode != 0);
    CHECK_THAT(noFile.err, Catch::Contains("--evaluate needs a weights file, or --pretrained"));
    const auto unknown = runCli("--evaluate --pretrained nosuch --data-dir " + data, dir);
    CHECK(unknown.exitCode != 0);
    CHECK_THAT(unknown.err, Catch::Contains("no model named 'nosuch'"));
    CHECK_THAT(unknown.err, Catch::Contains(models));
    const auto badOut = runCli("--export-pretrained " + run + " --out " + models + "/tiny.safetensors", dir);
    CHECK(badOut.exitCode != 0);
    CHECK_THAT(badOut.err, Catch::Contains("NAME.json"));

    if (!havePyTorch())
        return fixtures::skipTest("python3 with torch is not installed: the PyTorch half was not run");
    checkInPyTorch(m, data, dir);
}

TEST_CASE("The model shipped in resources/models scores what its record says, in MNIST Studio and in PyTorch",
          "[cli][pretrained][pytorch]")
{
    const std::string shipped = std::string(MNIST_SOURCE_DIR) + "/resources/models";
    const ScopedEnv env("MNIST_STUDIO_MODELS_DIR", shipped);
    const auto model = mnist::findPretrainedModel();
    if (!model)
        return fixtures::skipTest("no pretrained model in resources/models yet");
    const std::string data = std::string(MNIST_DATA_DIR) + "/" + model->config.dataset;
    if (!fs::exists(data + "/t10k-images-idx3-ubyte") && !fs::exists(data + "/t10k-images-idx3-ubyte.gz"))
        return fixtures::skipTest("the " + model->config.dataset + " test set is not in " + data + " (make data fetches it)");
    CHECK(fs::file_size(model->weightsPath) <= 10u * 1024 * 1024);
    CHECK(model->testTotal == 10000);
    TempDir dir;
    const auto evaluated = runCli("--evaluate --pretrained --json --data-dir " + data, dir);
    INFO(evaluated.out << evaluated.err);
    REQUIRE(evaluated.exitCode == 0);
    const json result = json::parse(evaluated.out);
    CHECK(result.at("correct").get<int64_t>() == model->testCorrect);
    if (!havePyTorch())
        return fixtures::skipTest("python3 with torch is not installed: the PyTorch half was not run");
    checkInPyTorch(*model, data, dir);
}
