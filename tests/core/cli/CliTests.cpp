// mnist-train end to end: the real binary on generated data.
#include "TestPaths.h"
#include "spec/AugmentConfig.h"
#include "formats/OnnxExport.h"
#include "run/RunFolder.h"
#include "formats/StateDict.h"
#include "run/RunIndex.h"
#include "models/ModelRegistry.h"
#include "spec/NetworkSpec.h"
#include "optim/LrScheduler.h"
#include "train/Trainer.h"

#include "data/IdxFixtures.h"
#include "data/RunCli.h"
#include "data/SkipTest.h"
#include "data/TempDir.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sys/wait.h>

using Catch::Matchers::Contains;

namespace {

using fixtures::CliResult;
using fixtures::runCli;

size_t countLines(const std::string& path)
{
    std::ifstream in(path);
    size_t n = 0;
    std::string line;
    while (std::getline(in, line))
        ++n;
    return n;
}

} // namespace

TEST_CASE("mnist-train trains, writes a run folder and a JSON summary", "[cli]")
{
    TempDir dir;
    const std::string data = dir.file("data");
    std::filesystem::create_directories(data);
    fixtures::writeSyntheticDataset(data, 500, 100, true);
    const std::string run = dir.file("run");
    const CliResult r = runCli("--data-dir " + data + " --arch LeNetBN --epochs 2 --batch-size 40 --lr 1e-3 --threads 2 "
                               "--device cpu --out " + run + " --json", dir);
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    const auto summary = nlohmann::json::parse(r.out);
    CHECK(summary.at("epochs").size() == 2);
    CHECK(summary.at("final_test_acc").get<double>() > 50.0);
    CHECK(summary.at("best_test_acc").get<double>() >= summary.at("final_test_acc").get<double>());
    CHECK(summary.at("train_images_per_s").get<double>() > 0);
    CHECK_THAT(r.err, Contains("epoch   2"));

    for (const char* f : {"config.json", "metrics.csv", "lr.csv", "model.safetensors", "model.pt", "summary.json"})
        CHECK(std::filesystem::exists(run + "/" + f));
    CHECK(countLines(run + "/metrics.csv") == 3);        // header + 2 epochs
    CHECK(countLines(run + "/lr.csv") == 1 + 2 * 10);    // 400 train images / 40 per batch
    const auto config = mnist::loadTrainConfig(run + "/config.json");
    CHECK(config.arch == "LeNetBN");
    CHECK(config.batchSize == 40);

    // The exported weights reproduce the reported test accuracy.
    const auto net = mnist::createNetwork("LeNetBN");
    mnist::loadWeights(*net, run + "/model.safetensors");
    const auto splits = mnist::loadSplits(data);
    const auto eval = mnist::evaluate(*net, mnist::imagesToInput(splits.test.images, torch::kCPU), splits.test.labels, 1000);
    CHECK(eval.accuracy == Approx(summary.at("final_test_acc").get<double>()));
    // And so does the LibTorch archive.
    const auto archived = mnist::loadNetwork("LeNetBN", run + "/model.pt");
    const auto eval2 = mnist::evaluate(*archived, mnist::imagesToInput(splits.test.images, torch::kCPU), splits.test.labels, 1000);
    CHECK(eval2.accuracy == Approx(eval.accuracy));

    // A second run into the same folder would overwrite it: refused.
    const CliResult again = runCli("--data-dir " + data + " --epochs 1 --out " + run, dir);
    CHECK(again.exitCode == 1);
    CHECK_THAT(again.err, Contains("already holds a run"));
}

TEST_CASE("mnist-train reads a config file and lets flags override it", "[cli]")
{
    TempDir dir;
    const std::string data = dir.file("data");
    std::filesystem::create_directories(data);
    fixtures::writeSyntheticDataset(data, 100, 20);
    mnist::TrainConfig c;
    c.dataDir = data;
    c.epochs = 3;
    c.batchSize = 20;
    c.arch = "LeNetDrop";
    mnist::saveTrainConfig(c, dir.file("c.json"));
    const CliResult r = runCli("--config " + dir.file("c.json") + " --epochs 1 --threads 1 --augment light --label-smoothing 0.05 --ema-decay 0.99" +
                                   " --train-fraction 0.75 --memory-format channels-last --out " + dir.file("run"),
                               dir);
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    const auto saved = mnist::loadTrainConfig(dir.file("run/config.json"));
    CHECK(saved.epochs == 1);
    CHECK(nlohmann::json(saved.augment) == nlohmann::json(mnist::lightAugmentation()));
    CHECK(saved.augment.cropScaleMin == 0.85);
    CHECK(saved.augment.degrees == 12);
    CHECK(saved.labelSmoothing == 0.05);
    CHECK(saved.emaDecay == 0.99);
    CHECK(saved.trainFraction == 0.75);
    CHECK(saved.memoryFormat == "channels-last");
    CHECK(saved.arch == "LeNetDrop");
    CHECK(saved.batchSize == 20);
    CHECK(countLines(dir.file("run/metrics.csv")) == 2);
}

