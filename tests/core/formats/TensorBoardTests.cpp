// Our TensorBoard events files read back by a decoder that shares only the .proto with the writer:
// scripts/interop/read_tfevents.cjs checks every record's framing and CRCs with @aws-crypto/crc32c
// and decodes the Event, Summary and HParams messages with protobufjs from core/formats/tensorboard.proto
// (both packages in third_party/, put there by scripts/fetch-node-tools.sh). Every tag, step,
// value, time and hyperparameter must come back exactly. Without Node.js or the packages those
// checks report themselves skipped, as every check that writes a file does in a build without
// protobuf; the CRC known answers run everywhere.
#include "data/IdxFixtures.h"
#include "data/RunCli.h"
#include "data/ScratchMount.h"
#include "data/SkipTest.h"
#include "data/TempDir.h"

#include "TestPaths.h"

#include "Error.h"
#include "run/RunFiles.h"
#include "formats/TensorBoardEvents.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <sys/wait.h>

namespace {

const std::string kReaderScript = std::string(MNIST_SOURCE_DIR) + "/scripts/interop/read_tfevents.cjs";
const std::string kReaderPackages = std::string(MNIST_SOURCE_DIR) + "/third_party/tfevents-reader/node_modules";

constexpr const char* kNoWriter = "this build has no TensorBoard support (protobuf-compiler and libprotobuf-dev "
                                  "were missing when it was configured)";

// Why the independent reader cannot run here (or there is nothing to read), or "" when it can.
std::string readerMissing()
{
    if (!mnist::tensorBoardExportAvailable())
        return kNoWriter;
    if (std::system("node --version > /dev/null 2>&1") != 0)
        return "Node.js is not installed (scripts/setup.sh installs npm and Node.js)";
    if (!std::filesystem::exists(kReaderPackages + "/protobufjs/package.json") ||
        !std::filesystem::exists(kReaderPackages + "/@aws-crypto/crc32c/package.json"))
        return "protobufjs or @aws-crypto/crc32c is not in third_party/ (make data runs scripts/fetch-node-tools.sh)";
    return "";
}

std::string readText(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

struct ReaderOutput {
    int exitCode = -1;
    std::string out; // the JSON on success
    std::string err; // the reader's complaint otherwise
};

ReaderOutput readEvents(const std::string& eventsFile, const TempDir& scratch)
{
    const std::string errFile = scratch.file("reader.err");
    const std::string command = "node '" + kReaderScript + "' '" + eventsFile + "' 2> '" + errFile + "'";
    ReaderOutput result;
    FILE* pipe = ::popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    char buffer[4096];
    size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0)
        result.out.append(buffer, n);
    const int status = ::pclose(pipe);
    result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    result.err = readText(errFile);
    return result;
}

nlohmann::json readEventsJson(const std::string& eventsFile, const TempDir& scratch)
{
    const ReaderOutput reader = readEvents(eventsFile, scratch);
    INFO(reader.err);
    REQUIRE(reader.exitCode == 0);
    return nlohmann::json::parse(reader.out);
}

// The message of the IoError that `action` throws; fails the test when it throws none or another type.
std::string ioErrorOf(const std::function<void()>& action)
{
    try {
        action();
    } catch (const mnist::IoError& e) {
        return e.what();
    }
    FAIL("no IoError was thrown");
    return "";
}

struct Point {
    std::string tag;
    int64_t step;
    float value;
    double wallTime;
};

} // namespace

