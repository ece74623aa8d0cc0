// Sweep specs (sweep/SweepSpec.h): the grid's product and the random samples as configurations,
// each run once per seed; every problem of a bad spec with its key; job scripts for Slurm and
// Kubernetes; the per-configuration summary with the sample standard deviation.
#include "sweep/JobScripts.h"
#include "sweep/SweepFolder.h"
#include "sweep/SweepSpec.h"
#include "sweep/SweepSummary.h"

#include "Error.h"
#include "spec/Recipes.h"
#include "run/RunFolder.h"

#include "data/TempDir.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

using nlohmann::json;

namespace {

// The issue's example: a grid of 4, 8 random samples, 3 seeds.
json exampleSpec()
{
    return json::parse(R"({"base": {"recipe": "balanced", "epochs": 4},
        "grid": {"lr": [0.003, 0.001], "batch_size": [64, 128]},
        "random": {"trials": 8, "space": {"lr": {"log_uniform": [1e-4, 1e-2]}, "label_smoothing": {"uniform": [0, 0.2]}}},
        "seeds": [1, 2, 3]})");
}

bool hasProblem(const std::vector<mnist::FieldProblem>& problems, const std::string& key, const std::string& words)
{
    for (const auto& p : problems)
        if (p.field == key && p.message.find(words) != std::string::npos)
            return true;
    return false;
}

} // namespace

TEST_CASE("A sweep runs the grid's points and the random samples, each once per seed", "[sweep]")
{
    const mnist::SweepPlan plan = mnist::planSweep(exampleSpec());
    REQUIRE(plan.groups == 4 + 8);
    REQUIRE(plan.trials.size() == 36u);
    CHECK(plan.keys == std::vector<std::string>{"batch_size", "lr", "label_smoothing"});
    CHECK(plan.seeds == std::vector<uint64_t>{1, 2, 3});

    const mnist::TrainConfig balanced = mnist::findRecipe("balanced")->config;
    std::set<std::pair<int64_t, double>> gridPoints;
    for (size_t i = 0; i < plan.trials.size(); ++i) {
        const mnist::SweepTrial& t = plan.trials[i];
        INFO("trial " << i);
        CHECK(t.index == static_cast<int64_t>(i));
        CHECK(t.group == static_cast<int64_t>(i / 3));
        CHECK(t.seed == plan.seeds[i % 3]);
        CHECK(t.config.seed == t.seed);
        CHECK(t.runName == mnist::trialRunName(t.index));
        CHECK(t.config.epochs == 4);       // the base's override
        CHECK(t.config.arch == balanced.arch); // the recipe's
        CHECK(t.params.size() == 3u);      // every varying setting, the base's value where kept
        CHECK(t.params["batch_size"] == t.config.batchSize);
        CHECK(t.params["lr"] == t.config.lr);
        CHECK(t.params["label_smoothing"] == t.config.labelSmoothing);
        if (t.group < 4) {
            gridPoints.insert({t.config.batchSize, t.config.lr});
            CHECK(t.config.labelSmoothing == balanced.labelSmoothing);
        } else {
            CHECK(t.config.batchSize == balanced.batchSize);
            CHECK(t.config.lr >= 1e-4);
            CHECK(t.config.lr <= 1e-2);
            CHECK(t.config.labelSmoothing >= 0);
            CHECK(t.config.labelSmoothing <= 0.2);
        }
    }
    CHECK(gridPoints == std::set<std::pair<int64_t, double>>{{64, 0.003}, {64, 0.001}, {128, 0.003}, {128, 0.001}});
    // The last key varies fastest: lr inside batch_size.
    CHECK(plan.trials[0].params["lr"] == 0.003); // values in the order given
    CHECK(plan.trials[3].params["lr"] == 0.001);
    CHECK(plan.trials[6].params["batch_size"] == 128);

    // The samples come from random.seed: the same again, others with another seed.
    const mnist::SweepPlan again = mnist::planSweep(exampleSpec());
    CHECK(again.trials[20].params == plan.trials[20].params);
    json other = exampleSpec();
    other["random"]["seed"] = 7;
    CHECK(mnist::planSweep(other).trials[20].params != plan.trials[20].params);

    // log_uniform spreads over the decades: of 400 samples, about half fall below 1e-3.
    json many = json::parse(R"({"random": {"trials": 400, "space": {"lr": {"log_uniform": [1e-4, 1e-2]}}}})");
    int below = 0;
    for (const auto& t : mnist::planSweep(many).trials)
        below += t.config.lr < 1e-3;
    CHECK(below > 160);
    CHECK(below < 240);
}

