// mnist-train --sweep end to end: the real binary runs a small sweep two trials at a time, sums it
// up per configuration, continues after being killed without repeating finished trials, and
// writes the Slurm and Kubernetes files.
#include "run/RunIndex.h"
#include "sweep/SweepFolder.h"
#include "sweep/SweepLock.h"
#include "sweep/SweepSummary.h"

#include "data/IdxFixtures.h"
#include "data/RunCli.h"
#include "data/TempDir.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>
#include <unistd.h>

using fixtures::runCli;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

struct SweepData {
    TempDir dir;
    std::string data = dir.file("data");
    explicit SweepData(int train = 300)
    {
        fs::create_directories(data);
        fixtures::writeSyntheticDataset(data, train, 100, true);
    }
    std::string spec(const json& j, const std::string& name = "spec.json") const
    {
        const std::string path = dir.file(name);
        std::ofstream(path) << j.dump();
        return path;
    }
};

fs::file_time_type modelTime(const std::string& runDir)
{
    return fs::last_write_time(fs::path(runDir) / "model.safetensors");
}

} // namespace

TEST_CASE("mnist-train --sweep runs every trial, two at a time, and --sweep-summary pools the seeds", "[cli][sweep]")
{
    SweepData d;
    const std::string spec = d.spec(json::parse(R"({"base": {"arch": "LeNet", "epochs": 2, "batch_size": 50, "device": "cpu"},
                                                     "grid": {"lr": [0.001, 0.003]}, "seeds": [1, 2]})"));
    const std::string out = d.dir.file("sweep");
    const auto r = runCli("--sweep " + spec + " --out " + out + " --jobs 2 --threads 1 --data-dir " + d.data, d.dir);
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);
    CHECK_THAT(r.out, Catch::Contains("4 trials (2 configurations x 2 seeds), 0 finished"));
    CHECK_THAT(r.out, Catch::Contains("2 at a time with 1 thread each"));
    CHECK_THAT(r.out, Catch::Contains("[4/4]"));
    const mnist::SweepFolder sweep = mnist::readSweepFolder(out);
    REQUIRE(sweep.plan.trials.size() == 4u);
    for (size_t i = 0; i < 4; ++i) {
        CHECK(sweep.status[i].state == mnist::TrialState::Finished);
        const mnist::RunRecord run = mnist::readRun(mnist::trialDir(sweep, sweep.plan.trials[i]));
        CHECK(run.state == mnist::RunState::Finished);
        CHECK(run.config.seed == sweep.plan.trials[i].seed);
        CHECK(run.config.threads == 1);
        CHECK(fs::exists(out + "/logs/" + sweep.plan.trials[i].runName + ".log"));
    }

    const auto s = runCli("--sweep-summary " + out + " --json --csv " + d.dir.file("summary.csv"), d.dir);
    INFO(s.err);
    REQUIRE(s.exitCode == 0);
    const json summary = json::parse(s.out);
    CHECK(summary["trial_count"] == 4);
    REQUIRE(summary["trials"].size() == 4u);
    for (const json& t : summary["trials"]) {
        CHECK(t["state"] == "finished");
        CHECK(t["epochs"] == 2);
        CHECK(t["objective"].is_number());
    }
    CHECK(summary["finished"] == 4);
    REQUIRE(summary["groups"].size() == 2u);
    for (const json& g : summary["groups"]) {
        CHECK(g["runs"] == 2);
        CHECK(g["finished"] == 2);
        // The figures are those of the two seeds' run folders: mean and sample std.
        std::vector<double> honest;
        for (const json& runDir : g["run_dirs"])
            honest.push_back(mnist::readRun(runDir.get<std::string>()).stats.testAccuracyAtBestValid);
        REQUIRE(honest.size() == 2u);
        const json& h = g["test_acc_at_best_valid"];
        CHECK(h["mean"].get<double>() == Approx((honest[0] + honest[1]) / 2));
        CHECK(h["std"].get<double>() == Approx(std::abs(honest[0] - honest[1]) / std::sqrt(2.0)).margin(1e-9));
        CHECK(h["min"].get<double>() == std::min(honest[0], honest[1]));
        for (const char* key : {"best_test_acc", "final_test_acc", "seconds"})
            CHECK(g[key]["n"] == 2);
    }
    CHECK(summary["groups"][0]["test_acc_at_best_valid"]["mean"].get<double>() >=
          summary["groups"][1]["test_acc_at_best_valid"]["mean"].get<double>()); // best first
    std::ifstream csv(d.dir.file("summary.csv"));
    std::string header;
    std::getline(csv, header);
    CHECK_THAT(header, Catch::StartsWith("lr,runs,finished,test_acc_at_best_valid_mean,test_acc_at_best_valid_std"));

    const auto table = runCli("--sweep-summary " + out, d.dir);
    CHECK(table.exitCode == 0);
    CHECK_THAT(table.out, Catch::Contains("4 of 4 trials finished, 2 configurations"));
    CHECK_THAT(table.out, Catch::Contains("honest test acc %"));

    // The same command again has nothing left to do and trains nothing.
    const auto before = modelTime(mnist::trialDir(sweep, sweep.plan.trials[0]));
    const auto again = runCli("--sweep " + spec + " --out " + out + " --jobs 2 --threads 1 --data-dir " + d.data, d.dir);
    CHECK(again.exitCode == 0);
    CHECK_THAT(again.out, Catch::Contains("4 trials (2 configurations x 2 seeds), 4 finished"));
    CHECK(modelTime(mnist::trialDir(sweep, sweep.plan.trials[0])) == before);
}