TEST_CASE("mnist-train runs the notebook's schedulers end to end and records every iteration's LR", "[cli][scheduler]")
{
    TempDir dir;
    const std::string data = dir.file("data");
    std::filesystem::create_directories(data);
    fixtures::writeSyntheticDataset(data, 250, 50);
    const std::string scheduler = GENERATE(std::string("--scheduler cosine --t-max 7 --lr 1e-3"),
                                           std::string("--scheduler cyclic --base-lr 1e-4 --max-lr 1e-3 --step-size-up 4 --mode triangular"));
    const CliResult r = runCli("--data-dir " + data + " --arch LeNetDeep --epochs 2 --batch-size 20 --threads 2 " + scheduler +
                               " --out " + dir.file("run"), dir);
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    std::ifstream in(dir.file("run/lr.csv"));
    std::string line;
    std::getline(in, line);
    CHECK(line == "iteration,lr");
    const auto config = mnist::loadTrainConfig(dir.file("run/config.json"));
    const auto expected = mnist::lrSequence(config.scheduler, config.lr, 20, 20);
    int64_t i = 0;
    while (std::getline(in, line)) {
        const auto comma = line.find(',');
        CHECK(std::stoll(line.substr(0, comma)) == i);
        CHECK(std::stod(line.substr(comma + 1)) == expected.at(static_cast<size_t>(i)));
        ++i;
    }
    CHECK(i == 20); // 200 train images / 20 per batch x 2 epochs
}

TEST_CASE("mnist-train --print-lr-schedule prints PyTorch's LRs with full precision", "[cli][scheduler]")
{
    TempDir dir;
    const CliResult r = runCli("--print-lr-schedule 600 --scheduler warm-restarts --t0 250 --t-mult 2 --lr 1e-3", dir);
    REQUIRE(r.exitCode == 0);
    mnist::SchedulerConfig s;
    s.type = "warm-restarts";
    s.t0 = 250;
    s.tMult = 2;
    const auto expected = mnist::lrSequence(s, 1e-3, 0, 600);
    std::istringstream lines(r.out);
    std::string line;
    size_t n = 0;
    while (std::getline(lines, line)) {
        REQUIRE(n < expected.size());
        CHECK(std::stod(line) == expected[n]);
        ++n;
    }
    CHECK(n == 600);
}

TEST_CASE("mnist-train --list-archs prints every architecture with its parameter count", "[cli]")
{
    TempDir dir;
    const CliResult r = runCli("--list-archs", dir);
    REQUIRE(r.exitCode == 0);
    CHECK_THAT(r.out, Contains("LeNet ") && Contains("28,938") && Contains("SimpleNet") && Contains("1,677,290") &&
                          Contains("LeNetDL-k3") && Contains("50,890") && Contains("ResNetSmall"));
}