TEST_CASE("A sweep spec's integer, choice and nested settings are set like config.json's", "[sweep]")
{
    const json spec = json::parse(R"({"base": {"epochs": 2, "scheduler": {"type": "cosine"}},
        "random": {"trials": 30, "seed": 3, "space": {
            "batch_size": {"log_uniform": [16, 256]},
            "optimizer": {"choice": ["adam", "sgd"]},
            "augment.random_rotation.degrees": {"uniform": [0, 20]}}}})");
    const mnist::SweepPlan plan = mnist::planSweep(spec);
    REQUIRE(plan.trials.size() == 30u); // one seed: the base's
    std::set<std::string> optimizers;
    for (const auto& t : plan.trials) {
        CHECK(t.params["batch_size"].is_number_integer());
        CHECK(t.config.batchSize >= 16);
        CHECK(t.config.batchSize <= 256);
        optimizers.insert(t.config.optimizer);
        CHECK(t.config.augment.rotate); // giving a transform's parameter switches it on
        CHECK(t.config.augment.degrees <= 20);
        CHECK(t.config.scheduler.type == "cosine");
        CHECK(t.seed == mnist::TrainConfig{}.seed);
    }
    CHECK(optimizers == std::set<std::string>{"adam", "sgd"});
    // Neither grid nor random: the base, once per seed.
    CHECK(mnist::planSweep(json::parse(R"({"base": {"epochs": 1}, "seeds": [5, 6]})")).trials.size() == 2u);
}

TEST_CASE("A bad sweep spec gets every problem with its key before anything runs", "[sweep]")
{
    const json spec = json::parse(R"({"base": {"recipe": "quick", "epochz": 3},
        "grid": {"lrr": [0.1], "batch_size": [0, 64], "seed": [1, 2], "momentum": []},
        "random": {"trials": 0, "space": {"lr": {"log_uniform": [0, 1]}, "optimizer": {"uniform": [0, 1]},
                                          "label_smoothing": {"normal": [0, 1]}}},
        "seeds": [1, 1, -2],
        "budget": 3})");
    const auto problems = mnist::sweepSpecProblems(spec);
    INFO([&] {
        std::string all;
        for (const auto& p : problems)
            all += p.field + ": " + p.message + "\n";
        return all;
    }());
    CHECK(hasProblem(problems, "base.recipe", "unknown recipe \"quick\""));
    CHECK(hasProblem(problems, "grid.lrr", "'lrr' is not a setting"));
    CHECK(hasProblem(problems, "grid.batch_size", "batch"));
    CHECK(hasProblem(problems, "grid.seed", "\"seeds\" list"));
    CHECK(hasProblem(problems, "grid.momentum", "non-empty list"));
    CHECK(hasProblem(problems, "random.trials", "between 1 and 100000"));
    CHECK(hasProblem(problems, "random.space.lr", "low > 0"));
    CHECK(hasProblem(problems, "random.space.optimizer", "not a number"));
    CHECK(hasProblem(problems, "random.space.label_smoothing", "unknown distribution 'normal'"));
    CHECK(hasProblem(problems, "seeds", "listed twice"));
    CHECK(hasProblem(problems, "seeds", "-2"));
    CHECK(hasProblem(problems, "budget", "unknown key"));
    // planSweep says all of it at once, naming the file.
    try {
        mnist::planSweep(spec, "my-sweep.json");
        FAIL("planSweep accepted a bad spec");
    } catch (const mnist::ConfigError& e) {
        const std::string m = e.what();
        CHECK(m.find("my-sweep.json: " + std::to_string(problems.size()) + " problems") == 0);
        CHECK(m.find("grid.lrr") != std::string::npos);
        CHECK(m.find("seeds") != std::string::npos);
    }
    // A value out of range is named at its grid key; a combination that cannot run, with its settings.
    CHECK(hasProblem(mnist::sweepSpecProblems(json::parse(R"({"grid": {"lr": [0.001, -1]}})")), "grid.lr", "-1"));
    const auto invalid =
        mnist::sweepSpecProblems(json::parse(R"({"base": {"momentum": 0}, "grid": {"optimizer": ["sgd"], "nesterov": [true, false]}})"));
    REQUIRE(invalid.size() == 1u);
    CHECK(invalid.front().field.find("trial 0 (nesterov=true, optimizer=sgd)") == 0);
}

