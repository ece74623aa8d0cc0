// A sweep that searches (issue 36): TPE and the pruners in the spec, sweep.json's new states,
// and the scheduler's decisions under the sweep's lock, on run folders written by hand so that
// every valid loss is known: which trial a free slot gets (a promotion first, then a resume, a
// planned trial, a TPE draw), when a trial pauses, what a killed worker leaves, and that a
// diverged trial is a result that is never retried.
#include "sweep/SweepFolder.h"
#include "sweep/SweepLock.h"
#include "sweep/SweepScheduler.h"
#include "sweep/SweepSpec.h"
#include "sweep/SweepSummary.h"

#include "Error.h"
#include "run/RunFiles.h"
#include "run/RunLayout.h"

#include "data/TempDir.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

bool hasProblem(const std::vector<mnist::FieldProblem>& problems, const std::string& key, const std::string& words)
{
    for (const auto& p : problems)
        if (p.field == key && p.message.find(words) != std::string::npos)
            return true;
    return false;
}

// A trial's run folder as the trainer leaves it: its config and one metrics row per epoch with
// the given valid losses; `finished` adds the model and summary of a run that ended.
void writeRun(const mnist::SweepFolder& sweep, size_t trial, const std::vector<double>& validLosses, bool finished = false)
{
    const mnist::SweepTrial& t = sweep.plan.trials[trial];
    const std::string dir = mnist::trialDir(sweep, t);
    fs::create_directories(dir);
    const mnist::RunLayout run(dir);
    std::ofstream(run.config()) << json(t.config).dump();
    std::ofstream metrics(run.metrics());
    metrics << mnist::kMetricsCsvHeader << '\n';
    for (size_t e = 0; e < validLosses.size(); ++e)
        metrics << e + 1 << ",0.5," << validLosses[e] << ",95,0.01,1,100\n";
    if (finished) {
        std::ofstream(run.modelWeights()) << "x";
        std::ofstream(run.summary()) << json({{"arch", "LeNet"}, {"epochs", validLosses}, {"stopped", false}, {"best_test_acc", 95},
                                              {"test_acc_at_best_valid", 95}, {"final_test_acc", 95}, {"best_epoch", 1},
                                              {"best_valid_epoch", 1}})
                                            .dump();
    }
}

// A sweep folder of five learning rates, ASHA with rungs at 1 and 2 of 4 epochs, eta 2.
mnist::SweepFolder ashaSweep(const TempDir& tmp)
{
    mnist::SweepPlan plan = mnist::planSweep(json::parse(R"({"base": {"arch": "LeNet", "epochs": 4},
        "grid": {"lr": [0.1, 0.01, 0.001, 0.0001, 0.00001]}, "pruner": {"type": "asha", "min_epochs": 1, "reduction_factor": 2}})"));
    mnist::applyMachineSettings(plan, tmp.file("data"), "cpu");
    return mnist::openSweepFolder(tmp.file("sweep"), plan);
}

mnist::TrialState stateOf(const std::string& dir, size_t trial)
{
    mnist::SweepFolder sweep = mnist::readSweepFolder(dir);
    mnist::refreshSweepStatus(sweep);
    return sweep.status[trial].state;
}

} // namespace

