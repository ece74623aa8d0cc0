#include "TestPaths.h"
#include "Error.h"
#include "run/Checkpoint.h"
#include "run/RunFolder.h"
#include "formats/StateDict.h"
#include "models/ModelRegistry.h"
#include "train/Trainer.h"

#include "data/IdxFixtures.h"
#include "data/TempDir.h"

#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>

using Catch::Matchers::Contains;

extern char** environ;

namespace {

mnist::TrainConfig resumableConfig()
{
    mnist::TrainConfig c;
    c.arch = "LeNetDropBN"; // dropout and shuffling both draw from the generator
    c.epochs = 3;
    c.batchSize = 32;
    c.lr = 1e-3;
    c.shuffle = true;
    c.device = "cpu";
    c.threads = 2;
    return c;
}

struct StopAt : mnist::TrainingObserver {
    mnist::StopToken* token = nullptr;
    int64_t step = -1;  // stop after this iteration
    int64_t epoch = -1; // or after this epoch
    void onIteration(const mnist::IterationPoint& p) override
    {
        if (p.step == step)
            token->requestStop();
    }
    void onEpoch(const mnist::EpochMetrics& m) override
    {
        if (m.epoch == epoch)
            token->requestStop();
    }
};

void requireSameMetrics(const std::vector<mnist::EpochMetrics>& a, const std::vector<mnist::EpochMetrics>& b)
{
    REQUIRE(a.size() == b.size());
    for (size_t i = 0; i < a.size(); ++i) {
        INFO("epoch " << i + 1);
        CHECK(a[i].epoch == b[i].epoch);
        CHECK(a[i].trainLoss == b[i].trainLoss);
        CHECK(a[i].validLoss == b[i].validLoss);
        CHECK(a[i].testAccuracy == b[i].testAccuracy);
        CHECK(a[i].lr == b[i].lr);
    }
}

std::vector<std::string> csvColumns(const std::string& path, int columns)
{
    std::ifstream in(path);
    std::vector<std::string> rows;
    std::string line;
    while (std::getline(in, line)) {
        size_t pos = 0;
        for (int c = 0; c < columns && pos != std::string::npos; ++c)
            pos = line.find(',', pos + 1);
        rows.push_back(line.substr(0, pos));
    }
    return rows;
}

} // namespace

TEST_CASE("A run stopped and resumed from its checkpoint ends with the uninterrupted run's metrics", "[io][train][resume]")
{
    TempDir dir;
    fixtures::writeSyntheticDataset(dir.path().string(), 400, 80);
    const auto splits = mnist::loadSplits(dir.path().string());
    auto config = resumableConfig();
    // With an EMA of the weights the average must survive the restart too.
    config.emaDecay = GENERATE(0.0, 0.9);

    mnist::StopToken noStop;
    struct Null : mnist::TrainingObserver {} null;
    const auto full = mnist::Trainer(config).run(splits, null, noStop);
    REQUIRE(full.epochs.size() == 3);

    const std::string where = GENERATE(std::string("mid-epoch"), std::string("between epochs"));
    INFO(where << ", EMA decay " << config.emaDecay);
    const std::string runDir = dir.file("run");
    std::filesystem::create_directories(runDir);
    {
        mnist::Trainer first(config);
        first.setCheckpointDir(runDir);
        mnist::StopToken stop;
        StopAt obs;
        obs.token = &stop;
        if (where == "mid-epoch")
            obs.step = 10 + 4; // 5 iterations into the second epoch (10 per epoch)
        else
            obs.epoch = 1;
        const auto partial = first.run(splits, obs, stop);
        CHECK(partial.stopped);
        CHECK(std::filesystem::exists(runDir + "/checkpoint.pt"));
        CHECK(std::filesystem::exists(runDir + "/best.safetensors"));
        CHECK(mnist::readCheckpointSummary(runDir + "/checkpoint.pt").epoch == 1);
    }
    mnist::Trainer second(config);
    second.setCheckpointDir(runDir);
    second.setResumeCheckpoint(runDir + "/checkpoint.pt");
    mnist::StopToken stop;
    const auto resumed = second.run(splits, null, stop);
    requireSameMetrics(resumed.epochs, full.epochs);
    CHECK(resumed.lrPerIteration == full.lrPerIteration);
    CHECK(resumed.stats.bestValidEpoch == full.stats.bestValidEpoch);
    CHECK(resumed.stats.testAccuracyAtBestValid == full.stats.testAccuracyAtBestValid);

    // best.safetensors holds the weights of the lowest valid loss epoch: its valid loss is that epoch's.
    const auto best = mnist::createNetwork(config.arch);
    mnist::loadWeights(*best, runDir + "/best.safetensors");
    const auto eval = mnist::evaluate(*best, mnist::imagesToInput(splits.valid.images, torch::kCPU), splits.valid.labels, 1000);
    CHECK(eval.meanLoss == Approx(full.epochs.at(static_cast<size_t>(full.stats.bestValidEpoch - 1)).validLoss).epsilon(1e-6));
}