TEST_CASE("A sweep folder keeps the plan and each trial's state, another spec is refused", "[sweep]")
{
    TempDir tmp;
    const std::string dir = tmp.file("sweep");
    const json spec = json::parse(R"({"base": {"epochs": 1}, "grid": {"lr": [0.01, 0.001]}, "seeds": [1, 2]})");
    const mnist::SweepPlan plan = mnist::planSweep(spec);
    mnist::SweepFolder sweep = mnist::openSweepFolder(dir, plan);
    REQUIRE(std::filesystem::exists(mnist::sweepJsonPath(dir)));
    CHECK(std::filesystem::is_directory(dir + "/logs"));
    sweep.status[1] = {mnist::TrialState::Failed, "exit code 1: no data"};
    mnist::saveSweepFolder(sweep);

    const mnist::SweepFolder back = mnist::readSweepFolder(dir);
    REQUIRE(back.plan.trials.size() == 4u);
    CHECK(back.plan.keys == plan.keys);
    CHECK(back.plan.trials[3].params == plan.trials[3].params);
    CHECK(back.plan.trials[3].config.lr == plan.trials[3].config.lr);
    CHECK(back.plan.trials[3].seed == 2);
    CHECK(back.status[1].state == mnist::TrialState::Failed);
    CHECK(back.status[1].message == "exit code 1: no data");
    CHECK(back.status[0].state == mnist::TrialState::Pending);
    // On disk: no run folder, so pending; the failure is kept until the folder shows progress.
    CHECK(mnist::trialStatusOnDisk(back, back.plan.trials[0]).state == mnist::TrialState::Pending);
    CHECK(mnist::trialStatusOnDisk(back, back.plan.trials[1], back.status[1]).state == mnist::TrialState::Failed);

    // The same spec continues the folder; another is refused, as is a folder of other files.
    CHECK(mnist::openSweepFolder(dir, plan).status[1].state == mnist::TrialState::Failed);
    const mnist::SweepPlan otherPlan = mnist::planSweep(json::parse(R"({"grid": {"lr": [0.5]}})"));
    CHECK_THROWS_WITH(mnist::openSweepFolder(dir, otherPlan), Catch::Contains("holds another sweep"));
    std::filesystem::create_directories(tmp.file("busy"));
    std::ofstream(tmp.file("busy/notes.txt")) << "mine";
    CHECK_THROWS_WITH(mnist::openSweepFolder(tmp.file("busy"), otherPlan), Catch::Contains("not empty"));

    // A damaged sweep.json is an IoError naming the file and the key.
    std::ofstream(mnist::sweepJsonPath(dir)) << R"({"format": "mnist-studio-sweep", "version": 1, "spec": {}})";
    CHECK_THROWS_WITH(mnist::readSweepFolder(dir), Catch::Contains("sweep.json") && Catch::Contains("\"keys\""));
    std::ofstream(mnist::sweepJsonPath(dir)) << "{not json";
    CHECK_THROWS_AS(mnist::readSweepFolder(dir), mnist::IoError);
}

