#include "spec/ConfigDiff.h"
#include "Error.h"

#include "data/TempDir.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace {

std::vector<std::string> keysOf(const std::vector<mnist::SettingRow>& rows)
{
    std::vector<std::string> keys;
    for (const auto& r : rows)
        keys.push_back(r.key);
    return keys;
}

} // namespace

TEST_CASE("Differences only lists exactly the settings that differ, with each run's value", "[config][compare]")
{
    mnist::TrainConfig a, b, c;
    b.lr = 0.05;
    c.lr = 0.05;
    c.augment.rotate = true;
    c.augment.degrees = 15;
    // The machine's settings say where a run ran, not what it was.
    b.threads = 2;
    c.dataDir = "/somewhere";

    const auto rows = mnist::compareSettings({a, b, c}, true);
    CHECK(keysOf(rows) == std::vector<std::string>{"lr", "augment.random_rotation", "augment.random_rotation.degrees",
                                                   "augment.random_rotation.interpolation"});
    REQUIRE(rows.size() == 4);
    CHECK(rows[0].values == std::vector<std::string>{"0.01", "0.05", "0.05"});
    CHECK(rows[1].values == std::vector<std::string>{"false", "false", "true"});
    CHECK(rows[2].values == std::vector<std::string>{"", "", "15.0"}); // off: not a value at all
    for (const auto& r : rows)
        CHECK(r.differs);

    SECTION("all settings: the same rows with those that agree, and nothing of the machine")
    {
        const auto all = mnist::compareSettings({a, b, c}, false);
        CHECK(all.size() > rows.size());
        const auto keys = keysOf(all);
        CHECK(std::count(keys.begin(), keys.end(), "arch") == 1);
        CHECK(std::count(keys.begin(), keys.end(), "threads") == 0);
        CHECK(std::count(keys.begin(), keys.end(), "data_dir") == 0);
        // A scheduler's parameters only where it is the one chosen.
        CHECK(std::count(keys.begin(), keys.end(), "scheduler.max_lr") == 0);
        const auto differing = keysOf(rows);
        for (const auto& r : all)
            CHECK(r.differs == (std::find(differing.begin(), differing.end(), r.key) != differing.end()));
    }
    SECTION("identical set-ups differ in nothing")
    {
        CHECK(mnist::compareSettings({a, a}, true).empty());
    }
}

TEST_CASE("settingText gives a run's value of one setting, empty where it does not apply", "[config][compare]")
{
    mnist::TrainConfig c;
    CHECK(mnist::settingText(c, "arch") == "LeNet");
    CHECK(mnist::settingText(c, "augment.random_rotation") == "false");
    CHECK(mnist::settingText(c, "augment.random_rotation.degrees").empty());
    CHECK_THROWS_AS(mnist::settingText(c, "no_such_setting"), mnist::ConfigError);
}

TEST_CASE("A run's own arch.json is compared as its network's name, another network file as a file", "[config][compare]")
{
    TempDir dir;
    const std::string run = dir.file("20260101-100000-LeNet");
    std::filesystem::create_directories(run);
    std::ofstream(run + "/arch.json") << "{}";
    const std::string elsewhere = dir.file("mine.json");
    std::ofstream(elsewhere) << "{}";

    mnist::TrainConfig recorded;
    recorded.arch = "LeNet";
    recorded.archFile = run + "/arch.json";
    const mnist::TrainConfig compared = mnist::runConfigForComparison(recorded, run);
    CHECK(compared.archFile.empty());
    CHECK(mnist::settingText(compared, "arch") == "LeNet");
    // Another folder's spec, or one outside any run, is what the run was set up with: kept.
    recorded.archFile = elsewhere;
    CHECK(mnist::runConfigForComparison(recorded, run).archFile == elsewhere);
    CHECK(mnist::runConfigForComparison(recorded, "").archFile == elsewhere);
}