TEST_CASE("CRC-32C and TFRecord's masked form give the known answers", "[io][tensorboard]")
{
    const std::string digits = "123456789";
    CHECK(mnist::crc32c(digits.data(), digits.size()) == 0xE3069283u);
    CHECK(mnist::crc32c(nullptr, 0) == 0u);
    // RFC 3720 (iSCSI), B.4: 32 bytes of zeros, of ones, and ascending 0..31.
    const std::string zeros(32, '\0');
    const std::string ones(32, '\xff');
    std::string ascending;
    for (int i = 0; i < 32; ++i)
        ascending.push_back(static_cast<char>(i));
    CHECK(mnist::crc32c(zeros.data(), zeros.size()) == 0x8A9136AAu);
    CHECK(mnist::crc32c(ones.data(), ones.size()) == 0x62A8AB43u);
    CHECK(mnist::crc32c(ascending.data(), ascending.size()) == 0x46DD794Eu);

    // Masked: rotated right by 15 bits, plus 0xa282ead8 (values also from @aws-crypto/crc32c).
    CHECK(mnist::maskedCrc32c(nullptr, 0) == 0xA282EAD8u);
    CHECK(mnist::maskedCrc32c(digits.data(), digits.size()) == 0xC78AB0E5u);
    CHECK(mnist::maskedCrc32c(zeros.data(), zeros.size()) == 0x0FD7FFFAu);
    const uint32_t crc = mnist::crc32c(ascending.data(), ascending.size());
    CHECK(mnist::maskedCrc32c(ascending.data(), ascending.size()) == ((crc >> 15) | (crc << 17)) + 0xa282ead8u);
}

// The TFRecord framing around `event`: its length and the length's masked CRC-32C, the bytes, and
// their masked CRC-32C, all little-endian.
std::string framed(const std::string& event)
{
    std::string record;
    for (int i = 0; i < 8; ++i)
        record.push_back(static_cast<char>((uint64_t{event.size()} >> (8 * i)) & 0xFF));
    const auto putCrc = [&record](const std::string& bytes) {
        const uint32_t crc = mnist::maskedCrc32c(bytes.data(), bytes.size());
        for (int i = 0; i < 4; ++i)
            record.push_back(static_cast<char>((crc >> (8 * i)) & 0xFF));
    };
    putCrc(record);
    record += event;
    putCrc(event);
    return record;
}

TEST_CASE("A scalar's events file holds exactly the bytes of TensorBoard's messages", "[io][tensorboard]")
{
    if (!mnist::tensorBoardExportAvailable())
        return fixtures::skipTest(kNoWriter);
    TempDir dir;
    mnist::TensorBoardEventWriter writer(dir.path().string(), 1700000000.0);
    writer.addScalar("loss", 7, 0.5f, 1700000001.0);
    writer.close();
    // Worked out by hand from event.proto and summary.proto, independently of the .proto we
    // generate from: a key byte is field number << 3 | wire type.
    using namespace std::string_literals;
    const std::string fileVersion = "\x09\x00\x00\x00\x40\xfc\x54\xd9\x41"s // wall_time = 1, double
                                    "\x1a\x0d" "brain.Event:2"s;            // file_version = 3, string
    const std::string scalar = "\x09\x00\x00\x40\x40\xfc\x54\xd9\x41"s       // wall_time
                               "\x10\x07"s                                  // step = 2, varint
                               "\x2a\x0d"s                                  // summary = 5, 13 bytes
                               "\x0a\x0b"s                                  // Summary.value = 1, 11 bytes
                               "\x0a\x04" "loss"s                           // Value.tag = 1
                               "\x15\x00\x00\x00\x3f"s;                     // simple_value = 2, float 0.5
    CHECK(readText(writer.path()) == framed(fileVersion) + framed(scalar));
}