TEST_CASE("A killed local sweep continues where it left off, finished trials kept, the interrupted one resumed",
          "[cli][sweep]")
{
    SweepData d(1000);
    // Trial 0 is over in an epoch; trial 1 takes long enough to be killed in the middle.
    const std::string spec = d.spec(json::parse(R"({"base": {"arch": "LeNet", "batch_size": 50, "device": "cpu"},
                                                     "grid": {"epochs": [1, 25]}})"));
    const std::string out = d.dir.file("sweep");
    const std::string command = std::string(MNIST_TRAIN_EXE) + " --sweep " + spec + " --out " + out + " --jobs 1 --threads 1 --data-dir " +
                                d.data;
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", ("exec " + command + " >" + d.dir.file("first.txt") + " 2>&1").c_str(), nullptr);
        _exit(127);
    }
    const std::string second = out + "/trial-0001/metrics.csv";
    auto rows = [](const std::string& path) {
        std::ifstream in(path);
        int n = 0;
        for (std::string line; std::getline(in, line);)
            n += !line.empty();
        return n;
    };
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(240);
    while (rows(second) < 3 && std::chrono::steady_clock::now() < deadline) // a header and two epochs
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    REQUIRE(rows(second) >= 3);
    kill(pid, SIGKILL); // the sweep dies at once; its trial is told to stop as on Ctrl-C
    int status = 0;
    waitpid(pid, &status, 0);
    // The orphaned trial saves its checkpoint and ends.
    for (int i = 0; i < 300 && mnist::readRun(out + "/trial-0001").state == mnist::RunState::Running; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const mnist::RunRecord killed = mnist::readRun(out + "/trial-0001");
    REQUIRE(killed.state == mnist::RunState::Stopped);
    REQUIRE(killed.resumable);
    const size_t epochsBefore = killed.epochs.size();
    REQUIRE(epochsBefore < 25);
    const auto firstModel = modelTime(out + "/trial-0000");

    const auto r = runCli("--sweep " + spec + " --out " + out + " --jobs 1 --threads 1 --data-dir " + d.data, d.dir);
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);
    CHECK_THAT(r.out, Catch::Contains("2 trials (2 configurations x 1 seeds), 1 finished"));
    CHECK(modelTime(out + "/trial-0000") == firstModel); // not trained again
    const mnist::RunRecord resumed = mnist::readRun(out + "/trial-0001");
    CHECK(resumed.state == mnist::RunState::Finished);
    CHECK(resumed.epochs.size() == 25u);
    std::ifstream log(out + "/logs/trial-0001.log");
    const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
    CHECK_THAT(text, Catch::Contains("resuming " + out + "/trial-0001 after epoch"));
}