TEST_CASE("mnist-train trains a spec file, keeps its arch.json and model.py, and describes any network", "[cli][spec]")
{
    TempDir dir;
    const std::string data = dir.file("data");
    std::filesystem::create_directories(data);
    fixtures::writeSyntheticDataset(data, 300, 60, true);
    const std::string spec = dir.file("tiny.json");
    std::ofstream(spec) << R"({"name": "TinyNet", "input": [1, 28, 28], "classes": 10, "layers": [
        {"type": "Conv2d", "out_channels": 4, "kernel_size": 3, "padding": 1}, {"type": "BatchNorm2d"},
        {"type": "ReLU"}, {"type": "MaxPool2d", "kernel_size": 4},
        {"name": "res", "type": "Residual", "body": [{"type": "Conv2d", "out_channels": 4, "kernel_size": 3, "padding": 1}]},
        {"type": "Flatten"}, {"name": "fc", "type": "Linear", "out_features": 10}]})";

    const CliResult described = runCli("--describe-arch " + spec + " --json", dir);
    INFO(described.err);
    REQUIRE(described.exitCode == 0);
    const auto d = nlohmann::json::parse(described.out);
    CHECK(d.at("parameters") == 4 * 9 + 4 + 8 + 4 * 4 * 9 + 4 + 4 * 49 * 10 + 10);
    CHECK(d.at("state_dict").at(0) == nlohmann::json::array({"0.weight", {4, 1, 3, 3}}));
    CHECK(d.at("state_dict").back() == nlohmann::json::array({"fc.bias", {10}}));
    const CliResult table = runCli("--describe-arch ResNetSmall", dir);
    REQUIRE(table.exitCode == 0);
    CHECK_THAT(table.out, Contains("res2.shortcut.0") && Contains("[64, 7, 7]") && Contains("77,754"));

    const std::string run = dir.file("run");
    const CliResult r = runCli("--data-dir " + data + " --arch-file " + spec +
                                   " --epochs 1 --batch-size 40 --threads 1 --device cpu --out " + run + " --json",
                               dir);
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    for (const char* f : {"arch.json", "model.py", "model.safetensors"})
        CHECK(std::filesystem::exists(run + "/" + f));
    const auto config = mnist::loadTrainConfig(run + "/config.json");
    CHECK(config.arch == "TinyNet");
    CHECK(config.archFile == spec);
    CHECK(mnist::readNetworkSpecFile(run + "/arch.json") == mnist::readNetworkSpecFile(spec));
    // The run no longer needs the file it came from: it resumes and evaluates from its arch.json.
    std::filesystem::remove(spec);
    CHECK(mnist::loadRunConfig(run).archFile == std::filesystem::absolute(run + "/arch.json").string());
    const CliResult resumed = runCli("--resume " + run + " --epochs 2 --threads 1", dir);
    INFO(resumed.err);
    CHECK(resumed.exitCode == 0);
    CHECK(countLines(run + "/metrics.csv") == 3);
    const CliResult evaluated = runCli("--evaluate " + run + "/model.safetensors --arch-file " + run +
                                           "/arch.json --data-dir " + data + " --json",
                                       dir);
    INFO(evaluated.err);
    CHECK(evaluated.exitCode == 0);

    // A bad spec is refused with its problems at their places, before anything runs.
    const std::string bad = dir.file("bad.json");
    std::ofstream(bad) << R"({"name": "Bad", "input": [1, 28, 28], "classes": 10, "layers": [
        {"type": "Conv2d", "out_channels": 4, "kernel_size": 0}, {"type": "Linear", "out_features": 10}]})";
    const CliResult refused = runCli("--data-dir " + data + " --arch-file " + bad + " --epochs 1 --no-save", dir);
    CHECK(refused.exitCode != 0);
    CHECK_THAT(refused.err, Contains("bad.json") && Contains("layers[0].kernel_size"));
}

TEST_CASE("Networks in the user's architectures folder are listed and described by name, and broken ones are named", "[cli][spec]")
{
    TempDir dir;
    const std::string folder = dir.file("xdg/mnist-studio/architectures");
    std::filesystem::create_directories(folder);
    std::ofstream(folder + "/mine.json") << R"({"name": "Mine", "description": "my own", "input": [1, 28, 28],
        "classes": 10, "layers": [{"type": "Flatten"}, {"type": "Linear", "out_features": 10}]})";
    std::ofstream(folder + "/broken.json") << "{ not json";
    std::ofstream(folder + "/clash.json") << R"({"name": "LeNet", "input": [1, 28, 28], "classes": 10,
        "layers": [{"type": "Flatten"}, {"type": "Linear", "out_features": 10}]})";
    ::setenv("XDG_DATA_HOME", dir.file("xdg").c_str(), 1);
    const CliResult r = runCli("--list-archs", dir);
    const CliResult d = runCli("--describe-arch Mine", dir);
    ::unsetenv("XDG_DATA_HOME");
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    CHECK_THAT(r.out, Contains("Mine") && Contains("(user) my own") && Contains("7,850"));
    CHECK_THAT(r.err, Contains("broken.json") && Contains("clash.json") && Contains("built-in"));
    CHECK(d.exitCode == 0);
    CHECK_THAT(d.out, Contains("7,850"));
}