TEST_CASE("The same hparams in the same order give the same bytes", "[io][tensorboard]")
{
    if (!mnist::tensorBoardExportAvailable())
        return fixtures::skipTest(kNoWriter);
    TempDir dir;
    std::vector<std::pair<std::string, mnist::HParamValue>> hparams;
    for (int i = 0; i < 40; ++i) // enough map entries for any hash order to differ from name order
        hparams.emplace_back("h" + std::to_string(i * 7919 % 40), mnist::HParamValue::ofNumber(i));
    std::vector<std::string> contents;
    for (int i = 0; i < 2; ++i) {
        mnist::TensorBoardEventWriter writer(dir.file("run-" + std::to_string(i)), 1700000000.0);
        writer.addHParams(hparams, {"loss"}, 1700000000.0);
        writer.close();
        contents.push_back(readText(writer.path()));
    }
    CHECK(contents[0] == contents[1]);
    // The session start's map in name order: "h0" before "h1" before "h10", whatever order given.
    const std::string& bytes = contents[0];
    const size_t start = bytes.find("_hparams_/session_start_info");
    REQUIRE(start != std::string::npos);
    CHECK(bytes.find("h0", start) < bytes.find("h1", start));
    CHECK(bytes.find("h1\x12", start) < bytes.find("h10", start));
}

TEST_CASE("A build without protobuf refuses TensorBoard logs, naming the folder, before creating it", "[io][tensorboard]")
{
    TempDir dir;
    const std::string logDir = dir.file("logs/run");
    if (mnist::tensorBoardExportAvailable()) {
        mnist::TensorBoardEventWriter writer(logDir, 1700000000.0);
        writer.close();
        CHECK(std::filesystem::exists(writer.path()));
        return;
    }
    const std::string message = ioErrorOf([&] { mnist::TensorBoardEventWriter writer(logDir, 1700000000.0); });
    INFO(message);
    CHECK(message.find(logDir) != std::string::npos);
    CHECK(message.find("no TensorBoard support") != std::string::npos);
    CHECK(message.find("libprotobuf-dev") != std::string::npos);
    CHECK(!std::filesystem::exists(dir.file("logs")));
}

