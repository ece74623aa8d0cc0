// memory_format auto decided by measurement, and calibration.json that keeps the decisions.
#include "data/Dataset.h"
#include "train/CalibrationCache.h"
#include "train/LayoutCalibration.h"
#include "train/Trainer.h"

#include "data/IdxFixtures.h"
#include "data/ScopedEnv.h"
#include "data/TempDir.h"

#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

using Catch::Matchers::Contains;

namespace {

std::string readFile(const std::string& path)
{
    std::ifstream in(path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

mnist::TrainConfig lenet(int64_t batch)
{
    mnist::TrainConfig c;
    c.arch = "LeNet";
    c.batchSize = batch;
    c.device = "cpu";
    c.threads = 1;
    return c;
}

} // namespace

TEST_CASE("The calibration file keeps entries by key and treats anything malformed as a miss", "[train][calibration]")
{
    const std::string one = mnist::withLayoutMeasurement("", "cpu A | LeNet", {false, 2.5, 2.0});
    const auto found = mnist::findLayoutMeasurement(one, "cpu A | LeNet");
    REQUIRE(found);
    CHECK_FALSE(found->channelsLast);
    CHECK(found->channelsLastMs == 2.5);
    CHECK(found->contiguousMs == 2.0);
    CHECK_FALSE(mnist::findLayoutMeasurement(one, "cpu B | LeNet"));

    // A second entry keeps the first; setting one again replaces it.
    const std::string two = mnist::withLayoutMeasurement(one, "cpu B | LeNet", {true, 1.0, 1.5});
    CHECK(mnist::findLayoutMeasurement(two, "cpu A | LeNet"));
    CHECK(mnist::findLayoutMeasurement(two, "cpu B | LeNet")->channelsLast);
    CHECK(mnist::findLayoutMeasurement(mnist::withLayoutMeasurement(two, "cpu A | LeNet", {true, 3, 4}), "cpu A | LeNet")->contiguousMs == 4);

    for (const std::string bad : {"", "not json", "[1, 2]", "{\"memory_layout\": 3}", "{\"memory_layout\": {\"k\": 1}}",
                                  "{\"memory_layout\": {\"k\": {\"channels_last\": 1, \"channels_last_ms\": 1, \"contiguous_ms\": 1}}}",
                                  "{\"memory_layout\": {\"k\": {\"channels_last\": true, \"channels_last_ms\": -1, \"contiguous_ms\": 1}}}",
                                  "{\"memory_layout\": {\"k\": {\"channels_last\": true, \"contiguous_ms\": 1}}}",
                                  "{\"memory_layout\": {\"k\": {\"channels_last\": true, \"channels_last_ms\": \"1\", \"contiguous_ms\": 1}}}"}) {
        INFO(bad);
        CHECK_FALSE(mnist::findLayoutMeasurement(bad, "k"));
        // Writing over a malformed file starts a good one.
        CHECK(mnist::findLayoutMeasurement(mnist::withLayoutMeasurement(bad, "k", {true, 1, 2}), "k"));
    }
}

TEST_CASE("The calibration file lives in the user's config folder unless told otherwise", "[train][calibration]")
{
    const ScopedEnv file("MNIST_STUDIO_CALIBRATION_FILE", std::nullopt);
    {
        const ScopedEnv xdg("XDG_CONFIG_HOME", std::string("/tmp/cfg"));
        CHECK(mnist::calibrationFilePath() == "/tmp/cfg/mnist-studio/calibration.json");
    }
    {
        const ScopedEnv xdg("XDG_CONFIG_HOME", std::nullopt);
        const ScopedEnv home("HOME", std::string("/home/someone"));
        CHECK(mnist::calibrationFilePath() == "/home/someone/.config/mnist-studio/calibration.json");
    }
    const ScopedEnv own("MNIST_STUDIO_CALIBRATION_FILE", std::string("/elsewhere/c.json"));
    CHECK(mnist::calibrationFilePath() == "/elsewhere/c.json");
}

TEST_CASE("A named memory format, a GPU and switched-off calibration measure nothing", "[train][calibration]")
{
    TempDir dir;
    const ScopedEnv file("MNIST_STUDIO_CALIBRATION_FILE", dir.file("calibration.json"));
    mnist::TrainConfig c = lenet(8);
    c.memoryFormat = "contiguous";
    mnist::LayoutDecision d = mnist::decideLayout(c, torch::kCPU, 1);
    CHECK_FALSE(d.channelsLast);
    CHECK(d.source == "set");
    CHECK_THAT(d.describe(), Contains("contiguous") && Contains("memory_format"));
    c.memoryFormat = "channels-last";
    CHECK(mnist::decideLayout(c, torch::kCPU, 1).channelsLast);

    c.memoryFormat = "auto";
    d = mnist::decideLayout(c, torch::Device(torch::kCUDA, 0), 1);
    CHECK_FALSE(d.channelsLast);
    CHECK(d.source == "gpu");
    c.precision = "fp16"; // tensor cores take NHWC without a transpose
    d = mnist::decideLayout(c, torch::Device(torch::kCUDA, 0), 1);
    CHECK(d.channelsLast);
    CHECK_THAT(d.describe(), Contains("mixed precision"));
    c.precision = "fp32";

    const ScopedEnv off("MNIST_STUDIO_NO_CALIBRATION", std::string("1"));
    d = mnist::decideLayout(c, torch::kCPU, 1);
    CHECK(d.channelsLast);
    CHECK(d.source == "default");
    CHECK_FALSE(std::filesystem::exists(dir.file("calibration.json")));
}

TEST_CASE("auto on the CPU is measured once, cached, and leaves the random draws alone", "[train][calibration]")
{
    TempDir dir;
    const std::string path = dir.file("sub/calibration.json"); // a folder that is made
    const ScopedEnv file("MNIST_STUDIO_CALIBRATION_FILE", path);
    const ScopedEnv on("MNIST_STUDIO_NO_CALIBRATION", std::nullopt);
    const mnist::TrainConfig c = lenet(16);

    torch::manual_seed(5);
    const torch::Tensor expected = torch::rand({8});
    torch::manual_seed(5);
    const mnist::LayoutDecision first = mnist::decideLayout(c, torch::kCPU, 1);
    CHECK(torch::equal(torch::rand({8}), expected));

    CHECK(first.source == "measured");
    CHECK(first.channelsLastMs > 0);
    CHECK(first.contiguousMs > 0);
    // The rule: channels-last unless contiguous is clearly (3%) faster.
    CHECK(first.channelsLast == !(first.contiguousMs < 0.97 * first.channelsLastMs));
    CHECK_THAT(first.describe(), Contains("measured now") && Contains("ms a step"));
    const auto stored = mnist::findLayoutMeasurement(readFile(path), mnist::layoutKey(c, 1));
    REQUIRE(stored);
    CHECK(stored->channelsLast == first.channelsLast);

    const mnist::LayoutDecision again = mnist::decideLayout(c, torch::kCPU, 1);
    CHECK(again.source == "cached");
    CHECK(again.channelsLast == first.channelsLast);
    CHECK(again.channelsLastMs == first.channelsLastMs);
    CHECK_THAT(again.describe(), Contains("measured earlier"));

    // Another batch size or thread count is another key.
    CHECK(mnist::layoutKey(c, 1) != mnist::layoutKey(c, 2));
    CHECK(mnist::layoutKey(c, 1) != mnist::layoutKey(lenet(32), 1));
    CHECK_THAT(mnist::layoutKey(c, 1), Contains("LeNet") && Contains(mnist::cpuModelName()));
}

TEST_CASE("A cached choice is followed and reported by the trainer", "[train][calibration]")
{
    TempDir dir;
    const std::string path = dir.file("calibration.json");
    const ScopedEnv file("MNIST_STUDIO_CALIBRATION_FILE", path);
    const ScopedEnv on("MNIST_STUDIO_NO_CALIBRATION", std::nullopt);
    mnist::TrainConfig c = lenet(32);
    c.epochs = 1;
    // Pretend this machine measured contiguous as the faster.
    {
        std::ofstream out(path);
        out << mnist::withLayoutMeasurement("", mnist::layoutKey(c, 1), {false, 9.0, 4.0});
    }
    fixtures::writeSyntheticDataset(dir.path().string(), 200, 100);
    const mnist::DataSplits data = mnist::loadSplits(dir.path().string());
    struct Info : mnist::TrainingObserver {
        mnist::RunInfo info;
        void onRunStarted(const mnist::RunInfo& i) override { info = i; }
    } seen;
    mnist::StopToken stop;
    mnist::Trainer(c).run(data, seen, stop);
    CHECK(seen.info.memoryFormat == "contiguous");
    CHECK_THAT(seen.info.memoryFormatWhy, Contains("measured earlier") && Contains("4.00 ms"));

    // An unreadable calibration file is measured again, and an unwritable one does not stop a run.
    const ScopedEnv nowhere("MNIST_STUDIO_CALIBRATION_FILE", std::string("/proc/no-such-dir/calibration.json"));
    mnist::Trainer(c).run(data, seen, stop);
    CHECK(seen.info.memoryFormatWhy.find("measured now") != std::string::npos);
}