TEST_CASE("A TPE spec with a pruner draws its configurations as trials start", "[sweep][search]")
{
    const mnist::SweepPlan plan = mnist::planSweep(json::parse(R"({"base": {"arch": "LeNet", "epochs": 9},
        "tpe": {"trials": 40, "startup": 10, "seed": 7, "space": {"scheduler.max_lr": {"log_uniform": [1e-4, 0.03]},
                "batch_size": {"int_uniform": [32, 256]}, "label_smoothing": {"uniform": [0, 0.2]}}},
        "pruner": {"type": "asha", "min_epochs": 1, "reduction_factor": 3}, "seeds": [1, 2]})"));
    CHECK(plan.trials.empty());
    CHECK(plan.groups == 0);
    CHECK(plan.search.sampler == "tpe");
    CHECK(plan.search.tpeTrials == 40);
    CHECK(plan.search.tpe.startup == 10);
    CHECK(plan.search.tpeSeed == 7u);
    CHECK(plan.search.space.size() == 3u);
    CHECK(plan.pruner.type == "asha");
    CHECK(plan.pruner.asha.maxEpochs == 9);
    CHECK(mnist::search::ashaRungs(plan.pruner.asha) == std::vector<int64_t>{1, 3});

    // A draw is a configuration of both seeds, the same for the same group and history.
    mnist::SweepPlan a = plan, b = plan;
    const json drawn = mnist::drawTpeConfiguration(a, 0, {});
    CHECK(drawn == mnist::drawTpeConfiguration(b, 0, {}));
    CHECK(drawn != mnist::drawTpeConfiguration(b, 1, {}));
    CHECK(mnist::appendConfiguration(a, drawn).empty());
    REQUIRE(a.trials.size() == 2u);
    CHECK(a.trials[0].seed == 1u);
    CHECK(a.trials[1].seed == 2u);
    CHECK(a.trials[1].group == 0);
    CHECK(a.trials[0].params["batch_size"] == drawn["batch_size"]);
    CHECK(a.trials[0].config.batchSize == drawn["batch_size"].get<int64_t>());
}

TEST_CASE("The sweep spec names every problem of a search or a pruner", "[sweep][search]")
{
    using P = std::vector<mnist::FieldProblem>;
    const P both = mnist::sweepSpecProblems(json::parse(R"({"grid": {"lr": [0.1]},
        "tpe": {"trials": 4, "space": {"lr": {"log_uniform": [1e-4, 1e-2]}}}})"));
    CHECK(hasProblem(both, "tpe", "without grid or random"));
    const P pruner = mnist::sweepSpecProblems(json::parse(R"({"base": {"epochs": 3}, "grid": {"lr": [0.1]},
        "pruner": {"type": "hyperband"}})"));
    CHECK(hasProblem(pruner, "pruner", "\"asha\""));
    const P rungs = mnist::sweepSpecProblems(json::parse(R"({"base": {"epochs": 3}, "grid": {"lr": [0.1]},
        "pruner": {"type": "asha", "min_epochs": 3, "reduction_factor": 1, "eta": 2}})"));
    CHECK(hasProblem(rungs, "pruner.min_epochs", "below the trials' epochs (3)"));
    CHECK(hasProblem(rungs, "pruner.reduction_factor", "from 2"));
    CHECK(hasProblem(rungs, "pruner.eta", "unknown key"));
    const P epochs = mnist::sweepSpecProblems(json::parse(R"({"base": {"epochs": 3}, "grid": {"epochs": [2, 3]},
        "pruner": {"type": "median"}})"));
    CHECK(hasProblem(epochs, "grid.epochs", "cannot vary"));
    const P tpe = mnist::sweepSpecProblems(json::parse(R"({"tpe": {"trials": 0, "startup": -1, "space": {
        "batch_size": {"int_uniform": [2.5, 2.7]}, "lr": {"int_uniform": [1, 2]}, "optimizer": {"log_uniform": [1, 2]}}}})"));
    CHECK(hasProblem(tpe, "tpe.trials", "between 1 and 100000"));
    CHECK(hasProblem(tpe, "tpe.startup", "from 0"));
    CHECK(hasProblem(tpe, "tpe.space.batch_size", "int_uniform needs a whole number"));
    CHECK(hasProblem(tpe, "tpe.space.optimizer", "not a number"));
}