TEST_CASE("Scalars and hparams read back exactly with protobufjs", "[io][tensorboard][interop]")
{
    const std::string why = readerMissing();
    if (!why.empty())
        return fixtures::skipTest(why);
    TempDir dir;
    const std::string logDir = dir.file("logs/lenet-1"); // not there yet: the writer creates it
    const double start = 1733166000.25;
    const std::vector<Point> points = {
        {"loss/train", 1, 0.125f, start + 1.5},
        {"loss/train", 2, 0.1f, start + 2.75},
        {"loss/train", 3, -2.5f, start + 4.0625},
        {"accuracy/test", 1, 97.5f, start + 1.625},
        {"accuracy/test", 2, 0.0f, start + 2.875}, // 0 is a oneof member's default: still written
        {"accuracy/test", 3, 1e-30f, start + 4.125},
        {"lr", 0, 3.4e38f, start + 0.5},
        {"lr", (int64_t{1} << 40) + 3, -0.0078125f, start + 5}, // a step past 32 bits
    };
    const std::vector<std::pair<std::string, mnist::HParamValue>> hparams = {
        {"lr", mnist::HParamValue::ofNumber(0.01)},
        {"batch_size", mnist::HParamValue::ofNumber(64)},
        {"optimizer", mnist::HParamValue::ofText("adam")},
        {"note", mnist::HParamValue::ofText("")},
        {"augment", mnist::HParamValue::ofBool(true)},
        {"nesterov", mnist::HParamValue::ofBool(false)},
    };
    const std::vector<std::string> metricTags = {"loss/train", "accuracy/test"};
    const double end = start + 6.5;

    mnist::TensorBoardEventWriter writer(logDir, start);
    writer.addHParams(hparams, metricTags, start);
    for (const Point& p : points)
        writer.addScalar(p.tag, p.step, p.value, p.wallTime);
    writer.endHParamsSession(mnist::HParamsSessionStatus::Success, end);
    writer.close();
    writer.close(); // a second close does nothing

    const std::filesystem::path file(writer.path());
    CHECK(file.parent_path() == std::filesystem::path(logDir));
    const std::string name = file.filename().string();
    CHECK(name.rfind("events.out.tfevents.1733166000.", 0) == 0);
    CHECK(name.size() > std::string(".mnist-studio").size());
    CHECK(name.substr(name.size() - std::string(".mnist-studio").size()) == ".mnist-studio");

    const nlohmann::json read = readEventsJson(writer.path(), dir);
    INFO(read.dump(1));
    CHECK(read["records"] == 1 + 3 + points.size()); // file_version, hparams, scalars
    CHECK(read["file_version"] == "brain.Event:2");
    CHECK(read["other_values"] == 0);

    REQUIRE(read["scalars"].size() == points.size());
    for (size_t i = 0; i < points.size(); ++i) {
        const nlohmann::json& s = read["scalars"][i];
        INFO("scalar " << i << ": " << s.dump());
        CHECK(s["tag"] == points[i].tag);
        CHECK(s["step"].get<int64_t>() == points[i].step);
        CHECK(s["value"].get<double>() == static_cast<double>(points[i].value)); // float32 widened: exact
        CHECK(s["wall_time"].get<double>() == points[i].wallTime);
    }

    REQUIRE(read["hparams"].is_object());
    CHECK(read["hparams"].size() == hparams.size());
    CHECK(read["hparams"]["lr"].get<double>() == 0.01);
    CHECK(read["hparams"]["batch_size"].get<double>() == 64.0);
    CHECK(read["hparams"]["optimizer"] == "adam");
    CHECK(read["hparams"]["note"] == "");
    CHECK(read["hparams"]["augment"] == true);
    CHECK(read["hparams"]["nesterov"] == false);
    CHECK(read["session_start_time"].get<double>() == start);

    const nlohmann::json infos = nlohmann::json::array({
        {{"name", "lr"}, {"type", "DATA_TYPE_FLOAT64"}},
        {{"name", "batch_size"}, {"type", "DATA_TYPE_FLOAT64"}},
        {{"name", "optimizer"}, {"type", "DATA_TYPE_STRING"}},
        {{"name", "note"}, {"type", "DATA_TYPE_STRING"}},
        {{"name", "augment"}, {"type", "DATA_TYPE_BOOL"}},
        {{"name", "nesterov"}, {"type", "DATA_TYPE_BOOL"}},
    });
    CHECK(read["hparam_infos"] == infos);
    CHECK(read["hparams_metrics"] == nlohmann::json(metricTags));
    CHECK(read["hparams_metric_groups"] == nlohmann::json::array({"", ""})); // the metrics are in this run
    CHECK(read["experiment_time_created"].get<double>() == start);
    CHECK(read["session_end_status"] == "STATUS_SUCCESS");
    CHECK(read["session_end_time"].get<double>() == end);

    // Laid out as TensorBoard's own hparams writer does: these tags, plugin data version 0, step 0,
    // and as the value its empty DT_FLOAT tensor of shape [0].
    const std::vector<std::pair<std::string, std::string>> records = {
        {"_hparams_/experiment", "experiment"},
        {"_hparams_/session_start_info", "session_start_info"},
        {"_hparams_/session_end_info", "session_end_info"},
    };
    REQUIRE(read["hparams_records"].size() == records.size());
    for (size_t i = 0; i < records.size(); ++i) {
        const nlohmann::json& r = read["hparams_records"][i];
        INFO(r.dump());
        CHECK(r["tag"] == records[i].first);
        CHECK(r["data"] == records[i].second);
        CHECK(r["version"] == 0);
        CHECK(r["step"] == 0);
        CHECK(r["tensor"] == nlohmann::json{{"dtype", "DT_FLOAT"}, {"shape", nlohmann::json::array({0})}});
    }
}