TEST_CASE("readSweep reads each trial's run folder once, refreshes the states and feeds the summary", "[sweep]")
{
    TempDir tmp;
    const std::string dir = tmp.file("sweep");
    const json spec = json::parse(R"({"base": {"epochs": 1}, "grid": {"lr": [0.01, 0.001]}, "seeds": [1]})");
    const mnist::SweepFolder sweep = mnist::openSweepFolder(dir, mnist::planSweep(spec));
    // Trial 0 trained its one epoch and wrote its summary; trial 1 has not started.
    {
        mnist::RunFolder run(mnist::trialDir(sweep, sweep.plan.trials[0]), sweep.plan.trials[0].config);
        mnist::EpochMetrics m;
        m.epoch = 1;
        m.validLoss = 0.3;
        m.testAccuracy = 97.5;
        run.appendEpoch(m, {{0, 1, 0, 0.01, 0.4}});
        run.writeSummary(R"({"arch":"LeNet","best_test_acc":97.5,"best_epoch":1,"test_acc_at_best_valid":97.5,)"
                         R"("best_valid_epoch":1,"final_test_acc":97.5,"stopped":false,"epochs":[{}]})");
    }

    const mnist::SweepReading reading = mnist::readSweep(dir);
    REQUIRE(reading.runs.size() == 2u);
    CHECK(reading.folder.status[0].state == mnist::TrialState::Finished);
    CHECK(reading.folder.status[1].state == mnist::TrialState::Pending);
    REQUIRE(reading.runs[0].epochs.size() == 1u);
    CHECK(reading.runs[0].stats.testAccuracyAtBestValid == Approx(97.5));
    // A trial not started: its folder named, nothing read, not damaged.
    CHECK(reading.runs[1].dir == mnist::trialDir(sweep, sweep.plan.trials[1]));
    CHECK(reading.runs[1].epochs.empty());
    CHECK_FALSE(reading.runs[1].damaged);
    // The states were saved, as refreshSweepStatus saves them.
    CHECK(mnist::readSweepFolder(dir).status[0].state == mnist::TrialState::Finished);

    // The summary made from the reading is the one read from the folder.
    const mnist::SweepSummary fromReading = mnist::summarizeSweep(reading);
    CHECK(mnist::sweepSummaryJson(fromReading) == mnist::sweepSummaryJson(mnist::summarizeSweep(dir)));
    CHECK(fromReading.finished == 1);
    REQUIRE(fromReading.groups.size() == 2u);
    CHECK(fromReading.groups.front().testAccAtBestValid.mean == Approx(97.5));
}

