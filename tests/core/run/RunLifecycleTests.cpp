#include "Error.h"
#include "run/RunLifecycle.h"
#include "train/Trainer.h"

#include "data/IdxFixtures.h"
#include "data/StopAfterEpoch.h"
#include "data/TempDir.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

mnist::TrainConfig tinyConfig()
{
    mnist::TrainConfig c;
    c.arch = "LeNet";
    c.epochs = 2;
    c.batchSize = 32;
    c.lr = 1e-3;
    c.device = "cpu";
    c.threads = 1;
    return c;
}

// Records a run of `config` into `dir`, stopped after its first epoch when `stopEarly`.
mnist::TrainResult recordRun(const std::string& dir, const mnist::TrainConfig& config, const mnist::DataSplits& data,
                             bool stopEarly)
{
    mnist::Trainer trainer(config);
    auto folder = mnist::startRecording(dir, config, trainer);
    mnist::StopToken stop;
    StopAfterEpoch stopper;
    stopper.token = &stop;
    struct Null : mnist::TrainingObserver {} null;
    mnist::RunRecorder recorder(*folder, stopEarly ? static_cast<mnist::TrainingObserver*>(&stopper) : &null);
    const mnist::TrainResult result = trainer.run(data, recorder, stop);
    mnist::finishRecording(*folder, config, result);
    return result;
}

nlohmann::json readJson(const std::string& path)
{
    std::ifstream in(path);
    return nlohmann::json::parse(in);
}

} // namespace

TEST_CASE("A new run folder gets a unique name", "[io][lifecycle]")
{
    TempDir dir;
    const std::string a = mnist::uniqueRunDir(dir.path().string(), "LeNet");
    CHECK_THAT(a, Contains("-LeNet"));
    fs::create_directories(a);
    const std::string b = mnist::uniqueRunDir(dir.path().string(), "LeNet");
    CHECK(b != a);
    fs::create_directories(b);
    CHECK(mnist::uniqueRunDir(dir.path().string(), "LeNet") != b);
}

TEST_CASE("planResume continues an unfinished run and refuses each run it cannot continue", "[io][lifecycle][resume]")
{
    TempDir dir;
    fs::create_directories(dir.file("data"));
    fixtures::writeSyntheticDataset(dir.file("data"), 200, 40);
    const auto data = mnist::loadSplits(dir.file("data"));
    const mnist::TrainConfig config = tinyConfig();
    const int64_t n = data.train.size();

    SECTION("a run stopped after its first epoch resumes from its checkpoint, with its summary saying it stopped")
    {
        const std::string run = dir.file("stopped");
        const auto first = recordRun(run, config, data, true);
        REQUIRE(first.stopped);
        const auto summary = readJson(run + "/summary.json");
        CHECK(summary.at("stopped").get<bool>());
        CHECK(summary.at("epochs").size() == 1);
        const mnist::ResumePlan plan = mnist::planResume(run, config, n);
        CHECK(plan.fromCheckpoint);
        CHECK(plan.saved.epoch == 1);
        CHECK(plan.lrPerIteration.size() == static_cast<size_t>(mnist::iterationsPerEpoch(n, config.batchSize)));
        CHECK_THAT(plan.message, Contains("after epoch 1"));
    }
    SECTION("a finished run is refused until more epochs are asked for")
    {
        const std::string run = dir.file("done");
        recordRun(run, config, data, false);
        CHECK_FALSE(readJson(run + "/summary.json").at("stopped").get<bool>());
        CHECK_THROWS_WITH(mnist::planResume(run, config, n), Contains("already finished 2 epochs"));
        mnist::TrainConfig more = config;
        more.epochs = 3;
        CHECK(mnist::planResume(run, more, n).saved.epoch == 2);
        SECTION("unless its model or summary was never written (killed while finishing)")
        {
            fs::remove(run + "/summary.json");
            CHECK(mnist::planResume(run, config, n).saved.epoch == 2);
        }
        SECTION("one-cycle cannot change length")
        {
            mnist::TrainConfig cycle = config;
            cycle.scheduler.type = "one-cycle";
            const std::string oc = dir.file("cycle");
            recordRun(oc, cycle, data, true);
            cycle.epochs = 4;
            CHECK_THROWS_WITH(mnist::planResume(oc, cycle, n), Contains("one-cycle"));
        }
        SECTION("a checkpoint made on other data is refused")
        {
            CHECK_THROWS_WITH(mnist::planResume(run, more, n * 2), Contains("same dataset"));
        }
    }
    SECTION("a run killed in its first epoch starts over in its folder")
    {
        const std::string run = dir.file("fresh");
        mnist::Trainer trainer(config);
        mnist::startRecording(run, config, trainer);
        const mnist::ResumePlan plan = mnist::planResume(run, config, n);
        CHECK_FALSE(plan.fromCheckpoint);
        CHECK(plan.saved.epoch == 0);
        CHECK_THAT(plan.message, Contains("no checkpoint"));
    }
    SECTION("a folder that holds no run is refused")
    {
        CHECK_THROWS_AS(mnist::planResume(dir.file("data"), config, n), mnist::ConfigError);
    }
}
