// mnist-train's early stopping and LR range test, end to end on generated data.
#include "run/RunIndex.h"

#include "data/IdxFixtures.h"
#include "data/RunCli.h"
#include "data/TempDir.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

using Catch::Matchers::Contains;
using fixtures::CliResult;
using fixtures::runCli;

TEST_CASE("mnist-train --lr-find --json prints the suggestion and the curve, and nothing else, on stdout", "[cli][lr-find]")
{
    TempDir dir;
    const std::string data = dir.file("data");
    std::filesystem::create_directories(data);
    fixtures::writeSyntheticDataset(data, 400, 40);
    const CliResult r = runCli("--lr-find --lr-find-iterations 30 --data-dir " + data +
                                   " --batch-size 10 --threads 2 --device cpu --json",
                               dir);
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j.size() == 3);
    CHECK(j.at("precision") == "fp32"); // the set-up's, fp32 by default
    REQUIRE(j.at("points").is_array());
    REQUIRE(j["points"].size() >= 2);
    CHECK(j["points"].size() <= 30);
    for (const auto& p : j["points"]) {
        REQUIRE(p.size() == 2);
        CHECK(p[0].is_number());
        CHECK(p[1].is_number());
    }
    CHECK(j["points"][0][0].get<double>() == Approx(1e-7));
    const double suggested = j.at("suggested_lr").get<double>();
    CHECK(suggested >= 1e-7);
    CHECK(suggested <= 10);
    CHECK_THAT(r.err, Contains("lr-find"));

    // Without --json: the LR and where it goes, one-cycle's max_lr for a one-cycle schedule.
    const CliResult text = runCli("--lr-find --lr-find-iterations 30 --data-dir " + data +
                                      " --batch-size 10 --threads 2 --device cpu --scheduler one-cycle",
                                  dir);
    INFO(text.err);
    CHECK(text.exitCode == 0);
    CHECK_THAT(text.out, Contains("suggested learning rate") && Contains("--max-lr"));
    const CliResult bad = runCli("--lr-find --lr-find-start 1 --lr-find-end 0.5 --data-dir " + data, dir);
    CHECK(bad.exitCode == 2);
    CHECK_THAT(bad.err, Contains("start LR"));
}

TEST_CASE("mnist-train --early-stop-patience ends a run as finished, in summary.json, and resume says so", "[cli][early-stop]")
{
    TempDir dir;
    const std::string data = dir.file("data"), run = dir.file("run");
    std::filesystem::create_directories(data);
    fixtures::writeSyntheticDataset(data, 200, 20);
    // A min delta of 10 no cross-entropy improvement reaches: patience 2 ends it after epoch 3 of 8.
    const std::string machine = " --data-dir " + data + " --threads 2 --device cpu";
    const CliResult r = runCli("--epochs 8 --batch-size 20 --early-stop-patience 2 --early-stop-min-delta 10 --out " + run +
                                   machine + " --json",
                               dir);
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    CHECK_THAT(r.err, Contains("early stopping ended the run after epoch 3"));
    std::ifstream in(run + "/summary.json");
    const auto summary = nlohmann::json::parse(in);
    CHECK(summary.at("early_stop") == nlohmann::json({{"epoch", 3}, {"best_epoch", 1}}));
    CHECK(summary.at("stopped") == false);
    CHECK(summary.at("epochs").size() == 3);
    CHECK(nlohmann::json::parse(r.out).at("early_stop").at("epoch") == 3);
    CHECK(std::filesystem::exists(run + "/best.safetensors"));
    CHECK(mnist::readRun(run).state == mnist::RunState::Finished);

    const CliResult again = runCli("--resume " + run + machine, dir);
    CHECK(again.exitCode == 2);
    CHECK_THAT(again.err, Contains("already finished") && Contains("--early-stop-patience"));
    // A patience that has not run out may continue it (it changes on resume, like the epochs).
    const CliResult more = runCli("--resume " + run + " --early-stop-patience 0" + machine, dir);
    INFO(more.err);
    CHECK(more.exitCode == 0);
    CHECK(mnist::readRun(run).epochs.size() == 8);
}
