// The record of a shipped pretrained model (run/PretrainedModel.h): read, written, found.
#include "Error.h"
#include "run/PretrainedModel.h"

#include "data/TempDir.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using nlohmann::json;

namespace {

mnist::PretrainedModel sampleModel()
{
    mnist::PretrainedModel m;
    m.name = "tiny";
    m.config.arch = "LeNet";
    m.config.epochs = 3;
    m.config.seed = 77;
    m.config.augment.normalize = true;
    m.config.augment.mean = 0.1307;
    m.config.augment.std = 0.3081;
    m.seed = 77;
    m.epoch = 2;
    m.epochRule = "the epoch with the lowest valid loss";
    m.validLoss = 0.0421;
    m.testCorrect = 9912;
    m.testTotal = 10000;
    m.testAccuracy = 99.12;
    m.weightsPath = "tiny.safetensors";
    m.trainedOn = "a test";
    return m;
}

// Sets an environment variable for the test's lifetime (each CTest case is its own process).
struct ScopedEnv {
    std::string name;
    ScopedEnv(const char* n, const std::string& value) : name(n) { ::setenv(n, value.c_str(), 1); }
    ~ScopedEnv() { ::unsetenv(name.c_str()); }
};

} // namespace

TEST_CASE("A pretrained model's record round-trips and says what the model expects", "[io][pretrained]")
{
    TempDir dir;
    const mnist::PretrainedModel m = sampleModel();
    const std::string path = dir.file("tiny.json");
    mnist::writePretrainedRecord(m, path);
    const json j = json::parse(std::ifstream(path));
    CHECK(j.at("arch") == "LeNet");
    CHECK(j.at("arch_spec") == "resources/architectures/LeNet.json");
    CHECK(j.at("normalization").at("mean") == 0.1307);
    CHECK(j.at("config").at("seed") == 77);
    CHECK(j.at("test_correct") == 9912);

    const mnist::PretrainedModel back = mnist::readPretrainedRecord(path);
    CHECK(back.name == "tiny");
    CHECK(back.recordPath == path);
    CHECK(back.weightsPath == dir.file("tiny.safetensors"));
    CHECK(back.config.arch == "LeNet");
    CHECK(back.config.augment.normalize);
    CHECK(back.config.augment.std == 0.3081);
    CHECK(back.seed == 77);
    CHECK(back.epoch == 2);
    CHECK(back.validLoss == 0.0421);
    CHECK(back.testAccuracy == 99.12);
    CHECK(back.trainedOn == "a test");
    CHECK(mnist::pretrainedRecordText(back) == mnist::pretrainedRecordText(m));
}

TEST_CASE("A bad pretrained record is refused naming the file and the key", "[io][pretrained]")
{
    const json good = json::parse(mnist::pretrainedRecordText(sampleModel()));
    struct Case {
        const char* what;
        std::function<void(json&)> edit;
        const char* words;
    };
    const std::vector<Case> cases = {
        {"no weights", [](json& j) { j.erase("weights"); }, "missing key 'weights'"},
        {"weights elsewhere", [](json& j) { j["weights"] = "../x.safetensors"; }, "'weights' must be a file name"},
        {"arch differs", [](json& j) { j["arch"] = "SimpleNet"; }, "is not the config's arch"},
        {"epoch outside the run", [](json& j) { j["epoch"] = 4; }, "'epoch' 4 is not an epoch of the run (1..3)"},
        {"accuracy that is not the count", [](json& j) { j["test_acc"] = 99.5; }, "'test_acc' must be 100 * test_correct"},
        {"more correct than images", [](json& j) { j["test_correct"] = 10001; }, "'test_correct' must lie in"},
        {"bad config", [](json& j) { j["config"]["batch_size"] = 0; }, "config: batch size"},
        {"unknown config key", [](json& j) { j["config"]["bogus"] = 1; }, "bogus"},
        {"a spec file of this machine", [](json& j) { j["config"]["arch_file"] = "/home/x/run/arch.json"; }, "'arch_file' must be empty"},
        {"string epoch", [](json& j) { j["epoch"] = "2"; }, "key 'epoch' has the wrong type"},
    };
    for (const Case& c : cases) {
        INFO(c.what);
        json j = good;
        c.edit(j);
        try {
            mnist::parsePretrainedRecord(j.dump(), "models/tiny.json");
            FAIL("accepted");
        } catch (const mnist::ConfigError& e) {
            CHECK_THAT(e.what(), StartsWith("models/tiny.json: "));
            CHECK_THAT(e.what(), Contains(c.words));
        }
    }
    CHECK_THROWS_WITH(mnist::parsePretrainedRecord("{", "m.json"), StartsWith("m.json: not JSON"));
    CHECK_THROWS_WITH(mnist::parsePretrainedRecord("[]", "m.json"), Contains("must be a JSON object"));
    CHECK_THROWS_WITH(mnist::readPretrainedRecord("/nonexistent/m.json"), Contains("/nonexistent/m.json: cannot be read"));
}

TEST_CASE("Pretrained models are found in $MNIST_STUDIO_MODELS_DIR alone when it is set, by name or the first", "[io][pretrained]")
{
    TempDir dir;
    const ScopedEnv env("MNIST_STUDIO_MODELS_DIR", dir.path().string());
    REQUIRE(mnist::pretrainedModelDirs() == std::vector<std::string>{dir.path().string()});
    CHECK(mnist::pretrainedRecordPaths().empty()); // the source tree's shipped model is not looked at
    for (const char* name : {"b-model", "a-model"}) {
        mnist::PretrainedModel m = sampleModel();
        m.name = name;
        m.weightsPath = std::string(name) + ".safetensors";
        mnist::writePretrainedRecord(m, dir.file(std::string(name) + ".json"));
        std::ofstream(dir.file(std::string(name) + ".safetensors")) << "x";
    }
    std::ofstream(dir.file("notes.json")) << "{}"; // no weights beside it: not a model
    CHECK(mnist::pretrainedRecordPaths() == std::vector<std::string>{dir.file("a-model.json"), dir.file("b-model.json")});
    const auto first = mnist::findPretrainedModel();
    REQUIRE(first);
    CHECK(first->name == "a-model");
    CHECK(first->weightsPath == dir.file("a-model.safetensors"));
    const auto named = mnist::findPretrainedModel("b-model");
    REQUIRE(named);
    CHECK(named->name == "b-model");
    CHECK_FALSE(mnist::findPretrainedModel("c-model"));
    std::ofstream(dir.file("a-model.json")) << "{\"name\": 3}";
    CHECK_THROWS_WITH(mnist::findPretrainedModel(), StartsWith(dir.file("a-model.json") + ": "));
}