TEST_CASE("A failed session and a writer without hparams read back too", "[io][tensorboard][interop]")
{
    const std::string why = readerMissing();
    if (!why.empty())
        return fixtures::skipTest(why);
    TempDir dir;
    {
        mnist::TensorBoardEventWriter writer(dir.path().string(), 1700000000.0);
        writer.addHParams({{"arch", mnist::HParamValue::ofText("MLP")}}, {}, 1700000000.0);
        writer.endHParamsSession(mnist::HParamsSessionStatus::Failure, 1700000001.0);
        writer.close();
        const nlohmann::json read = readEventsJson(writer.path(), dir);
        CHECK(read["session_end_status"] == "STATUS_FAILURE");
        CHECK(read["hparams"] == nlohmann::json{{"arch", "MLP"}});
        CHECK(read["hparams_metrics"] == nlohmann::json::array());
    }
    {
        // A writer closed by its destructor alone leaves a readable file as well.
        std::string path;
        {
            mnist::TensorBoardEventWriter writer(dir.path().string(), 1700000000.0);
            writer.addScalar("x", 7, 1.0f, 1700000002.0);
            path = writer.path();
        }
        const nlohmann::json read = readEventsJson(path, dir);
        CHECK(read["records"] == 2);
        CHECK(read["hparams"].is_null());
        REQUIRE(read["scalars"].size() == 1);
        CHECK(read["scalars"][0]["step"] == 7);
    }
}

TEST_CASE("The independent reader refuses a damaged events file", "[io][tensorboard][interop]")
{
    const std::string why = readerMissing();
    if (!why.empty())
        return fixtures::skipTest(why);
    TempDir dir;
    std::string good;
    {
        mnist::TensorBoardEventWriter writer(dir.file("run"), 1700000000.0);
        writer.addScalar("loss", 1, 0.5f, 1700000001.0);
        writer.close();
        good = readText(writer.path());
    }
    REQUIRE(good.size() > 40);
    const auto damaged = [&](const std::string& bytes) {
        const std::string path = dir.file("damaged.tfevents");
        std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
        return readEvents(path, dir);
    };
    // The first record is 12 header bytes, the file_version Event, then its 4-byte CRC.
    std::string lengthFlipped = good;
    lengthFlipped[0] = static_cast<char>(lengthFlipped[0] ^ 0x01);
    std::string dataFlipped = good;
    dataFlipped[14] = static_cast<char>(dataFlipped[14] ^ 0x40);
    const std::vector<std::pair<std::string, std::string>> cases = {
        {lengthFlipped, "bad length CRC"},
        {dataFlipped, "bad data CRC"},
        {good.substr(0, good.size() - 3), "truncated"},
        {good.substr(0, good.size() - 20), "truncated"},
    };
    for (const auto& [bytes, complaint] : cases) {
        const ReaderOutput reader = damaged(bytes);
        INFO(complaint << ": " << reader.err);
        CHECK(reader.exitCode == 1);
        CHECK(reader.err.find(complaint) != std::string::npos);
    }
}

TEST_CASE("Each writer gets a file of its own, named in creation order", "[io][tensorboard]")
{
    if (!mnist::tensorBoardExportAvailable())
        return fixtures::skipTest(kNoWriter);
    TempDir dir;
    std::vector<std::string> names;
    for (int i = 0; i < 12; ++i) { // past 9 and 10, where unpadded numbers would sort wrongly
        mnist::TensorBoardEventWriter writer(dir.path().string(), 1700000000.9);
        writer.close();
        names.push_back(std::filesystem::path(writer.path()).filename().string());
        CHECK(names.back().rfind("events.out.tfevents.1700000000.", 0) == 0);
    }
    std::vector<std::string> sorted = names;
    std::sort(sorted.begin(), sorted.end());
    CHECK(sorted == names);
    CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());
    size_t files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
        CHECK(entry.file_size() > 0); // each holds its file_version record
        ++files;
    }
    CHECK(files == names.size());
}