TEST_CASE("mnist-train refuses bad flags and values with exit code 2 and data errors with 1", "[cli]")
{
    TempDir dir;
    SECTION("unknown flag")
    {
        const CliResult r = runCli("--epoch 3", dir);
        CHECK(r.exitCode == 2);
        CHECK_THAT(r.err, Contains("--epoch"));
    }
    SECTION("not a number")
    {
        const CliResult r = runCli("--epochs ten", dir);
        CHECK(r.exitCode == 2);
    }
    SECTION("out of range")
    {
        const CliResult r = runCli("--epochs 0 --lr -1", dir);
        CHECK(r.exitCode == 2);
        CHECK_THAT(r.err, Contains("epochs") && Contains("learning rate"));
    }
    SECTION("unknown architecture")
    {
        const CliResult r = runCli("--arch Foo", dir);
        CHECK(r.exitCode == 2);
        CHECK_THAT(r.err, Contains("Foo"));
    }
    SECTION("invalid scheduler parameter")
    {
        const CliResult r = runCli("--scheduler warm-restarts --t0 0", dir);
        CHECK(r.exitCode == 2);
        CHECK_THAT(r.err, Contains("T_0"));
    }
    SECTION("missing data folder")
    {
        const CliResult r = runCli("--data-dir " + dir.file("nothing-here"), dir);
        CHECK(r.exitCode == 1);
        CHECK_THAT(r.err, Contains("nothing-here") && Contains("does not exist"));
    }
    SECTION("truncated data file")
    {
        fixtures::writeSyntheticDataset(dir.path().string(), 50, 10);
        auto bytes = fixtures::readBytes(dir.file("train-images-idx3-ubyte"));
        bytes.resize(bytes.size() / 2);
        fixtures::writeBytes(dir.file("train-images-idx3-ubyte"), bytes);
        const CliResult r = runCli("--data-dir " + dir.path().string(), dir);
        CHECK(r.exitCode == 1);
        CHECK_THAT(r.err, Contains("train-images-idx3-ubyte") && Contains("truncated"));
    }
}

TEST_CASE("mnist-train --device cuda where there is none exits with code 2 and says so", "[cli]")
{
    if (torch::cuda::is_available())
        return fixtures::skipTest("this machine has a CUDA device: the error cannot happen here");
    TempDir dir;
    const CliResult r = runCli("--device cuda", dir);
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Contains("no CUDA device"));
}

TEST_CASE("mnist-train --evaluate scores saved weights", "[cli]")
{
    TempDir dir;
    const std::string data = dir.file("data");
    std::filesystem::create_directories(data);
    fixtures::writeSyntheticDataset(data, 300, 100);
    const std::string run = dir.file("run");
    REQUIRE(runCli("--data-dir " + data + " --epochs 1 --batch-size 30 --lr 1e-3 --normalize 0.5,0.5 --out " + run, dir).exitCode == 0);
    const auto summary = nlohmann::json::parse(std::ifstream(run + "/summary.json"));

    const CliResult r = runCli("--data-dir " + data + " --normalize 0.5,0.5 --evaluate " + run + "/model.safetensors --json", dir);
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    const auto report = nlohmann::json::parse(r.out);
    CHECK(report.at("test_acc").get<double>() == Approx(summary.at("final_test_acc").get<double>()));
    int64_t total = 0;
    for (const auto& row : report.at("confusion"))
        for (const auto& v : row)
            total += v.get<int64_t>();
    CHECK(total == 100);

    // The LibTorch archive scores the same; a finished run cannot be resumed without more epochs.
    const CliResult pt = runCli("--data-dir " + data + " --normalize 0.5,0.5 --evaluate " + run + "/model.pt --json", dir);
    CHECK(nlohmann::json::parse(pt.out).at("test_acc") == report.at("test_acc"));
    const CliResult done = runCli("--resume " + run, dir);
    CHECK(done.exitCode == 2);
    CHECK_THAT(done.err, Contains("--epochs"));
    // Flags that would make the checkpoint and config.json disagree are refused before any write.
    const auto before = fixtures::readBytes(run + "/config.json");
    const CliResult changed = runCli("--resume " + run + " --epochs 3 --batch-size 7", dir);
    CHECK(changed.exitCode == 2);
    CHECK_THAT(changed.err, Contains("--batch-size cannot change"));
    CHECK(fixtures::readBytes(run + "/config.json") == before);
    const CliResult wrong = runCli("--data-dir " + data + " --arch LeNetDeep --evaluate " + run + "/model.safetensors", dir);
    CHECK(wrong.exitCode == 1);
    CHECK_THAT(wrong.err, Contains("do not fit"));
}