TEST_CASE("mnist-train --sweep refuses bad specs and flags, and writes Slurm and Kubernetes files", "[cli][sweep]")
{
    SweepData d(100);
    const std::string bad = d.spec(json::parse(R"({"grid": {"lrr": [1], "batch_size": [0]}, "seeds": [1, 1]})"), "bad.json");
    const auto r = runCli("--sweep " + bad + " --out " + d.dir.file("s"), d.dir);
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("bad.json: 3 problems") && Catch::Contains("grid.lrr") &&
                          Catch::Contains("grid.batch_size") && Catch::Contains("seeds"));
    CHECK_FALSE(fs::exists(d.dir.file("s"))); // nothing was made

    const std::string spec = d.spec(json::parse(R"({"base": {"epochs": 1}, "grid": {"lr": [0.01, 0.001]}, "seeds": [1, 2]})"));
    CHECK(runCli("--sweep " + spec, d.dir).exitCode == 2); // no --out
    const auto epochs = runCli("--sweep " + spec + " --out " + d.dir.file("s") + " --epochs 3", d.dir);
    CHECK(epochs.exitCode == 2);
    CHECK_THAT(epochs.err, Catch::Contains("--epochs cannot be given to a sweep"));

    const std::string out = d.dir.file("cluster");
    const auto slurm = runCli("--sweep " + spec + " --out " + out + " --slurm --dry-run --jobs 2 --threads 3 --data-dir " + d.data, d.dir);
    INFO(slurm.err);
    REQUIRE(slurm.exitCode == 0);
    std::ifstream sbatch(out + "/sweep.sbatch");
    const std::string script((std::istreambuf_iterator<char>(sbatch)), std::istreambuf_iterator<char>());
    CHECK_THAT(script, Catch::Contains("#SBATCH --array=0-1\n") && Catch::Contains("#SBATCH --cpus-per-task=3") &&
                           Catch::Contains("--sweep-worker " + fs::absolute(out).lexically_normal().string()));
    // Every trial's data folder is absolute, for tasks started anywhere.
    CHECK(fs::path(mnist::readSweepFolder(out).plan.trials[0].config.dataDir).is_absolute());
    const auto k8s = runCli("--sweep " + spec + " --out " + out + " --kubernetes --image example/mnist:2", d.dir);
    REQUIRE(k8s.exitCode == 0);
    std::ifstream yaml(out + "/sweep-job.yaml");
    const std::string job((std::istreambuf_iterator<char>(yaml)), std::istreambuf_iterator<char>());
    CHECK_THAT(job, Catch::Contains("completions: 4") && Catch::Contains("image: example/mnist:2")); // a worker per trial to run

    const auto task = runCli("--sweep-task " + out + " --index 9", d.dir);
    CHECK(task.exitCode == 2);
    CHECK_THAT(task.err, Catch::Contains("trials 0 to 3"));
    const auto summary = runCli("--sweep-summary " + out, d.dir);
    CHECK(summary.exitCode == 0);
    CHECK_THAT(summary.out, Catch::Contains("0 of 4 trials finished"));
}

TEST_CASE("mnist-train --sweep takes every machine setting from its command line and no other", "[cli][sweep][scopes]")
{
    SweepData d(60);
    const std::string spec = d.spec(json::parse(R"({"base": {"epochs": 1}, "grid": {"lr": [0.01, 0.001]}})"));
    const std::string out = d.dir.file("s");
    const auto r = runCli("--sweep " + spec + " --out " + out + " --slurm --dry-run --threads 2 --data-dir " + d.data +
                              " --device cpu --memory-format contiguous --eval-batch-size 50",
                          d.dir);
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    for (const mnist::SweepTrial& t : mnist::readSweepFolder(out).plan.trials) {
        CHECK(t.config.device == "cpu");
        CHECK(t.config.memoryFormat == "contiguous");
        CHECK(t.config.evalBatchSize == 50);
        CHECK(t.config.threads == 2);
    }

    const auto lr = runCli("--sweep " + spec + " --out " + d.dir.file("t") + " --lr 0.1", d.dir);
    CHECK(lr.exitCode == 2);
    CHECK_THAT(lr.err, Catch::Contains("--lr cannot be given to a sweep (--sweep)") && Catch::Contains("--eval-batch-size"));
    const auto task = runCli("--sweep-task " + out + " --index 0 --epochs 2", d.dir);
    CHECK(task.exitCode == 2);
    CHECK_THAT(task.err, Catch::Contains("--epochs cannot be given to a sweep (--sweep-task)"));
    // A machine setting of the wrong form is the sweep command's to report, with the flags to give.
    const auto bad = runCli("--sweep " + spec + " --out " + d.dir.file("u") + " --eval-batch-size 0 --data-dir " + d.data, d.dir);
    CHECK(bad.exitCode == 2);
    CHECK_THAT(bad.err, Catch::Contains("machine settings") && Catch::Contains("eval_batch_size"));
    CHECK_FALSE(fs::exists(d.dir.file("u")));
}

