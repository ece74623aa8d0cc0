#include "run/RunIndex.h"
#include "run/RunIndexCache.h"
#include "run/RunLayout.h"
#include "run/RunNotes.h"
#include "spec/TrainConfig.h"

#include "data/GeneratedRuns.h"
#include "data/TempDir.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>

using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

// Every field of two listings, run by run (INFO names the run that differs).
void requireSameListing(const std::vector<mnist::RunRecord>& a, const std::vector<mnist::RunRecord>& b)
{
    REQUIRE(a.size() == b.size());
    for (size_t i = 0; i < a.size(); ++i) {
        const mnist::RunRecord& x = a[i];
        const mnist::RunRecord& y = b[i];
        INFO(x.dir);
        REQUIRE(x.dir == y.dir);
        CHECK(x.name == y.name);
        CHECK(x.group == y.group);
        CHECK(x.damaged == y.damaged);
        CHECK(x.problem == y.problem);
        CHECK(mnist::toJsonText(x.config) == mnist::toJsonText(y.config));
        REQUIRE(x.epochs.size() == y.epochs.size());
        for (size_t e = 0; e < x.epochs.size(); ++e) {
            const mnist::EpochMetrics& m = x.epochs[e];
            const mnist::EpochMetrics& n = y.epochs[e];
            CHECK((m.epoch == n.epoch && m.trainLoss == n.trainLoss && m.validLoss == n.validLoss &&
                   m.testAccuracy == n.testAccuracy && m.lr == n.lr && m.seconds == n.seconds &&
                   m.imagesPerSecond == n.imagesPerSecond));
        }
        CHECK(x.stats.bestEpoch == y.stats.bestEpoch);
        CHECK(x.stats.bestTestAccuracy == y.stats.bestTestAccuracy);
        CHECK(x.stats.bestValidEpoch == y.stats.bestValidEpoch);
        CHECK(x.stats.testAccuracyAtBestValid == y.stats.testAccuracyAtBestValid);
        CHECK(x.stats.bestValidLoss == y.stats.bestValidLoss);
        CHECK(x.stats.finalTestAccuracy == y.stats.finalTestAccuracy);
        CHECK(x.stats.seconds == y.stats.seconds);
        CHECK(x.state == y.state);
        CHECK(x.finished == y.finished);
        CHECK(x.resumable == y.resumable);
        CHECK(x.note == y.note);
        CHECK(x.tags == y.tags);
        CHECK(x.notesProblem == y.notesProblem);
    }
}

void backdate(const std::string& path)
{
    fs::last_write_time(path, fs::file_time_type::clock::now() - std::chrono::hours(1));
}

} // namespace

TEST_CASE("The run index lists a sweep's trials under their sweep's name", "[runs][index]")
{
    TempDir dir;
    fixtures::writeGeneratedRuns(dir.path().string(), {7, 2, 2, 3});
    fs::create_directories(dir.file("sweep-01/logs")); // a sweep's other folders are not runs
    fs::create_directories(dir.file("not-a-sweep/trial-0000"));
    fixtures::writeGeneratedRun(dir.file("not-a-sweep/trial-0000"), 99, 2); // no sweep.json: not looked into
    const auto runs = mnist::listRuns(dir.path().string(), "");
    REQUIRE(runs.size() == 7);
    std::vector<std::string> order;
    for (const auto& r : runs)
        order.push_back(r.group.empty() ? r.name : r.group + "/" + r.name);
    // Newest first; a sweep's trials together, in trial order.
    CHECK(order == std::vector<std::string>{"sweep-01/trial-0000", "sweep-01/trial-0001", "sweep-00/trial-0000",
                                            "sweep-00/trial-0001", "20260101-000600-run6", "20260101-000500-run5",
                                            "20260101-000400-run4"});
    CHECK(runs[0].dir == dir.file("sweep-01/trial-0000"));
    CHECK_FALSE(runs[0].damaged);
    CHECK(runs[0].state == mnist::RunState::Finished);
}