TEST_CASE("mnist-train resumes a run with other machine settings, and refuses any other change naming --resume",
          "[cli][scopes]")
{
    TempDir dir;
    const std::string data = dir.file("data"), run = dir.file("run");
    std::filesystem::create_directories(data);
    fixtures::writeSyntheticDataset(data, 60, 20);
    REQUIRE(runCli("--data-dir " + data + " --epochs 1 --batch-size 30 --out " + run, dir).exitCode == 0);

    const CliResult lr = runCli("--resume " + run + " --epochs 2 --lr 0.5", dir);
    CHECK(lr.exitCode == 2);
    CHECK_THAT(lr.err, Contains("--lr cannot change a run being resumed (--resume)") && Contains("--epochs") &&
                           Contains("--memory-format") && Contains("--eval-batch-size"));
    const CliResult machine = runCli("--resume " + run + " --epochs 2 --eval-batch-size 7 --memory-format contiguous --threads 1 "
                                     "--device cpu --data-dir " + data,
                                     dir);
    INFO(machine.err);
    CHECK(machine.exitCode == 0);
    CHECK(mnist::readRun(run).epochs.size() == 2);
}

TEST_CASE("mnist-train refuses flags that contradict each other or lack the one they need, naming both", "[cli]")
{
    TempDir dir;
    const std::string config = dir.file("config.json"), run = dir.file("run");
    std::ofstream(config) << "{}";
    std::filesystem::create_directories(run);
    const std::map<std::string, std::vector<std::string>> cases = {
        {"--resume " + run + " --config " + config, {"--resume", "--config"}},
        {"--resume " + run + " --out " + dir.file("elsewhere"), {"--resume", "--out"}},
        {"--resume " + run + " --recipe fast", {"--resume", "--recipe"}},
        {"--recipe fast --config " + config, {"--recipe", "--config"}},
        {"--pretrained --recipe fast", {"--pretrained", "--recipe"}},
        {"--evaluate --pretrained --config " + config, {"--pretrained", "--config"}},
        {"--export-tensorboard " + run, {"--export-tensorboard", "requires", "--out"}},
        {"--export-augmented 3", {"--export-augmented", "requires", "--out"}},
        {"--export-pretrained " + run, {"--export-pretrained", "requires", "--out"}},
        {"--trained-on today", {"--trained-on", "requires", "--export-pretrained"}},
    };
    for (const auto& [args, words] : cases) {
        INFO(args);
        const CliResult r = runCli(args, dir);
        CHECK(r.exitCode == 2);
        for (const std::string& w : words)
            CHECK_THAT(r.err, Contains(w));
    }
    CHECK_FALSE(std::filesystem::exists(dir.file("elsewhere")));
}

TEST_CASE("mnist-train --help groups its options: the run, each section of settings, other commands, sweeps", "[cli]")
{
    TempDir dir;
    const CliResult r = runCli("--help", dir);
    CHECK(r.exitCode == 0);
    size_t at = 0;
    for (const char* group : {"Run", "Data settings", "Model settings", "Training settings", "Machine settings",
                              "Scheduler settings", "Augment settings", "Other commands", "Sweeps"}) {
        INFO(group);
        const size_t found = r.out.find("[Option Group: " + std::string(group) + "]", at);
        CHECK(found != std::string::npos);
        at = found == std::string::npos ? at : found;
    }
    CHECK_THAT(r.out, Contains("--memory-format") && Contains("--sweep-task") && Contains("--no-shuffle"));
}

TEST_CASE("mnist-train --evaluate --export-onnx writes the weights as ONNX", "[cli][onnx]")
{
    if (!mnist::onnxExportAvailable())
        return fixtures::skipTest("this build has no ONNX export");
    TempDir dir;
    const std::string data = dir.file("data");
    std::filesystem::create_directories(data);
    fixtures::writeSyntheticDataset(data, 300, 100);
    const std::string run = dir.file("run");
    REQUIRE(runCli("--data-dir " + data + " --epochs 1 --batch-size 30 --lr 1e-3 --normalize 0.5,0.5 --out " + run, dir).exitCode == 0);
    const CliResult r = runCli("--data-dir " + data + " --normalize 0.5,0.5 --evaluate " + run + "/model.safetensors --json --export-onnx " +
                                   dir.file("m.onnx"), dir);
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    CHECK(std::filesystem::file_size(dir.file("m.onnx")) > 100000);
}

