#include "TestPaths.h"
#include "run/RunFiles.h"
#include "run/RunFolder.h"
#include "run/RunIndex.h"

#include "data/IdxFixtures.h"
#include "data/TempDir.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

using Catch::Matchers::Contains;

namespace {

mnist::EpochMetrics epoch(int64_t e, double valid, double acc)
{
    return {e, 0.5 / static_cast<double>(e), valid, acc, 1e-3, 2.0, 5000.0};
}

} // namespace

TEST_CASE("The run index reads run folders, marks damaged ones and keeps the others", "[io][runs]")
{
    TempDir dir;
    mnist::TrainConfig c;
    c.arch = "LeNetBN";
    c.epochs = 3;
    {
        mnist::RunFolder a(dir.file("20260101-000000-LeNetBN"), c);
        a.appendEpoch(epoch(1, 0.08, 98.0), {});
        a.appendEpoch(epoch(2, 0.05, 98.6), {}); // lowest valid loss
        a.appendEpoch(epoch(3, 0.06, 98.9), {}); // best test accuracy
    }
    {
        mnist::RunFolder b(dir.file("20260102-000000-LeNetBN"), c);
        b.appendEpoch(epoch(1, 0.1, 97.0), {});
    }
    std::filesystem::create_directories(dir.file("20260103-000000-LeNet"));
    std::ofstream(dir.file("20260103-000000-LeNet/config.json")) << "{ not json";
    std::filesystem::create_directories(dir.file("not-a-run"));

    const auto runs = mnist::listRuns(dir.path().string());
    REQUIRE(runs.size() == 3);
    CHECK(runs[0].name == "20260103-000000-LeNet"); // newest first
    CHECK(runs[0].damaged);
    CHECK_THAT(runs[0].problem, Contains("config.json"));
    const mnist::RunRecord& a = runs[2];
    CHECK_FALSE(a.damaged);
    CHECK(a.config.arch == "LeNetBN");
    REQUIRE(a.epochs.size() == 3);
    CHECK(a.stats.bestTestAccuracy == 98.9);
    CHECK(a.stats.bestEpoch == 3);
    CHECK(a.stats.testAccuracyAtBestValid == 98.6);
    CHECK(a.stats.bestValidEpoch == 2);
    CHECK(a.stats.seconds == Approx(6.0));
    CHECK_FALSE(a.finished);
    CHECK(runs[1].epochs.size() == 1);

    mnist::writeRunsCsv(dir.file("all.csv"), {runs[1], runs[2]});
    std::ifstream in(dir.file("all.csv"));
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    REQUIRE(lines.size() == 1 + 1 + 3);
    CHECK(lines[0] == "run,epoch,train_loss,valid_loss,test_acc,lr,seconds,images_per_s");
    CHECK_THAT(lines[1], Contains("\"20260102-000000-LeNetBN\",1,"));
    CHECK_THAT(lines[4], Contains(",3,") && Contains("98.9"));
}

TEST_CASE("A metrics.csv with a broken row is reported with its line", "[io][runs]")
{
    TempDir dir;
    std::ofstream(dir.file("metrics.csv")) << "epoch,train_loss,valid_loss,test_acc,lr,seconds,images_per_s\n1,0.2,0.1,97,0.01,3,5000\n2,0.1,x\n";
    CHECK_THROWS_WITH(mnist::readMetricsCsv(dir.file("metrics.csv")), Contains("metrics.csv:3"));
}

TEST_CASE("mnist-train without --out saves the run under the default runs folder", "[cli][runs]")
{
    TempDir dir;
    const std::string data = dir.file("data");
    std::filesystem::create_directories(data);
    fixtures::writeSyntheticDataset(data, 100, 20);
    const std::string cmd = "MNIST_STUDIO_RUNS_DIR=" + dir.file("runs") + " " + MNIST_TRAIN_EXE + " --data-dir " + data +
                            " --epochs 1 --batch-size 20 --arch LeNet >/dev/null 2>&1";
    REQUIRE(std::system(cmd.c_str()) == 0);
    REQUIRE(std::system(cmd.c_str()) == 0); // a second run in the same second gets its own folder
    const auto runs = mnist::listRuns(dir.file("runs"));
    REQUIRE(runs.size() == 2);
    CHECK(runs[0].name != runs[1].name);
    CHECK_THAT(runs[0].name, Contains("-LeNet"));
    CHECK(runs[0].finished);
    CHECK(runs[0].epochs.size() == 1);
}