TEST_CASE("A TensorBoard writer that cannot write throws IoError naming the file", "[io][tensorboard]")
{
    if (!mnist::tensorBoardExportAvailable())
        return fixtures::skipTest(kNoWriter);
    TempDir dir;
    const std::string plain = dir.file("plain");
    std::ofstream(plain) << "a regular file\n";

    SECTION("a log folder under a regular file")
    {
        const std::string logDir = plain + "/logs";
        const std::string message = ioErrorOf([&] { mnist::TensorBoardEventWriter writer(logDir, 1700000000.0); });
        INFO(message);
        CHECK(message.find(logDir) != std::string::npos);
    }
    SECTION("a log folder that is a regular file")
    {
        const std::string message = ioErrorOf([&] { mnist::TensorBoardEventWriter writer(plain, 1700000000.0); });
        INFO(message);
        CHECK(message.find(plain) != std::string::npos);
    }
    SECTION("a closed writer")
    {
        mnist::TensorBoardEventWriter writer(dir.file("run"), 1700000000.0);
        writer.close();
        const std::string message = ioErrorOf([&] { writer.addScalar("loss", 1, 1.0f, 1700000001.0); });
        INFO(message);
        CHECK(message.find(writer.path()) != std::string::npos);
        CHECK(message.find("closed") != std::string::npos);
    }
    SECTION("arguments TensorBoard could not show")
    {
        mnist::TensorBoardEventWriter writer(dir.file("run"), 1700000000.0);
        CHECK_THROWS_AS(writer.addScalar("", 1, 1.0f, 1700000001.0), mnist::ConfigError);
        const mnist::HParamValue one = mnist::HParamValue::ofNumber(1);
        CHECK_THROWS_AS(writer.addHParams({{"lr", one}, {"lr", one}}, {}, 1700000001.0), mnist::ConfigError);
        CHECK_THROWS_AS(writer.addHParams({{"", one}}, {}, 1700000001.0), mnist::ConfigError);
        CHECK_THROWS_AS(writer.addHParams({{"lr", one}}, {"loss", "loss"}, 1700000001.0), mnist::ConfigError);
        CHECK_THROWS_AS(writer.addHParams({{"lr", one}}, {""}, 1700000001.0), mnist::ConfigError);
        writer.close(); // nothing was written by the refused calls, and the writer still works
    }
}

TEST_CASE("A full disk: the write throws IoError naming the file, which stays readable", "[io][tensorboard][faults]")
{
    if (!mnist::tensorBoardExportAvailable())
        return fixtures::skipTest(kNoWriter);
    TempDir dir;
    const std::string mountPoint = dir.file("small");
    fixtures::SmallTmpfs tmpfs(mountPoint, 64 * 1024);
    if (!tmpfs.available())
        return fixtures::skipTest(tmpfs.why());
    mnist::TensorBoardEventWriter writer(mountPoint + "/run", 1700000000.0);
    const std::string tag = "a/tag/long/enough/to/fill/the/disk/in/few/records/" + std::string(400, 'x');
    int added = 0;
    std::string message;
    for (; added < 100000; ++added) {
        try {
            writer.addScalar(tag, added, static_cast<float>(added), 1700000001.0 + added);
        } catch (const mnist::IoError& e) {
            message = e.what();
            break;
        }
    }
    INFO(message);
    REQUIRE(!message.empty());
    CHECK(message.find(writer.path()) != std::string::npos);
    CHECK(message.find("no space left on device") != std::string::npos);
    // Failed it stays, without writing: a later record would follow a hole.
    CHECK(ioErrorOf([&] { writer.addScalar("loss", 1, 1.0f, 1700000001.0); }) == message);
    CHECK(ioErrorOf([&] { writer.close(); }) == message);

    const std::string why = readerMissing();
    if (!why.empty())
        return fixtures::skipTest(why + " (the full-disk file was not read back)");
    // Cut back to its last complete record: every scalar added before the failure reads back.
    const nlohmann::json read = readEventsJson(writer.path(), dir);
    CHECK(read["scalars"].size() == static_cast<size_t>(added));
    CHECK(read["records"] == added + 1);
}