TEST_CASE("sweep.json keeps the base, the creation time and the pruned and diverged states", "[sweep][search]")
{
    TempDir tmp;
    mnist::SweepFolder sweep = ashaSweep(tmp);
    CHECK(sweep.created > 0);
    {
        const mnist::SweepLock lock(sweep.dir);
        sweep.status[1] = {mnist::TrialState::Pruned, "paused at rung 1", 1};
        sweep.status[2] = {mnist::TrialState::Diverged, "the loss became NaN", 0};
        mnist::saveSweepFolder(sweep);
    }
    const mnist::SweepFolder back = mnist::readSweepFolder(sweep.dir);
    CHECK(back.created == sweep.created);
    CHECK(back.plan.base.dataDir == sweep.plan.base.dataDir);
    CHECK(fs::path(back.plan.base.dataDir).is_absolute());
    CHECK(back.plan.pruner.type == "asha");
    CHECK(back.plan.pruner.asha.reductionFactor == 2);
    CHECK(back.status[1].state == mnist::TrialState::Pruned);
    CHECK(back.status[1].epochs == 1);
    CHECK(back.status[2].state == mnist::TrialState::Diverged);

    // A version 1 file (no base, no created) still reads: its trials' machine settings make the base.
    json v1 = json::parse(std::ifstream(mnist::sweepJsonPath(sweep.dir)));
    v1["version"] = 1;
    v1.erase("base");
    v1.erase("created");
    std::ofstream(mnist::sweepJsonPath(sweep.dir)) << v1.dump();
    const mnist::SweepFolder old = mnist::readSweepFolder(sweep.dir);
    CHECK(old.plan.base.dataDir == sweep.plan.trials[0].config.dataDir);
    v1["version"] = 3;
    std::ofstream(mnist::sweepJsonPath(sweep.dir)) << v1.dump();
    CHECK_THROWS_WITH(mnist::readSweepFolder(sweep.dir), Catch::Contains("sweep.json") && Catch::Contains("version 3"));
}

TEST_CASE("ASHA pauses a trial at a rung, promotes it when it qualifies, and the scheduler fills slots in order",
          "[sweep][search]")
{
    TempDir tmp;
    const mnist::SweepFolder sweep = ashaSweep(tmp);
    const std::string& dir = sweep.dir;

    // Trial 0 starts; alone at rung 1 (floor(1/2) = 0 go on) it pauses.
    mnist::TrialClaim c0 = mnist::claimNextTrial(dir);
    REQUIRE(c0.index == 0);
    CHECK(c0.why == "new");
    CHECK(c0.lease.held());
    CHECK(stateOf(dir, 0) == mnist::TrialState::Running);
    writeRun(sweep, 0, {0.50});
    const mnist::EpochDecision d0 = mnist::decideAfterEpoch(dir, 0, 1);
    CHECK_FALSE(d0.goOn);
    CHECK_THAT(d0.why, Catch::Contains("rung 1"));
    c0.lease.release();
    CHECK(stateOf(dir, 0) == mnist::TrialState::Pruned);

    // Trial 1 is worse at rung 1: of two, the top one (trial 0) goes on, so it pauses too...
    mnist::TrialClaim c1 = mnist::claimNextTrial(dir);
    REQUIRE(c1.index == 1);
    writeRun(sweep, 1, {0.60});
    CHECK_FALSE(mnist::decideAfterEpoch(dir, 1, 1).goOn);
    c1.lease.release();
    // ... and a free slot promotes trial 0 before it starts a planned trial.
    mnist::TrialClaim p0 = mnist::claimNextTrial(dir);
    REQUIRE(p0.index == 0);
    CHECK(p0.why == "promoted at epoch 1");
    CHECK(stateOf(dir, 0) == mnist::TrialState::Running);
    writeRun(sweep, 0, {0.50, 0.45});
    CHECK_FALSE(mnist::decideAfterEpoch(dir, 0, 2).goOn); // alone at rung 2
    p0.lease.release();

    // Trials 2 and 3 arrive worse at rung 1 and pause; with four there, the top two (0 and 1)
    // qualify, so trial 1, paused, now qualifies and is promoted.
    for (size_t t : {2, 3}) {
        mnist::TrialClaim c = mnist::claimNextTrial(dir);
        REQUIRE(c.index == static_cast<int64_t>(t));
        writeRun(sweep, t, {0.70 + 0.1 * static_cast<double>(t)});
        CHECK_FALSE(mnist::decideAfterEpoch(dir, c.index, 1).goOn);
    }
    mnist::TrialClaim p1 = mnist::claimNextTrial(dir);
    REQUIRE(p1.index == 1);
    CHECK(p1.why == "promoted at epoch 1");
    // A promoted trial that dies before its next epoch (its lease freed with its process) resumes.
    p1.lease.release();
    CHECK(stateOf(dir, 1) == mnist::TrialState::Interrupted);
    mnist::TrialClaim r1 = mnist::claimNextTrial(dir);
    REQUIRE(r1.index == 1);
    CHECK(r1.why == "resumed");
    // At rung 2, worse than trial 0: paused; then trial 0 is the top of rung 2 and goes to the end.
    writeRun(sweep, 1, {0.60, 0.55});
    CHECK_FALSE(mnist::decideAfterEpoch(dir, 1, 2).goOn);
    r1.lease.release();
    mnist::TrialClaim p2 = mnist::claimNextTrial(dir);
    REQUIRE(p2.index == 0);
    CHECK(p2.why == "promoted at epoch 2");
    // The last planned trial takes the other slot; worst at rung 1, it pauses.
    mnist::TrialClaim c4 = mnist::claimNextTrial(dir);
    REQUIRE(c4.index == 4);
    writeRun(sweep, 4, {0.95});
    CHECK_FALSE(mnist::decideAfterEpoch(dir, 4, 1).goOn);
    c4.lease.release();
    const mnist::TrialClaim meanwhile = mnist::claimNextTrial(dir);
    CHECK(meanwhile.index == -1);
    CHECK_FALSE(meanwhile.searchOver); // trial 0 runs: it may change what qualifies
    writeRun(sweep, 0, {0.50, 0.45, 0.40, 0.35}, true);
    CHECK(mnist::decideAfterEpoch(dir, 0, 4).goOn); // never pruned at its last epoch
    p2.lease.release();
    CHECK(stateOf(dir, 0) == mnist::TrialState::Finished);
    // Nothing runs, nothing qualifies: the search is over.
    const mnist::TrialClaim end = mnist::claimNextTrial(dir);
    CHECK(end.index == -1);
    CHECK(end.searchOver);
    const mnist::SweepSummary summary = mnist::summarizeSweep(dir);
    CHECK(summary.trialResults[0].state == "finished");
    CHECK(summary.trialResults[1].state == "pruned");
    CHECK(summary.trialResults[1].epochs == 2);
    CHECK(summary.trialResults[1].objective == Approx(0.55));
    CHECK(summary.trialResults[3].epochs == 1);
}