TEST_CASE("mnist-train refuses sweep flags without the command they belong to, naming both", "[cli][sweep]")
{
    SweepData d(60);
    const std::string spec = d.spec(json::parse(R"({"base": {"epochs": 1}})"));
    const std::string out = d.dir.file("s");
    const std::map<std::string, std::vector<std::string>> cases = {
        {"--sweep " + spec + " --out " + out + " --slurm --kubernetes", {"--slurm", "excludes", "--kubernetes"}},
        {"--jobs 2", {"--jobs", "requires", "--sweep"}},
        {"--sweep " + spec + " --out " + out + " --dry-run", {"--dry-run", "requires", "--slurm"}},
        {"--sweep " + spec + " --out " + out + " --image x", {"--image", "requires", "--kubernetes"}},
        {"--sweep-task " + d.data, {"--sweep-task", "requires", "--index"}},
        {"--index 3", {"--index", "requires", "--sweep-task"}},
        {"--csv x.csv", {"--csv", "requires", "--sweep-summary"}},
        {"--sweep " + spec + " --out " + out + " --recipe fast", {"--recipe", "--sweep"}},
        {"--sweep " + spec + " --out " + out + " --config " + spec, {"--config", "--sweep"}},
    };
    for (const auto& [args, words] : cases) {
        INFO(args);
        const auto r = runCli(args, d.dir);
        CHECK(r.exitCode == 2);
        for (const std::string& w : words)
            CHECK_THAT(r.err, Catch::Contains(w));
    }
    CHECK_FALSE(fs::exists(out));
}

namespace {

// Every trial's settings in a sweep folder, index order.
std::vector<json> drawnParams(const std::string& dir)
{
    std::vector<json> out;
    for (const mnist::SweepTrial& t : mnist::readSweepFolder(dir).plan.trials)
        out.push_back(t.params);
    return out;
}

} // namespace

TEST_CASE("mnist-train --sweep searches with TPE and ASHA, the same draws again, and a killed search goes on the same",
          "[cli][sweep][search]")
{
    SweepData d(1000);
    const std::string spec = d.spec(json::parse(R"({"base": {"arch": "LeNet", "epochs": 3, "batch_size": 50, "device": "cpu"},
        "tpe": {"trials": 5, "startup": 2, "seed": 4, "space": {"lr": {"log_uniform": [0.001, 0.1]}, "batch_size": {"choice": [25, 50]}}},
        "pruner": {"type": "asha", "min_epochs": 1, "reduction_factor": 2}, "seeds": [1]})"));
    const std::string out = d.dir.file("tpe");
    const auto r = runCli("--sweep " + spec + " --out " + out + " --jobs 1 --threads 1 --data-dir " + d.data, d.dir);
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);
    CHECK_THAT(r.out, Catch::Contains("drawn by TPE"));
    CHECK_THAT(r.out, Catch::Contains("paused at rung"));

    const auto s = runCli("--sweep-summary " + out + " --json", d.dir);
    REQUIRE(s.exitCode == 0);
    const json summary = json::parse(s.out);
    REQUIRE(summary["trials"].size() == 5u);
    int finished = 0, pruned = 0;
    for (const json& t : summary["trials"]) {
        INFO(t.dump());
        CHECK(t["objective"].is_number());
        if (t["state"] == "finished") {
            ++finished;
            CHECK(t["epochs"] == 3);
        } else {
            REQUIRE(t["state"] == "pruned");
            ++pruned;
            CHECK((t["epochs"] == 1 || t["epochs"] == 2)); // a rung
        }
    }
    CHECK(finished >= 1);
    CHECK(pruned >= 1);
    double shares = 0;
    for (const auto& [key, share] : summary["importance"].items())
        shares += share.get<double>();
    CHECK(shares == Approx(1.0));
    CHECK(summary["sampler"] == "tpe");
    const auto text = runCli("--sweep-summary " + out, d.dir);
    CHECK_THAT(text.out, Catch::Contains("importance") && Catch::Contains("pruned"));

    // The same spec, one trial at a time, killed in the middle of a trial and continued: the same
    // five configurations are drawn, since the resumed trial ends as it would have.
    const std::string again = d.dir.file("again");
    const std::string command = std::string(MNIST_TRAIN_EXE) + " --sweep " + spec + " --out " + again +
                                " --jobs 1 --threads 1 --data-dir " + d.data;
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", ("exec " + command + " >" + d.dir.file("killed.txt") + " 2>&1").c_str(), nullptr);
        _exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(240);
    while (!fs::exists(again + "/trial-0002/metrics.csv") && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    for (int i = 0; i < 300 && mnist::trialLeaseHeld(again, "trial-0002"); ++i) // the orphan saves and ends
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const auto continued = runCli("--sweep " + again + "/sweep.json --jobs 1 --threads 1", d.dir);
    INFO(continued.out << continued.err);
    REQUIRE(continued.exitCode == 0);
    CHECK(drawnParams(again) == drawnParams(out));
    const json second = json::parse(runCli("--sweep-summary " + again + " --json", d.dir).out);
    for (size_t i = 0; i < 5; ++i) {
        CHECK(second["trials"][i]["state"] == summary["trials"][i]["state"]);
        CHECK(second["trials"][i]["objective"].get<double>() == Approx(summary["trials"][i]["objective"].get<double>()).epsilon(1e-9));
    }
}