TEST_CASE("2,000 generated run folders are listed completely and the same with the index cache as without",
          "[runs][index][scale]")
{
    TempDir dir;
    const std::string runsDir = dir.file("runs");
    fixtures::writeGeneratedRuns(runsDir); // 2,000 runs of 10 epochs, 10 sweeps of 20 trials among them
    const std::string cache = dir.file("cache/index.json");
    mnist::writeRunNotes(runsDir + "/sweep-03/trial-0004", {"a note", {"good", "sweep"}});
    backdate(mnist::RunLayout(runsDir + "/sweep-03/trial-0004").notes());

    const auto plain = mnist::listRuns(runsDir, "");
    REQUIRE(plain.size() == 2000);
    std::map<std::string, int> groups;
    for (const auto& r : plain) {
        INFO(r.dir);
        REQUIRE_FALSE(r.damaged);
        CHECK(r.epochs.size() == 10);
        CHECK(r.state == mnist::RunState::Finished);
        ++groups[r.group];
    }
    CHECK(groups.size() == 11);
    CHECK(groups[""] == 1800);
    CHECK(groups["sweep-07"] == 20);

    const auto first = mnist::listRuns(runsDir, cache); // builds the cache
    REQUIRE(fs::exists(cache));
    requireSameListing(plain, first);
    const auto second = mnist::listRuns(runsDir, cache); // from it
    requireSameListing(plain, second);
    const auto tagged = std::find_if(second.begin(), second.end(), [](const auto& r) { return r.note == "a note"; });
    REQUIRE(tagged != second.end());
    CHECK(tagged->tags == std::vector<std::string>{"good", "sweep"});

    SECTION("the cache is used: a file changed without its size or time is not read again")
    {
        // What a cache trusts; shown by changing a run behind its back, size and time kept.
        const std::string metrics = runsDir + "/sweep-00/trial-0000/metrics.csv";
        const auto time = fs::last_write_time(metrics);
        std::string text;
        {
            std::ifstream in(metrics);
            text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        }
        text[text.find("\n1,") + 1] = '7'; // epoch 1 becomes 7: damaged when read
        std::ofstream(metrics) << text;
        fs::last_write_time(metrics, time);
        const auto cached = mnist::listRuns(runsDir, cache);
        CHECK_FALSE(cached[std::find_if(cached.begin(), cached.end(), [&](const auto& r) { return r.dir + "/metrics.csv" == metrics; }) - cached.begin()].damaged);
        CHECK(mnist::readRun(runsDir + "/sweep-00/trial-0000").damaged);
    }
    SECTION("a changed run is read again")
    {
        const std::string run = runsDir + "/20260101-032000-run200";
        mnist::writeRunNotes(run, {"changed", {"new"}});
        std::ofstream(run + "/summary.json") << "{ cut";
        const auto again = mnist::listRuns(runsDir, cache);
        requireSameListing(mnist::listRuns(runsDir, ""), again);
        const auto it = std::find_if(again.begin(), again.end(), [&](const auto& r) { return r.dir == run; });
        REQUIRE(it != again.end());
        CHECK(it->damaged);
        CHECK_THAT(it->problem, Contains("summary.json"));
        CHECK(it->note == "changed");
    }
    SECTION("a damaged or foreign cache is ignored and rebuilt")
    {
        // The right header and a run's right stamps, with a record that lies in its types.
        const nlohmann::json stamps = mnist::stampRunFolder(runsDir + "/20260101-032000-run200").values;
        const std::string lying = R"({"format": "mnist-studio run index cache", "version": 1, "runs_dir": )" +
                                  nlohmann::json(runsDir + "\n" + fs::absolute(runsDir).string()).dump() +
                                  R"(, "runs": {"20260101-032000-run200": {"stamps": )" + stamps.dump() +
                                  R"(, "record": {"damaged": "no"}}}})";
        for (const std::string& text : std::vector<std::string>{
                 "{ cut", "[]", R"({"format": "something else", "runs": {}})",
                 R"({"format": "mnist-studio run index cache", "version": 1, "runs_dir": "/elsewhere", "runs": {}})", lying}) {
            INFO(text);
            std::ofstream(cache) << text;
            requireSameListing(plain, mnist::listRuns(runsDir, cache));
            std::ifstream in(cache);
            const std::string rebuilt((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            CHECK_THAT(rebuilt, Contains("mnist-studio run index cache") && Contains("sweep-09/trial-0019"));
        }
    }
}

TEST_CASE("A run written in the last seconds is not cached, so a second write in the same tick is seen", "[runs][index]")
{
    TempDir dir;
    fixtures::GeneratedRuns fresh{1, 0, 0, 3, false};
    fixtures::writeGeneratedRuns(dir.path().string() + "/runs", fresh);
    const std::string cache = dir.file("index.json");
    REQUIRE(mnist::listRuns(dir.path().string() + "/runs", cache).size() == 1);
    std::ifstream in(cache);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK_THAT(text, !Contains("run0"));
}
