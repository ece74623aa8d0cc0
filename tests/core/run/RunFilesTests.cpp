// The run folder's text readers (run/RunFiles.h), the run index on damaged metrics.csv files, and
// the one rule for best / honest / final accuracy (train/RunStats.h).
#include "Error.h"
#include "run/RunFiles.h"
#include "run/RunFolder.h"
#include "run/RunIndex.h"
#include "train/RunStats.h"

#include "data/TempDir.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

using Catch::Matchers::Contains;

namespace {

const std::string kHeader = "epoch,train_loss,valid_loss,test_acc,lr,seconds,images_per_s\n";

std::string row(const std::string& epoch) { return epoch + ",0.2,0.1,97.5,0.01,3,5000\n"; }

void writeText(const std::string& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary);
    out << text;
}

// A run folder with a valid config.json (from RunFolder) whose metrics.csv is then replaced.
std::string runWithMetrics(const TempDir& dir, const std::string& name, const std::string& metrics)
{
    mnist::TrainConfig c;
    c.arch = "LeNet";
    c.epochs = 3;
    const std::string run = dir.file(name);
    { mnist::RunFolder folder(run, c); }
    writeText(run + "/metrics.csv", metrics);
    return run;
}

} // namespace

TEST_CASE("metrics.csv: the rows a run writes are read back", "[io][runs]")
{
    TempDir dir;
    const std::string path = dir.file("metrics.csv");
    writeText(path, kHeader + "1,0.5,0.25,97.125,0.001,3.5,5000.5\n\n2,0.25,0.125,98,1e-4,2,6000\r\n");
    const auto m = mnist::readMetricsCsv(path);
    REQUIRE(m.size() == 2);
    CHECK(m[0].epoch == 1);
    CHECK(m[0].trainLoss == 0.5);
    CHECK(m[0].validLoss == 0.25);
    CHECK(m[0].testAccuracy == 97.125);
    CHECK(m[0].lr == 0.001);
    CHECK(m[0].seconds == 3.5);
    CHECK(m[0].imagesPerSecond == 5000.5);
    CHECK(m[1].epoch == 2);
    CHECK(m[1].lr == 1e-4);

    writeText(path, kHeader);
    CHECK(mnist::readMetricsCsv(path).empty()); // a run that finished no epoch yet
}

TEST_CASE("metrics.csv: damaged files are refused with the file and line", "[io][runs]")
{
    TempDir dir;
    const std::string path = dir.file("metrics.csv");
    const auto refused = [&](const std::string& text) -> std::string {
        writeText(path, text);
        try {
            mnist::readMetricsCsv(path);
        } catch (const mnist::IoError& e) {
            return e.what();
        }
        return "(accepted)";
    };
    CHECK_THAT(refused(kHeader + row("5")), Contains(path + ":2:") && Contains("epoch 5, not epoch 1"));
    CHECK_THAT(refused(kHeader + row("0")), Contains(path + ":2:") && Contains("not positive"));
    CHECK_THAT(refused(kHeader + row("-3")), Contains(path + ":2:") && Contains("not positive"));
    CHECK_THAT(refused(kHeader + row("1e30")), Contains(path + ":2:") && Contains("range"));
    CHECK_THAT(refused(kHeader + row("99999999999999999999")), Contains("range"));
    CHECK_THAT(refused(kHeader + row("1.5")), Contains("not a whole number"));
    CHECK_THAT(refused(kHeader + row("nan")), Contains("not a whole number"));
    CHECK_THAT(refused(kHeader + row("1") + row("3")), Contains(path + ":3:") && Contains("follows epoch 1"));
    CHECK_THAT(refused(kHeader + row("1") + row("1")), Contains(path + ":3:") && Contains("follows epoch 1"));
    CHECK_THAT(refused(kHeader + "1,nan,0.1,97,0.01,3,5000\n"), Contains("train_loss 'nan'") && Contains("finite"));
    CHECK_THAT(refused(kHeader + "1,0.2,inf,97,0.01,3,5000\n"), Contains("valid_loss 'inf'"));
    CHECK_THAT(refused(kHeader + "1,0.2,0.1,197,0.01,3,5000\n"), Contains("0..100"));
    CHECK_THAT(refused(kHeader + "1,0.2,0.1,97,0.01,3\n"), Contains("expected 7 columns") && Contains("found 6"));
    CHECK_THAT(refused(kHeader + "1,0.2,0.1,97,0.01,3,5000,\n"), Contains("found 8"));
    CHECK_THAT(refused(kHeader + "1,0.2,,97,0.01,3,5000\n"), Contains("valid_loss ''"));
    CHECK_THAT(refused(kHeader + "1, 0.2,0.1,97,0.01,3,5000\n"), Contains("train_loss ' 0.2'"));
    CHECK_THAT(refused(kHeader + std::string("\x01\xff\x80garbage\0,,", 13) + "\n"), Contains(path + ":2:"));
    CHECK_THAT(refused(std::string("\x89PNG\r\n\x1a\n\0\0\0", 11)), Contains(path + ":1:") && Contains("header"));
    CHECK_THAT(refused(""), Contains(path + ": empty file"));
    CHECK_THAT(refused("epoch,loss\n1,2\n"), Contains("header"));
    CHECK_THROWS_WITH(mnist::readMetricsCsv(dir.file("missing.csv")), Contains("missing.csv: cannot open"));
    CHECK_THROWS_WITH(mnist::readMetricsCsv(dir.path().string()), Contains("not a regular file"));
}

