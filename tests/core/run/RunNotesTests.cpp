#include "Error.h"
#include "run/RunIndex.h"
#include "run/RunLayout.h"
#include "run/RunNotes.h"

#include "data/GeneratedRuns.h"
#include "data/TempDir.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <signal.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

std::string readText(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace

TEST_CASE("Tags are trimmed and kept once, and a tag with whitespace inside is refused by name", "[runs][notes]")
{
    CHECK(mnist::cleanTags({" best ", "", "lr-test", "best", "\t"}) == std::vector<std::string>{"best", "lr-test"});
    CHECK_THROWS_AS(mnist::cleanTags({"ok", "two words"}), mnist::ConfigError);
    CHECK_THROWS_WITH(mnist::cleanTags({"ok", "two words"}), Contains("\"two words\""));
}

TEST_CASE("A run's note and tags round-trip through notes.json and leave its other files untouched", "[runs][notes]")
{
    TempDir dir;
    const std::string run = dir.file("20260101-000000-LeNet");
    fixtures::writeGeneratedRun(run, 1, 3);
    const mnist::RunLayout layout(run);
    const std::string config = readText(layout.config()), metrics = readText(layout.metrics());
    const auto configTime = fs::last_write_time(layout.config());

    mnist::RunNotes notes{"first line\nsecond line, \"quoted\" é", {"baseline", " fast ", "baseline"}};
    mnist::writeRunNotes(run, notes);
    const mnist::RunNotes back = mnist::readRunNotes(run);
    CHECK(back.note == notes.note);
    CHECK(back.tags == std::vector<std::string>{"baseline", "fast"});
    CHECK(readText(layout.config()) == config);
    CHECK(readText(layout.metrics()) == metrics);
    CHECK(fs::last_write_time(layout.config()) == configTime);
    // Only notes.json was added: no temporary file is left beside it.
    int files = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(run))
        ++files;
    CHECK(files == 4);

    const mnist::RunRecord r = mnist::readRun(run);
    CHECK(r.note == notes.note);
    CHECK(r.tags == back.tags);
    CHECK(r.notesProblem.empty());

    // Empty notes remove the file.
    mnist::writeRunNotes(run, {});
    CHECK_FALSE(fs::exists(layout.notes()));
    CHECK(mnist::readRunNotes(run).empty());
    CHECK_THROWS_AS(mnist::writeRunNotes(dir.file("nothing"), notes), mnist::IoError);
    CHECK_THROWS_WITH(mnist::writeRunNotes(run, {"", {"a b"}}), Contains("\"a b\""));
}

TEST_CASE("A damaged notes.json is reported but never marks the run damaged nor stops the listing", "[runs][notes]")
{
    TempDir dir;
    const std::string run = dir.file("20260101-000000-LeNet");
    fixtures::writeGeneratedRun(run, 1, 3);
    fixtures::writeGeneratedRun(dir.file("20260102-000000-LeNet"), 2, 3);
    for (const char* text : {"{\"note\": \"cut sh", "[1, 2]", "{\"note\": 3}", "{\"tags\": [\"a b\"]}", "{\"tags\": \"x\"}"}) {
        INFO(text);
        std::ofstream(mnist::RunLayout(run).notes()) << text;
        const auto runs = mnist::listRuns(dir.path().string(), "");
        REQUIRE(runs.size() == 2);
        const mnist::RunRecord& r = runs[1];
        CHECK_FALSE(r.damaged);
        CHECK(r.state == mnist::RunState::Finished);
        CHECK(r.epochs.size() == 3);
        CHECK_THAT(r.notesProblem, Contains("notes.json"));
        CHECK(runs[0].notesProblem.empty());
    }
}

TEST_CASE("notes.json survives a writer killed in the middle of its writes", "[runs][notes]")
{
    TempDir dir;
    const std::string run = dir.file("20260101-000000-LeNet");
    fixtures::writeGeneratedRun(run, 1, 3);
    const mnist::RunNotes a{std::string(20000, 'a'), {"a"}};
    const mnist::RunNotes b{std::string(30000, 'b'), {"b", "bb"}};
    mnist::writeRunNotes(run, a);
    for (int attempt = 0; attempt < 5; ++attempt) {
        const pid_t child = ::fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            for (int i = 0;; ++i)
                mnist::writeRunNotes(run, i % 2 ? a : b);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(30 + 17 * attempt));
        ::kill(child, SIGKILL);
        int status = 0;
        ::waitpid(child, &status, 0);
        // The old notes or the new ones, whole; never a mix or a cut file.
        const mnist::RunNotes now = mnist::readRunNotes(run);
        CHECK(((now.note == a.note && now.tags == a.tags) || (now.note == b.note && now.tags == b.tags)));
        CHECK(mnist::readRun(run).notesProblem.empty());
    }
}

TEST_CASE("A run is named by its folder or by its name under the runs folder", "[runs][notes]")
{
    TempDir dir;
    const std::string runs = dir.file("runs");
    fixtures::writeGeneratedRun(runs + "/20260101-000000-LeNet", 1, 2);
    fixtures::writeGeneratedRun(runs + "/sweep/trial-0001", 2, 2);
    CHECK(mnist::resolveRunDir(runs + "/20260101-000000-LeNet", "/elsewhere") == runs + "/20260101-000000-LeNet");
    CHECK(mnist::resolveRunDir("20260101-000000-LeNet", runs) == runs + "/20260101-000000-LeNet");
    CHECK(mnist::resolveRunDir("sweep/trial-0001", runs) == runs + "/sweep/trial-0001");
    CHECK_THROWS_WITH(mnist::resolveRunDir("nope", runs), Contains("nope") && Contains(runs));
    CHECK_THROWS_AS(mnist::resolveRunDir("sweep", runs), mnist::ConfigError); // a sweep folder is not a run
}
