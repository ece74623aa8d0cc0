#include "run/RunNotes.h"

#include "data/GeneratedRuns.h"
#include "data/RunCli.h"
#include "data/ScopedEnv.h"
#include "data/TempDir.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>

using Catch::Matchers::Contains;
using fixtures::CliResult;
using fixtures::runCli;

TEST_CASE("mnist-train --tag, --untag and --note set a run's notes, which --list-runs shows", "[cli][runs][notes]")
{
    TempDir dir;
    const std::string runs = dir.file("runs");
    fixtures::writeGeneratedRuns(runs, {3, 1, 2, 2});
    const ScopedEnv runsDir("MNIST_STUDIO_RUNS_DIR", runs);

    // By name under the runs folder, a trial by its sweep, and by path.
    CliResult r = runCli("--tag 20260101-000200-run2 baseline fast", dir);
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);
    CHECK_THAT(r.out, Contains("baseline fast"));
    REQUIRE(runCli("--tag sweep-00/trial-0001 best", dir).exitCode == 0);
    REQUIRE(runCli("--note " + runs + "/20260101-000200-run2 'lr too high?\nrerun with 3e-4'", dir).exitCode == 0);
    REQUIRE(runCli("--tag 20260101-000200-run2 extra --untag 20260101-000200-run2 fast", dir).exitCode != 0); // one command at a time
    r = runCli("--untag 20260101-000200-run2 fast", dir);
    REQUIRE(r.exitCode == 0);
    CHECK(mnist::readRunNotes(runs + "/20260101-000200-run2").tags == std::vector<std::string>{"baseline"});

    r = runCli("--list-runs " + runs + " --json", dir);
    REQUIRE(r.exitCode == 0);
    const auto j = nlohmann::json::parse(r.out);
    std::map<std::string, nlohmann::json> byKey;
    for (const auto& run : j.at("runs"))
        byKey[run.at("group").get<std::string>() + "/" + run.at("name").get<std::string>()] = run;
    REQUIRE(byKey.size() == 3);
    const auto& tagged = byKey.at("/20260101-000200-run2");
    CHECK(tagged.at("tags") == nlohmann::json{"baseline"});
    CHECK(tagged.at("note") == "lr too high?\nrerun with 3e-4");
    CHECK(byKey.at("sweep-00/trial-0001").at("tags") == nlohmann::json{"best"});
    CHECK(byKey.at("sweep-00/trial-0000").at("tags") == nlohmann::json::array());
    CHECK(byKey.at("sweep-00/trial-0000").at("note") == "");

    const CliResult table = runCli("--list-runs " + runs, dir);
    CHECK_THAT(table.out, Contains("sweep-00/trial-0001") && Contains("tags: baseline") &&
                              Contains("note: lr too high? ..."));

    // An empty note clears it.
    REQUIRE(runCli("--note 20260101-000200-run2 ''", dir).exitCode == 0);
    CHECK(mnist::readRunNotes(runs + "/20260101-000200-run2").note.empty());
}

TEST_CASE("mnist-train --tag and --note refuse a missing run, a bad tag and a damaged notes file by name", "[cli][runs][notes]")
{
    TempDir dir;
    const std::string runs = dir.file("runs");
    fixtures::writeGeneratedRuns(runs, {1, 0, 0, 2});
    const ScopedEnv runsDir("MNIST_STUDIO_RUNS_DIR", runs);
    const std::string run = "20260101-000000-run0";

    CliResult r = runCli("--tag no-such-run x", dir);
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Contains("no-such-run"));
    r = runCli("--tag " + run + " 'two words'", dir);
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Contains(run) && Contains("\"two words\""));
    r = runCli("--tag " + run, dir);
    CHECK(r.exitCode != 0);

    std::ofstream(runs + "/" + run + "/notes.json") << "{ cut";
    r = runCli("--note " + run + " hello", dir);
    CHECK(r.exitCode == 1);
    CHECK_THAT(r.err, Contains("notes.json"));
    // The listing goes on and says why.
    r = runCli("--list-runs " + runs + " --json", dir);
    REQUIRE(r.exitCode == 0);
    const auto row = nlohmann::json::parse(r.out).at("runs").at(0);
    CHECK(row.at("state") == "finished");
    CHECK_THAT(row.at("notes_problem").get<std::string>(), Contains("notes.json"));
}