TEST_CASE("The run index marks a run with any damaged metrics.csv and keeps reading the others", "[io][runs]")
{
    TempDir dir;
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"first-row-epoch-5", kHeader + row("5")},
        {"epoch-0", kHeader + row("0")},
        {"negative-epoch", kHeader + row("-1")},
        {"epoch-1e30", kHeader + row("1e30")},
        {"garbage", std::string("\xde\xad\xbe\xef\n\0\0\n,,,,,,\n", 15)},
        {"empty", ""},
        {"gap", kHeader + row("1") + row("2") + row("4")},
    };
    for (const auto& [name, text] : cases)
        runWithMetrics(dir, name, text);
    runWithMetrics(dir, "header-only", kHeader);
    runWithMetrics(dir, "good", kHeader + "1,0.3,0.09,98,0.01,2,5000\n" + "2,0.2,0.05,98.5,0.01,2,5000\n" +
                                    "3,0.1,0.07,99,0.01,2,5000\n");

    const auto runs = mnist::listRuns(dir.path().string());
    REQUIRE(runs.size() == cases.size() + 2);
    for (const auto& r : runs) {
        INFO(r.name << ": " << r.problem);
        if (r.name == "good") {
            CHECK_FALSE(r.damaged);
            CHECK(r.stats.bestEpoch == 3);
            CHECK(r.stats.bestTestAccuracy == 99);
            CHECK(r.stats.bestValidEpoch == 2);
            CHECK(r.stats.testAccuracyAtBestValid == 98.5);
            CHECK(r.stats.finalTestAccuracy == 99);
            CHECK(r.stats.seconds == 6);
        } else if (r.name == "header-only") {
            CHECK_FALSE(r.damaged);
            CHECK(r.epochs.empty());
            CHECK(r.stats.bestEpoch == 0);
            CHECK(r.stats.bestValidEpoch == 0);
        } else {
            CHECK(r.damaged);
            CHECK_THAT(r.problem, Contains(r.name + "/metrics.csv"));
            CHECK(r.epochs.empty());
        }
    }
}