TEST_CASE("Slurm's array value, the sbatch script and the Kubernetes Indexed Job", "[sweep]")
{
    CHECK(mnist::slurmArraySpec({0, 1, 2, 3}, 2) == "0-3%2");
    CHECK(mnist::slurmArraySpec({7, 0, 1, 9, 10, 3}, 0) == "0-1,3,7,9-10");
    CHECK(mnist::slurmArraySpec({5}, 1) == "5%1");
    CHECK(mnist::shellQuote("/opt/mnist train") == "'/opt/mnist train'");
    CHECK(mnist::shellQuote("it's") == "'it'\\''s'");
    CHECK(mnist::shellQuote("/usr/bin/mnist-train") == "/usr/bin/mnist-train");

    mnist::SweepFolder sweep;
    sweep.dir = "/shared/sweeps/lr";
    sweep.plan = mnist::planSweep(json::parse(R"({"grid": {"lr": [0.01, 0.001]}, "seeds": [1, 2, 3]})"));
    mnist::ClusterJob job;
    job.mnistTrain = "/opt/mnist studio/bin/mnist-train";
    job.threads = 4;
    job.workers = 3;
    const std::string sbatch = mnist::slurmArrayScript(sweep, job);
    CHECK_THAT(sbatch, Catch::StartsWith("#!/bin/bash\n"));
    CHECK_THAT(sbatch, Catch::Contains("#SBATCH --array=0-2\n"));
    CHECK_THAT(sbatch, Catch::Contains("#SBATCH --cpus-per-task=4\n"));
    CHECK_THAT(sbatch, Catch::Contains("#SBATCH --output=/shared/sweeps/lr/logs/slurm-%A_%a.out\n"));
    CHECK_THAT(sbatch, Catch::Contains("exec '/opt/mnist studio/bin/mnist-train' --sweep-worker /shared/sweeps/lr --threads"));

    job.mnistTrain = "/usr/bin/mnist-train";
    const std::string yaml = mnist::kubernetesIndexedJob(sweep, job, "registry.example/mnist:1", "sweeps");
    CHECK_THAT(yaml, Catch::Contains("completionMode: Indexed\n"));
    CHECK_THAT(yaml, Catch::Contains("completions: 3\n"));
    CHECK_THAT(yaml, Catch::Contains("parallelism: 3\n"));
    CHECK_THAT(yaml, Catch::Contains("name: mnist-sweep-lr\n"));
    CHECK_THAT(yaml, Catch::Contains("image: registry.example/mnist:1\n"));
    CHECK_THAT(yaml, Catch::Contains("--sweep-worker /shared/sweeps/lr --threads 4"));
    CHECK_THAT(yaml, Catch::Contains("claimName: sweeps\n"));
}

TEST_CASE("The spread of a configuration's seeds is the sample standard deviation", "[sweep]")
{
    const mnist::Spread s = mnist::spreadOf({99.0, 99.2, 99.4});
    CHECK(s.n == 3);
    CHECK(s.mean == Approx(99.2));
    CHECK(s.std == Approx(0.2)); // sqrt(((-0.2)^2 + 0 + 0.2^2) / 2)
    CHECK(s.min == 99.0);
    CHECK(s.max == 99.4);
    CHECK(mnist::spreadOf({98.5}).std == 0);
    CHECK(mnist::spreadOf({}).n == 0);
}

TEST_CASE("A sweep refuses every machine setting and every transform switch as an axis, saying why", "[sweep][scopes]")
{
    for (const mnist::ConfigField* f : mnist::fieldsWhere(mnist::FieldScope::Machine)) {
        INFO(f->key);
        const json spec = {{"grid", {{f->key, json::array({mnist::fieldDefault(*f)})}}}};
        CHECK(hasProblem(mnist::sweepSpecProblems(spec), "grid." + f->key, "machine setting"));
        CHECK(hasProblem(mnist::sweepSpecProblems(spec), "grid." + f->key, "--" + f->flag));
    }
    CHECK(hasProblem(mnist::sweepSpecProblems(json::parse(R"({"grid": {"augment.random_erasing": [true]}})")),
                     "grid.augment.random_erasing", "switches a transform"));
    // Every setting in the scope may be an axis.
    for (const mnist::ConfigField* f : mnist::fieldsWhere(mnist::FieldScope::Sweepable)) {
        INFO(f->key);
        const json spec = {{"grid", {{f->key, json::array({mnist::fieldDefault(*f)})}}}};
        for (const auto& p : mnist::sweepSpecProblems(spec))
            CHECK(p.field.rfind("grid.", 0) != 0);
    }
}

TEST_CASE("A sweep's base may hold machine settings, their problems are the sweep command's to report", "[sweep][scopes]")
{
    const json spec = json::parse(R"({"base": {"eval_batch_size": 0, "memory_format": "diagonal", "epochs": 1}})");
    CHECK(mnist::sweepSpecProblems(spec).empty());
    mnist::SweepPlan plan = mnist::planSweep(spec);
    try {
        mnist::applyMachineSettings(plan, "", "cpu");
        FAIL("applyMachineSettings accepted a bad evaluation batch size");
    } catch (const mnist::ConfigError& e) {
        CHECK_THAT(e.what(), Catch::Contains("eval_batch_size") && Catch::Contains("memory_format"));
    }
}
