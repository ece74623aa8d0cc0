// Replays every input kept from fuzzing (tests/fuzz-regressions/<target>/) through the same check
// the fuzz target applies (fuzz/FuzzChecks.h), and through the path-based readers. Under the asan
// preset this also proves the inputs no longer trigger a sanitizer report.
#include "Error.h"
#include "FuzzChecks.h"
#include "data/DigitCsv.h"
#include "data/IdxReader.h"
#include "data/ImageDecode.h"
#include "run/RunFiles.h"
#include "run/RunIndex.h"
#include "formats/SafeTensors.h"
#include "spec/NetworkSpec.h"
#include "spec/TrainConfig.h"

#include "TestPaths.h"
#include "data/IdxFixtures.h"
#include "data/TempDir.h"

#include <catch2/catch.hpp>

#include <filesystem>

namespace fs = std::filesystem;

namespace {

std::vector<fs::path> regressionInputs(const std::string& target)
{
    const fs::path dir = fs::path(MNIST_FUZZ_REGRESSIONS_DIR) / target;
    std::vector<fs::path> files;
    if (fs::is_directory(dir))
        for (const auto& entry : fs::directory_iterator(dir))
            if (entry.is_regular_file())
                files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    return files;
}

} // namespace

TEST_CASE("Inputs that once broke a reader under fuzzing are parsed or refused with the reader's error",
          "[fuzz][data][io][config][runs]")
{
    const std::string target = GENERATE(as<std::string>{}, "idx", "safetensors", "trainconfig", "runfiles", "networkspec", "calibration", "sweep",
                                        "csv", "mnistfamily", "image", "imagefolder");
    const auto files = regressionInputs(target);
    INFO("target " << target);
    // Every target keeps at least one input, so an empty list means a wrong path, not a clean slate.
    REQUIRE_FALSE(files.empty());
    for (const auto& file : files) {
        INFO(file.string());
        const std::vector<uint8_t> bytes = fixtures::readBytes(file.string());
        if (target == "idx") {
            CHECK(fuzzchecks::idxOutcome(bytes.data(), bytes.size()) == "");
            try {
                mnist::readIdxImages(file.string());
            } catch (const mnist::DataError&) {
            }
            try {
                mnist::readIdxLabels(file.string());
            } catch (const mnist::DataError&) {
            }
        } else if (target == "safetensors") {
            CHECK(fuzzchecks::safeTensorsOutcome(bytes.data(), bytes.size()) == "");
            try {
                mnist::readSafeTensors(file.string());
            } catch (const mnist::IoError&) {
            }
        } else if (target == "runfiles") {
            CHECK(fuzzchecks::runFilesOutcome(bytes.data(), bytes.size()) == "");
            try {
                mnist::readMetricsCsv(file.string());
            } catch (const mnist::IoError&) {
            }
            try {
                mnist::readLrCsv(file.string());
            } catch (const mnist::IoError&) {
            }
            try {
                mnist::readRunSummary(file.string());
            } catch (const mnist::IoError&) {
            }
            // The run index on a folder with the input as its metrics.csv: read or marked damaged.
            TempDir run;
            mnist::saveTrainConfig(mnist::TrainConfig{}, run.file("config.json"));
            fixtures::writeBytes(run.file("metrics.csv"), bytes);
            const mnist::RunRecord r = mnist::readRun(run.path().string());
            CHECK((r.damaged ? r.epochs.empty() : r.stats.bestEpoch >= 0));
        } else if (target == "csv") {
            CHECK(fuzzchecks::digitCsvOutcome(bytes.data(), bytes.size()) == "");
            try {
                mnist::readDigitCsv(file.string());
            } catch (const mnist::DataError& e) {
                CHECK(std::string(e.what()).find(file.filename().string()) != std::string::npos);
            }
        } else if (target == "mnistfamily") {
            CHECK(fuzzchecks::mnistFamilyOutcome(bytes.data(), bytes.size()) == "");
        } else if (target == "image") {
            CHECK(fuzzchecks::imageOutcome(bytes.data(), bytes.size()) == "");
            try {
                mnist::readImageFile(file.string());
            } catch (const mnist::DataError& e) {
                CHECK(std::string(e.what()).find(file.filename().string()) != std::string::npos);
            }
        } else if (target == "imagefolder") {
            CHECK(fuzzchecks::imageFolderOutcome(bytes.data(), bytes.size()) == "");
        } else if (target == "sweep") {
            CHECK(fuzzchecks::sweepOutcome(bytes.data(), bytes.size()) == "");
        } else if (target == "calibration") {
            CHECK(fuzzchecks::calibrationOutcome(bytes.data(), bytes.size()) == "");
        } else if (target == "networkspec") {
            CHECK(fuzzchecks::networkSpecOutcome(bytes.data(), bytes.size()) == "");
            try {
                mnist::readNetworkSpecFile(file.string());
            } catch (const mnist::ConfigError& e) {
                CHECK(std::string(e.what()).find(file.filename().string()) != std::string::npos);
            }
        } else {
            CHECK(fuzzchecks::trainConfigOutcome(bytes.data(), bytes.size()) == "");
            try {
                mnist::loadTrainConfig(file.string());
            } catch (const mnist::ConfigError&) {
            }
        }
    }
}