TEST_CASE("mnist-train --list-runs lists every run folder with its state, damaged ones with the reason", "[cli][runs]")
{
    TempDir dir;
    const std::string runs = dir.file("runs");
    const auto write = [](const std::string& path, const std::string& text) {
        std::filesystem::create_directories(std::filesystem::path(path).parent_path());
        std::ofstream(path) << text;
    };
    const std::string config = mnist::toJsonText(mnist::TrainConfig{});
    const std::string header = "epoch,train_loss,valid_loss,test_acc,lr,seconds,images_per_s\n";
    const std::string twoEpochs = header + "1,0.5,0.4,97.5,0.01,3,1000\n2,0.3,0.2,98.5,0.01,3,1000\n";
    write(runs + "/a-finished/config.json", config);
    write(runs + "/a-finished/metrics.csv", twoEpochs);
    write(runs + "/a-finished/summary.json",
          R"({"arch": "LeNet", "best_test_acc": 98.5, "best_epoch": 2, "test_acc_at_best_valid": 98.5,
              "best_valid_epoch": 2, "final_test_acc": 98.5, "stopped": false, "epochs": [{}, {}]})");
    write(runs + "/b-running/config.json", config);
    write(runs + "/b-running/metrics.csv", twoEpochs);
    write(runs + "/c-starts-at-5/config.json", config);
    write(runs + "/c-starts-at-5/metrics.csv", header + "5,0.5,0.4,97.5,0.01,3,1000\n");
    write(runs + "/d-epoch-zero/config.json", config);
    write(runs + "/d-epoch-zero/metrics.csv", header + "0,0.5,0.4,97.5,0.01,3,1000\n");
    write(runs + "/e-overflow/config.json", config);
    write(runs + "/e-overflow/metrics.csv", header + "1e30,0.5,0.4,97.5,0.01,3,1000\n");
    write(runs + "/f-garbage/config.json", config);
    write(runs + "/f-garbage/metrics.csv", std::string("\x01\xff\x00garbage", 10));
    write(runs + "/g-empty/config.json", config);
    write(runs + "/g-empty/metrics.csv", "");
    // summary.json says it ended, yet no epoch is recorded: finished is a lie, stopped is not (a
    // stop in the first epoch).
    const auto summary = [](bool stopped) {
        return std::string(R"({"arch": "LeNet", "best_test_acc": 0, "best_epoch": 0, "test_acc_at_best_valid": 0,
              "best_valid_epoch": 0, "final_test_acc": 0, "epochs": [], "stopped": )") + (stopped ? "true}" : "false}");
    };
    write(runs + "/h-finished-no-epochs/config.json", config);
    write(runs + "/h-finished-no-epochs/metrics.csv", header);
    write(runs + "/h-finished-no-epochs/summary.json", summary(false));
    write(runs + "/i-stopped-no-epochs/config.json", config);
    write(runs + "/i-stopped-no-epochs/metrics.csv", header);
    write(runs + "/i-stopped-no-epochs/summary.json", summary(true));

    const CliResult r = runCli("--list-runs " + runs + " --json", dir);
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);
    const auto j = nlohmann::json::parse(r.out);
    std::map<std::string, nlohmann::json> byName;
    for (const auto& run : j.at("runs"))
        byName[run.at("name").get<std::string>()] = run;
    REQUIRE(byName.size() == 9);
    CHECK(byName["a-finished"].at("state") == "finished");
    CHECK(byName["a-finished"].at("epochs_done") == 2);
    CHECK(byName["a-finished"].at("epochs_planned") == 10);
    CHECK(byName["a-finished"].at("test_acc_at_best_valid") == Approx(98.5));
    CHECK(byName["b-running"].at("state") == "running");
    CHECK(byName["i-stopped-no-epochs"].at("state") == "stopped");
    CHECK_THAT(byName["h-finished-no-epochs"].value("problem", ""), Contains("summary.json"));
    for (const char* name : {"c-starts-at-5", "d-epoch-zero", "e-overflow", "f-garbage", "g-empty", "h-finished-no-epochs"}) {
        INFO(name);
        CHECK(byName[name].at("state") == "damaged");
        CHECK_THAT(byName[name].at("problem").get<std::string>(), Contains("metrics.csv"));
    }
    // The table form prints the same runs.
    const CliResult table = runCli("--list-runs " + runs, dir);
    CHECK(table.exitCode == 0);
    CHECK_THAT(table.out, Contains("a-finished") && Contains("damaged") && Contains("98.50%"));
    const auto at = table.out.find("h-finished-no-epochs");
    REQUIRE(at != std::string::npos);
    const std::string line = table.out.substr(at, table.out.find('\n', at) - at);
    CHECK_THAT(line, Contains("damaged") && Contains("no epochs, but summary.json says the run finished"));
}
