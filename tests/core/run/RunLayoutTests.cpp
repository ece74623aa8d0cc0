// run/RunLayout.h: where a run folder's files are, which weights a run is used with, whether a
// folder holds a run and whether it ended, and the user's folders; and the run index's verdict
// on a run that says it finished without any epoch.
#include "run/RunFiles.h"
#include "run/RunFolder.h"
#include "run/RunIndex.h"
#include "run/RunLayout.h"

#include "data/ScopedEnv.h"
#include "data/TempDir.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

using Catch::Matchers::Contains;

namespace {

void touch(const std::string& path)
{
    std::ofstream(path) << "x";
}

} // namespace

TEST_CASE("RunLayout names every file of a run folder inside that folder, each once", "[io][runs]")
{
    const mnist::RunLayout run("/runs/r1");
    const std::vector<std::string> files = {run.config(),     run.arch(),        run.modelPy(),      run.metrics(),
                                            run.lr(),         run.loss(),        run.layers(),       run.checkpoint(),
                                            run.bestWeights(), run.modelWeights(), run.modelArchive(), run.summary()};
    for (const std::string& f : files) {
        INFO(f);
        CHECK(std::filesystem::path(f).parent_path() == "/runs/r1");
        CHECK(std::count(files.begin(), files.end(), f) == 1);
    }
    CHECK(run.config() == "/runs/r1/config.json"); // the on-disk format older runs were written in
    CHECK(run.modelWeights() == "/runs/r1/model.safetensors");
}

TEST_CASE("RunLayout: the weights to use are the final model's, else the best epoch's", "[io][runs]")
{
    TempDir dir;
    const mnist::RunLayout run(dir.path().string());
    CHECK(run.weightsToUse().empty());
    CHECK_FALSE(run.isRunFolder());
    touch(run.bestWeights());
    CHECK(run.weightsToUse() == run.bestWeights());
    CHECK_FALSE(run.hasModel());
    touch(run.modelWeights());
    CHECK(run.weightsToUse() == run.modelWeights());
    CHECK(run.hasModel());
    CHECK_FALSE(run.isFinished()); // no summary.json: killed before the end was written
    touch(run.summary());
    CHECK(run.isFinished());
}

TEST_CASE("RunLayout: a folder holds a run from its config.json, or a damaged one from its metrics.csv", "[io][runs]")
{
    TempDir dir;
    const mnist::RunLayout run(dir.path().string());
    touch(run.lr());
    CHECK_FALSE(run.isRunFolder());
    touch(run.metrics());
    CHECK(run.isRunFolder());
    std::filesystem::remove(run.metrics());
    touch(run.config());
    CHECK(run.isRunFolder());
    CHECK_FALSE(mnist::RunLayout(dir.file("missing")).isRunFolder());
}

TEST_CASE("The user's folders follow XDG_DATA_HOME, else HOME, and the runs MNIST_STUDIO_RUNS_DIR first", "[io][runs]")
{
    const ScopedEnv runs("MNIST_STUDIO_RUNS_DIR", std::nullopt);
    {
        const ScopedEnv xdg("XDG_DATA_HOME", std::string("/data"));
        CHECK(mnist::userDataDir() == "/data/mnist-studio");
        CHECK(mnist::defaultRunsDir() == "/data/mnist-studio/runs");
        CHECK(mnist::userArchitecturesDir() == "/data/mnist-studio/architectures");
    }
    {
        const ScopedEnv xdg("XDG_DATA_HOME", std::string());
        const ScopedEnv home("HOME", std::string("/home/someone"));
        CHECK(mnist::userDataDir() == "/home/someone/.local/share/mnist-studio");
        CHECK(mnist::defaultRunsDir() == "/home/someone/.local/share/mnist-studio/runs");
        const ScopedEnv own("MNIST_STUDIO_RUNS_DIR", std::string("/elsewhere"));
        CHECK(mnist::defaultRunsDir() == "/elsewhere");
        CHECK(mnist::userArchitecturesDir() == "/home/someone/.local/share/mnist-studio/architectures");
    }
}

TEST_CASE("A run whose summary says finished but whose metrics.csv has no epoch is damaged, with the reason", "[io][runs]")
{
    TempDir dir;
    mnist::TrainConfig c;
    c.arch = "LeNet";
    c.epochs = 2;
    const auto summary = [](bool stopped, int epochs) {
        std::string list;
        for (int e = 0; e < epochs; ++e)
            list += e ? ", {}" : "{}";
        return std::string(R"({"arch": "LeNet", "best_test_acc": 0, "best_epoch": 0, "test_acc_at_best_valid": 0,
                              "best_valid_epoch": 0, "final_test_acc": 0, "epochs": [)") +
               list + "], \"stopped\": " + (stopped ? "true" : "false") + "}";
    };
    {
        mnist::RunFolder empty(dir.file("a-finished-empty"), c);
        empty.writeSummary(summary(false, 0));
        mnist::RunFolder stopped(dir.file("b-stopped-empty"), c);
        stopped.writeSummary(summary(true, 0));
        mnist::RunFolder done(dir.file("c-finished"), c);
        done.appendEpoch({1, 0.5, 0.4, 90.0, 1e-3, 2.0, 5000.0}, {});
        done.appendEpoch({2, 0.4, 0.3, 91.0, 1e-3, 2.0, 5000.0}, {});
        done.writeSummary(summary(false, 2));
    }
    const auto runs = mnist::listRuns(dir.path().string());
    REQUIRE(runs.size() == 3);
    const mnist::RunRecord& empty = runs[2];
    CHECK(empty.name == "a-finished-empty");
    CHECK(empty.damaged);
    CHECK(empty.state == mnist::RunState::Damaged);
    CHECK_THAT(empty.problem, Contains(mnist::RunLayout(empty.dir).metrics()) && Contains("no epochs") &&
                                  Contains("summary.json says the run finished"));
    CHECK(runs[1].state == mnist::RunState::Stopped); // stopped in its first epoch: nothing to record
    CHECK_FALSE(runs[1].damaged);
    CHECK(runs[0].state == mnist::RunState::Finished);
    CHECK_FALSE(runs[0].damaged);
}