TEST_CASE("A held lease keeps a trial running for everyone, a diverged trial is a result, never retried",
          "[sweep][search]")
{
    TempDir tmp;
    const mnist::SweepFolder sweep = ashaSweep(tmp);
    const std::string& dir = sweep.dir;
    mnist::TrialClaim c0 = mnist::claimNextTrial(dir);
    REQUIRE(c0.index == 0);
    CHECK(mnist::trialLeaseHeld(dir, "trial-0000"));
    CHECK_FALSE(mnist::TrialLease::tryTake(dir, "trial-0000").held());
    CHECK(stateOf(dir, 0) == mnist::TrialState::Running);
    mnist::TrialClaim c1 = mnist::claimNextTrial(dir);
    CHECK(c1.index == 1); // not trial 0 again

    writeRun(sweep, 0, {0.5});
    mnist::recordTrialEnd(dir, 0, {mnist::TrialState::Diverged, "the loss became NaN at epoch 2", 0});
    c0.lease.release();
    CHECK_FALSE(mnist::trialLeaseHeld(dir, "trial-0000"));
    CHECK(stateOf(dir, 0) == mnist::TrialState::Diverged);
    for (int i = 0; i < 4; ++i) { // trials 2, 3 and 4, then nothing: trial 0 is not taken again
        mnist::TrialClaim c = mnist::claimNextTrial(dir);
        CHECK(c.index != 0);
    }
    const mnist::SweepSummary summary = mnist::summarizeSweep(dir);
    REQUIRE(summary.trialResults.size() == 5u);
    CHECK(summary.trialResults[0].state == "diverged");
    CHECK(std::isinf(summary.trialResults[0].objective));
    CHECK(summary.trialResults[0].epochs == 1);
    CHECK(summary.trialResults[1].state == "running");
    const json j = mnist::sweepSummaryJson(summary);
    CHECK(j["trials"][0]["objective"].is_null());
    CHECK(j["trials"][0]["state"] == "diverged");
    CHECK(j["pruner"] == "asha");
    CHECK(j["rungs"] == json::array({1, 2}));
}