TEST_CASE("A damaged or foreign checkpoint is refused with the file's name", "[io][resume]")
{
    TempDir dir;
    const auto model = mnist::createNetwork("LeNet");
    mnist::TrainConfig c;
    auto opt = torch::optim::Adam(model->parameters(), 1e-3);
    mnist::saveCheckpoint(dir.file("checkpoint.pt"), *model, opt, {1, 10, {}, 0.5, 1});
    CHECK(mnist::readCheckpointSummary(dir.file("checkpoint.pt")).step == 10);

    const auto other = mnist::createNetwork("LeNetDeep");
    auto otherOpt = torch::optim::Adam(other->parameters(), 1e-3);
    CHECK_THROWS_WITH(mnist::loadCheckpoint(dir.file("checkpoint.pt"), *other, otherOpt), Contains("checkpoint.pt"));
    // A run with an EMA resumed from a checkpoint written without one: refused, not restarted from
    // a random average.
    mnist::WeightAverage average(mnist::createNetwork("LeNet"), 0.9);
    CHECK_THROWS_WITH(mnist::loadCheckpoint(dir.file("checkpoint.pt"), *model, opt, &average),
                      Contains("checkpoint.pt") && Contains("no weight average"));

    auto bytes = fixtures::readBytes(dir.file("checkpoint.pt"));
    bytes.resize(bytes.size() / 3);
    fixtures::writeBytes(dir.file("checkpoint.pt"), bytes);
    CHECK_THROWS_WITH(mnist::loadCheckpoint(dir.file("checkpoint.pt"), *model, opt), Contains("damaged"));
    CHECK_THROWS_WITH(mnist::readCheckpointSummary(dir.file("none.pt")), Contains("no checkpoint"));
    // No temporary file is left behind by a failed write.
    CHECK_THROWS_AS(mnist::saveCheckpoint(dir.file("missing/checkpoint.pt"), *model, opt, {}), mnist::IoError);
    int files = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir.path()))
        files += e.is_regular_file();
    CHECK(files == 1);
}

TEST_CASE("mnist-train killed with SIGKILL mid-run resumes to the uninterrupted run's metrics", "[cli][resume]")
{
    TempDir dir;
    const std::string data = dir.file("data");
    std::filesystem::create_directories(data);
    fixtures::writeSyntheticDataset(data, 2500, 100);
    const std::string common = " --data-dir " + data + " --arch LeNetDrop --epochs 3 --batch-size 25 --lr 1e-3 --shuffle --threads 1 --device cpu";
    REQUIRE(std::system((std::string(MNIST_TRAIN_EXE) + common + " --out " + dir.file("full") + " >/dev/null 2>&1").c_str()) == 0);

    const std::string killed = dir.file("killed");
    std::vector<std::string> args = {MNIST_TRAIN_EXE, "--data-dir", data, "--arch", "LeNetDrop", "--epochs", "3",
                                     "--batch-size", "25", "--lr", "1e-3", "--shuffle", "--threads", "1", "--device", "cpu",
                                     "--out", killed};
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    REQUIRE(posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) == 0);
    posix_spawn_file_actions_destroy(&actions);
    // Kill it as soon as the first epoch is on disk: it is then somewhere in the second.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (csvColumns(killed + "/metrics.csv", 1).size() < 2 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    REQUIRE(WIFSIGNALED(status));
    CHECK(csvColumns(killed + "/metrics.csv", 1).size() < 4); // it really died before the end

    const std::string resume = std::string(MNIST_TRAIN_EXE) + " --resume " + killed + " --threads 1 >/dev/null 2>&1";
    REQUIRE(std::system(resume.c_str()) == 0);
    // epoch, train_loss, valid_loss, test_acc, lr are equal; seconds and images/s are not.
    CHECK(csvColumns(killed + "/metrics.csv", 5) == csvColumns(dir.file("full") + "/metrics.csv", 5));
    CHECK(csvColumns(killed + "/lr.csv", 2) == csvColumns(dir.file("full") + "/lr.csv", 2));
    CHECK(std::filesystem::exists(killed + "/model.safetensors"));
}
