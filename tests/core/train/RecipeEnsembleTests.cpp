#include "TestPaths.h"
#include "Error.h"
#include "train/Ensemble.h"
#include "spec/Recipes.h"

#include "data/IdxFixtures.h"
#include "data/TempDir.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>

using Catch::Matchers::Contains;

TEST_CASE("The named recipes are valid set-ups", "[train][recipes]")
{
    REQUIRE(mnist::recipes().size() == 3);
    for (const auto& r : mnist::recipes()) {
        INFO(r.name);
        CHECK(r.config.validate().empty());
        CHECK(mnist::findRecipe(r.name) == &r);
        // The one-line summary (CLI help, GUI list) says what the config does.
        CHECK_THAT(r.summary, Contains(r.config.arch + ","));
        CHECK_THAT(r.summary, Contains(std::to_string(r.config.epochs) + " epochs"));
        CHECK_THAT(r.summary, Contains("batch " + std::to_string(r.config.batchSize)));
        if (r.config.labelSmoothing > 0)
            CHECK_THAT(r.summary, Contains("label smoothing"));
        // and nothing measured on one machine (accuracies, times: docs/accuracy.md)
        CHECK_FALSE(std::regex_search(r.summary, std::regex(R"([0-9]\.[0-9]+%|[0-9] ?(s|min|h)\b|img/s|CPU|GPU|~)")));
    }
    CHECK(mnist::findRecipe("fast")->config.scheduler.type == "one-cycle");
    CHECK(mnist::findRecipe("slow") == nullptr);
}

TEST_CASE("An ensemble averages the runs' softmax on the test set", "[train][ensemble][cli]")
{
    TempDir dir;
    const std::string data = dir.file("data");
    std::filesystem::create_directories(data);
    fixtures::writeSyntheticDataset(data, 300, 100);
    std::vector<std::string> runs;
    std::vector<double> accuracies;
    for (int seed : {1, 2}) {
        const std::string run = dir.file("run" + std::to_string(seed));
        const std::string cmd = std::string(MNIST_TRAIN_EXE) + " --data-dir " + data + " --epochs 1 --batch-size 30 --lr 1e-3 --seed " +
                                std::to_string(seed) + (seed == 2 ? " --normalize 0.5,0.5 --arch LeNetBN" : "") + " --out " + run +
                                " >/dev/null 2>&1";
        REQUIRE(std::system(cmd.c_str()) == 0);
        runs.push_back(run);
        accuracies.push_back(nlohmann::json::parse(std::ifstream(run + "/summary.json")).at("final_test_acc").get<double>());
    }
    const auto both = mnist::evaluateEnsemble(runs, data, "cpu");
    REQUIRE(both.members.size() == 2);
    CHECK(both.testSize == 100);
    // Each member scores what its run reported (its own architecture and Normalize are used).
    CHECK(both.members[0].testAccuracy == Approx(accuracies[0]));
    CHECK(both.members[1].testAccuracy == Approx(accuracies[1]));
    CHECK(both.members[1].arch == "LeNetBN");
    // A run with itself is that run.
    CHECK(mnist::evaluateEnsemble({runs[0], runs[0]}, data, "cpu").testAccuracy == Approx(accuracies[0]));
    CHECK_THROWS_WITH(mnist::evaluateEnsemble({dir.file("data")}, data, "cpu"), Contains("config.json"));

    const std::string cli = std::string(MNIST_TRAIN_EXE) + " --ensemble " + runs[0] + " " + runs[1] + " --data-dir " + data +
                            " --json 2>/dev/null";
    FILE* p = ::popen(cli.c_str(), "r");
    REQUIRE(p);
    std::string out;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
        out.append(buf, n);
    CHECK(::pclose(p) == 0);
    CHECK(nlohmann::json::parse(out).at("ensemble_test_acc").get<double>() == Approx(both.testAccuracy));
}