TEST_CASE("mnist-train --export-tensorboard writes a sweep's runs as TensorBoard reads them", "[io][tensorboard][interop][cli]")
{
    const std::string why = readerMissing();
    if (!why.empty())
        return fixtures::skipTest(why);
    TempDir dir;
    const std::string data = dir.file("data");
    std::filesystem::create_directories(data);
    fixtures::writeSyntheticDataset(data, 200, 50, true);
    std::ofstream(dir.file("spec.json")) << R"({"base": {"arch": "LeNet", "epochs": 2, "batch_size": 50, "device": "cpu"},
                                               "grid": {"lr": [0.01, 0.001]}, "seeds": [3]})";
    const std::string sweep = dir.file("sweep");
    const auto ran = fixtures::runCli("--sweep " + dir.file("spec.json") + " --out " + sweep + " --jobs 2 --threads 1 --data-dir " + data, dir);
    INFO(ran.out << ran.err);
    REQUIRE(ran.exitCode == 0);
    const std::string logs = dir.file("logs");
    const auto exported = fixtures::runCli("--export-tensorboard " + sweep + " --out " + logs, dir);
    INFO(exported.err);
    REQUIRE(exported.exitCode == 0);

    for (const char* trial : {"trial-0000", "trial-0001"}) {
        INFO(trial);
        std::vector<std::string> files;
        for (const auto& e : std::filesystem::directory_iterator(std::filesystem::path(logs) / trial))
            files.push_back(e.path().string());
        REQUIRE(files.size() == 1u);
        CHECK(std::filesystem::path(files[0]).filename().string().rfind("events.out.tfevents.", 0) == 0);
        const nlohmann::json read = readEventsJson(files[0], dir);
        CHECK(read["file_version"] == "brain.Event:2");
        const std::string run = sweep + "/" + trial;
        const auto metrics = mnist::readMetricsCsv(run + "/metrics.csv");
        const auto lr = mnist::readLrCsv(run + "/lr.csv");
        const auto loss = mnist::readLossCsv(run + "/loss.csv");
        REQUIRE(metrics.size() == 2u);
        REQUIRE(loss.size() == lr.size());
        std::map<std::string, std::map<int64_t, double>> scalars;
        for (const nlohmann::json& s : read["scalars"])
            scalars[s["tag"].get<std::string>()][s["step"].get<int64_t>()] = s["value"].get<double>();
        REQUIRE(scalars["epoch/test_acc"].size() == 2u);
        for (const auto& m : metrics) {
            CHECK(scalars["epoch/test_acc"][m.epoch] == static_cast<float>(m.testAccuracy));
            CHECK(scalars["epoch/valid_loss"][m.epoch] == static_cast<float>(m.validLoss));
            CHECK(scalars["epoch/train_loss"][m.epoch] == static_cast<float>(m.trainLoss));
            CHECK(scalars["epoch/lr"][m.epoch] == static_cast<float>(m.lr));
        }
        REQUIRE(scalars["iteration/lr"].size() == lr.size());
        REQUIRE(scalars["iteration/loss"].size() == loss.size());
        for (size_t i = 0; i < lr.size(); ++i) {
            CHECK(scalars["iteration/lr"][static_cast<int64_t>(i)] == static_cast<float>(lr[i]));
            CHECK(scalars["iteration/loss"][static_cast<int64_t>(i)] == static_cast<float>(loss[i]));
        }
        CHECK(scalars["run/test_acc_at_best_valid"].size() == 1u);
        CHECK(read["hparams"]["seed"] == 3);
        CHECK(read["hparams"]["lr"] == (std::string(trial) == "trial-0000" ? 0.01 : 0.001));
        CHECK(read["hparams_metrics"].size() == 4u);
        CHECK(read["session_end_status"] == "STATUS_SUCCESS");
    }
    // Neither a run nor a sweep: an error naming the folder.
    const auto bad = fixtures::runCli("--export-tensorboard " + data + " --out " + logs, dir);
    CHECK(bad.exitCode == 1);
    CHECK_THAT(bad.err, Catch::Contains(data) && Catch::Contains("neither a run folder"));
}