TEST_CASE("lr.csv: the LR of every iteration, in order", "[io][runs]")
{
    TempDir dir;
    const std::string path = dir.file("lr.csv");
    writeText(path, "iteration,lr\n0,0.1\n1,0.05\n2,0.025\n");
    CHECK(mnist::readLrCsv(path) == std::vector<double>{0.1, 0.05, 0.025});

    // What a run folder writes, including a resumed history, reads back.
    {
        mnist::TrainConfig c;
        mnist::RunFolder folder(dir.file("run"), c);
        folder.appendEpoch({1, 0.1, 0.1, 97, 0.5, 1, 1}, {{0, 1, 0, 0.5, 1}, {1, 1, 1, 0.25, 1}});
        folder.rewriteHistory({{1, 0.1, 0.1, 97, 0.5, 1, 1}}, {0.5, 0.25});
        folder.appendEpoch({2, 0.1, 0.1, 97, 0.125, 1, 1}, {{2, 2, 0, 0.125, 1}});
    }
    CHECK(mnist::readLrCsv(dir.file("run/lr.csv")) == std::vector<double>{0.5, 0.25, 0.125});

    // A last row cut short by a crash (no newline) is dropped; the rows before it stand.
    writeText(path, "iteration,lr\n0,0.1\n1,0.05\n2,");
    CHECK(mnist::readLrCsv(path) == std::vector<double>{0.1, 0.05});

    writeText(path, "iteration,lr\n");
    CHECK(mnist::readLrCsv(path).empty());

    const auto refused = [&](const std::string& text) -> std::string {
        writeText(path, text);
        try {
            mnist::readLrCsv(path);
        } catch (const mnist::IoError& e) {
            return e.what();
        }
        return "(accepted)";
    };
    CHECK_THAT(refused("iteration,lr\n0,0.1\n2,0.05\n1,0.07\n"), Contains(path + ":3:") && Contains("iteration 2 where 1"));
    CHECK_THAT(refused("iteration,lr\n1,0.1\n"), Contains(path + ":2:") && Contains("iteration 1 where 0"));
    CHECK_THAT(refused("iteration,lr\n0,0.1\n0,0.1\n"), Contains(path + ":3:"));
    CHECK_THAT(refused("iteration,lr\n0,nan\n"), Contains(path + ":2:") && Contains("lr 'nan'"));
    CHECK_THAT(refused("iteration,lr\n0,0.1,3\n"), Contains("expected 2 columns"));
    CHECK_THAT(refused("iteration,lr\n-5,0.1\n"), Contains("iteration -5"));
    CHECK_THAT(refused("iteration,lr\n1e30,0.1\n"), Contains("range"));
    CHECK_THAT(refused("iteration,lr\nx\n0,0.1\n"), Contains(path + ":2:"));
    CHECK_THAT(refused(""), Contains(path + ": empty file"));
    CHECK_THAT(refused("step,lr\n0,0.1\n"), Contains(path + ":1:") && Contains("header"));
    CHECK_THROWS_WITH(mnist::readLrCsv(dir.file("none.csv")), Contains("none.csv: cannot open"));
}

TEST_CASE("summary.json: the figures mnist-train writes, other keys ignored", "[io][runs]")
{
    TempDir dir;
    const std::string path = dir.file("summary.json");
    const std::string good = R"({"arch":"LeNetBN","parameters":1234,"device":"cpu","best_test_acc":99.1,"best_epoch":2,
        "test_acc_at_best_valid":98.9,"best_valid_epoch":1,"final_test_acc":99.0,"train_images_per_s":5000.5,
        "stopped":false,"run_dir":"/tmp/x","future_key":{"a":[1,2]},
        "epochs":[{"epoch":1,"test_acc":98.9},{"epoch":2,"test_acc":99.1},{"epoch":3,"test_acc":99.0}]})";
    writeText(path, good);
    const mnist::RunSummary s = mnist::readRunSummary(path);
    CHECK(s.arch == "LeNetBN");
    CHECK(s.bestTestAccuracy == 99.1);
    CHECK(s.bestEpoch == 2);
    CHECK(s.testAccuracyAtBestValid == 98.9);
    CHECK(s.bestValidEpoch == 1);
    CHECK(s.finalTestAccuracy == 99.0);
    CHECK_FALSE(s.stopped);
    CHECK(s.epochCount == 3);

    const auto refused = [&](const std::string& from, const std::string& to) -> std::string {
        std::string text = good;
        const auto at = text.find(from);
        REQUIRE(at != std::string::npos);
        text.replace(at, from.size(), to);
        writeText(path, text);
        try {
            mnist::readRunSummary(path);
        } catch (const mnist::IoError& e) {
            return e.what();
        }
        return "(accepted)";
    };
    CHECK_THAT(refused(R"("best_epoch":2)", R"("best_epoch":"2")"), Contains(path) && Contains("\"best_epoch\"") &&
                                                                        Contains("must be an integer"));
    CHECK_THAT(refused(R"("best_epoch":2)", R"("best_epoch":2.5)"), Contains("\"best_epoch\"") && Contains("integer"));
    CHECK_THAT(refused(R"("best_epoch":2)", R"("best_epoch":1e30)"), Contains("\"best_epoch\"") && Contains("range"));
    CHECK_THAT(refused(R"("best_epoch":2)", R"("best_epoch":7)"), Contains("\"best_epoch\"") && Contains("0..3"));
    CHECK_THAT(refused(R"("arch":"LeNetBN")", R"("arch":5)"), Contains("\"arch\"") && Contains("a string"));
    CHECK_THAT(refused(R"("stopped":false)", R"("stopped":"no")"), Contains("\"stopped\""));
    CHECK_THAT(refused(R"("best_test_acc":99.1)", R"("best_test_acc":null)"), Contains("\"best_test_acc\"") &&
                                                                                  Contains("a number"));
    CHECK_THAT(refused(R"("final_test_acc":99.0)", R"("final_test_acc":990)"), Contains("\"final_test_acc\"") &&
                                                                                   Contains("0..100"));
    CHECK_THAT(refused(R"("epochs":[)", R"("epochs":3,"old_epochs":[)"), Contains("\"epochs\"") && Contains("an array"));
    CHECK_THAT(refused(R"("best_valid_epoch":1,)", ""), Contains("\"best_valid_epoch\" is missing"));
    writeText(path, "[1,2]");
    CHECK_THROWS_WITH(mnist::readRunSummary(path), Contains(path) && Contains("JSON object"));
    writeText(path, "{ not json");
    CHECK_THROWS_WITH(mnist::readRunSummary(path), Contains(path) && Contains("not valid JSON"));
}