TEST_CASE("A TPE sweep appends each drawn configuration, one trial per seed, until its trials are drawn", "[sweep][search]")
{
    TempDir tmp;
    mnist::SweepPlan plan = mnist::planSweep(json::parse(R"({"base": {"arch": "LeNet", "epochs": 2},
        "tpe": {"trials": 2, "startup": 1, "space": {"lr": {"log_uniform": [1e-4, 1e-1]}}}, "seeds": [3, 4]})"));
    mnist::applyMachineSettings(plan, tmp.file("data"), "cpu");
    const mnist::SweepFolder sweep = mnist::openSweepFolder(tmp.file("sweep"), plan);
    mnist::TrialClaim a = mnist::claimNextTrial(sweep.dir);
    REQUIRE(a.index == 0);
    CHECK(a.why == "drawn by TPE");
    mnist::SweepFolder now = mnist::readSweepFolder(sweep.dir);
    REQUIRE(now.plan.trials.size() == 2u); // both seeds of the configuration
    CHECK(now.plan.trials[1].seed == 4u);
    CHECK(now.plan.trials[1].params == now.plan.trials[0].params);
    CHECK(fs::path(now.plan.trials[1].config.dataDir).is_absolute());
    mnist::TrialClaim b = mnist::claimNextTrial(sweep.dir);
    CHECK(b.index == 1); // the second seed, planned now
    mnist::TrialClaim c = mnist::claimNextTrial(sweep.dir);
    REQUIRE(c.index == 2);
    now = mnist::readSweepFolder(sweep.dir);
    CHECK(now.plan.groups == 2);
    CHECK(now.plan.trials.size() == 4u);
    mnist::TrialClaim d = mnist::claimNextTrial(sweep.dir);
    CHECK(d.index == 3);
    mnist::TrialClaim none = mnist::claimNextTrial(sweep.dir);
    CHECK(none.index == -1);
    CHECK_FALSE(none.searchOver); // four trials still run
}

TEST_CASE("A damaged trial folder or sweep.json is named in the error, and the search goes on without it", "[sweep][search]")
{
    TempDir tmp;
    const mnist::SweepFolder sweep = ashaSweep(tmp);
    const std::string& dir = sweep.dir;
    writeRun(sweep, 0, {0.5});
    std::ofstream(mnist::RunLayout(mnist::trialDir(sweep, sweep.plan.trials[0])).config()) << "{not json";
    const mnist::TrialClaim c = mnist::claimNextTrial(dir);
    CHECK(c.index == 1); // the damaged trial is not run
    const mnist::SweepSummary summary = mnist::summarizeSweep(dir);
    CHECK(summary.trialResults[0].state == "failed");
    CHECK_THAT(summary.trialResults[0].message, Catch::Contains("trial-0000") && Catch::Contains("config.json"));
    CHECK_THAT(mnist::sweepSummaryTable(summary), Catch::Contains("config.json"));

    json file = json::parse(std::ifstream(mnist::sweepJsonPath(dir)));
    file["trials"][2].erase("seed");
    std::ofstream(mnist::sweepJsonPath(dir)) << file.dump();
    CHECK_THROWS_WITH(mnist::claimNextTrial(dir), Catch::Contains("sweep.json") && Catch::Contains("trials[2]") &&
                                                      Catch::Contains("\"seed\""));
    std::ofstream(mnist::sweepJsonPath(dir)) << "{\"format\": \"mnist-studio-sweep\", ";
    CHECK_THROWS_WITH(mnist::summarizeSweep(dir), Catch::Contains("sweep.json") && Catch::Contains("not valid JSON"));
}