TEST_CASE("summary.json written by mnist-train's run folder reads back", "[io][runs]")
{
    TempDir dir;
    mnist::TrainConfig c;
    mnist::RunFolder folder(dir.file("run"), c);
    folder.writeSummary(R"({"arch":"LeNet","best_test_acc":0,"best_epoch":0,"test_acc_at_best_valid":0,)"
                        R"("best_valid_epoch":0,"final_test_acc":0,"stopped":true,"epochs":[]})");
    const mnist::RunSummary s = mnist::readRunSummary(dir.file("run/summary.json"));
    CHECK(s.arch == "LeNet");
    CHECK(s.stopped);
    CHECK(s.epochCount == 0);
}

TEST_CASE("Run statistics: best, honest and final accuracy written once", "[train][runs]")
{
    using mnist::EpochMetrics;
    const auto epoch = [](int64_t e, double valid, double acc, double seconds = 1) {
        return EpochMetrics{e, 0.1, valid, acc, 1e-3, seconds, 100};
    };

    const mnist::RunStats none = mnist::computeRunStats({});
    CHECK(none.bestEpoch == 0);
    CHECK(none.bestTestAccuracy == 0);
    CHECK(none.bestValidEpoch == 0);
    CHECK(none.testAccuracyAtBestValid == 0);
    CHECK(none.finalTestAccuracy == 0);
    CHECK(none.seconds == 0);

    const mnist::RunStats s = mnist::computeRunStats({
        epoch(1, 0.30, 97.0, 2),
        epoch(2, 0.10, 98.5, 3),  // lowest valid loss (first of two)
        epoch(3, 0.20, 99.0, 4),  // highest test accuracy (first of two)
        epoch(4, 0.10, 98.0, 5),  // ties the lowest valid loss: not taken
        epoch(5, 0.15, 99.0, 6),  // ties the highest accuracy: not taken
        epoch(6, 0.25, 98.7, 7),  // the last
    });
    CHECK(s.bestEpoch == 3);
    CHECK(s.bestTestAccuracy == 99.0);
    CHECK(s.bestValidEpoch == 2);
    CHECK(s.testAccuracyAtBestValid == 98.5);
    CHECK(s.bestValidLoss == 0.10);
    CHECK(s.finalTestAccuracy == 98.7);
    CHECK(s.seconds == 27);

    // Epoch numbers are only reported, never used as indices: any numbering is safe.
    const mnist::RunStats odd = mnist::computeRunStats({epoch(40, 0.2, 90), epoch(-7, 0.1, 95), epoch(0, 0.3, 91)});
    CHECK(odd.bestEpoch == -7);
    CHECK(odd.bestValidEpoch == -7);
    CHECK(odd.finalTestAccuracy == 91);

    // A NaN never sticks as the best.
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const mnist::RunStats withNan = mnist::computeRunStats({epoch(1, nan, nan), epoch(2, 0.2, 96), epoch(3, 0.3, 95)});
    CHECK(withNan.bestEpoch == 2);
    CHECK(withNan.bestValidEpoch == 2);
}
