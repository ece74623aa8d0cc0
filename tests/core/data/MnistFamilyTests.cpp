#include "Error.h"
#include "data/MnistFamily.h"

#include "data/IdxFixtures.h"
#include "data/TempDir.h"

#include <catch2/catch.hpp>
#include <zlib.h>

#include <filesystem>
#include <fstream>

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using namespace fixtures;

namespace {

void writeText(const std::string& path, const std::string& text)
{
    writeBytes(path, std::vector<uint8_t>(text.begin(), text.end()));
}

void putBigEndian(std::vector<uint8_t>& out, uint32_t v)
{
    for (int shift = 24; shift >= 0; shift -= 8)
        out.push_back(static_cast<uint8_t>(v >> shift));
}

// QMNIST's label table: magic, rows, cols, then int32 big-endian values row by row.
std::vector<uint8_t> int32Table(const std::vector<std::vector<int32_t>>& rows, uint32_t magic = 0x00000C02)
{
    std::vector<uint8_t> b;
    putBigEndian(b, magic);
    putBigEndian(b, static_cast<uint32_t>(rows.size()));
    putBigEndian(b, rows.empty() ? 0 : static_cast<uint32_t>(rows[0].size()));
    for (const auto& row : rows)
        for (int32_t v : row)
            putBigEndian(b, static_cast<uint32_t>(v));
    return b;
}

// An asymmetric 3x2 image (3 rows of 2): every pixel differs, so a transposition shows.
const std::vector<uint8_t> kUpright{1, 2, 3, 4, 5, 6};
// The same image as EMNIST stores it: the file's rows are the upright image's columns (2 rows of 3).
const std::vector<uint8_t> kStored{1, 3, 5, 2, 4, 6};

std::vector<uint8_t> repeat(const std::vector<uint8_t>& image, int n)
{
    std::vector<uint8_t> out;
    for (int i = 0; i < n; ++i)
        out.insert(out.end(), image.begin(), image.end());
    return out;
}

// emnist-<split> files in `folder`: `labels` images of kStored, train and test.
void writeEmnist(const std::string& folder, const std::string& split, const std::string& mapping,
                 const std::vector<uint8_t>& labels, bool gz = true)
{
    const std::string prefix = folder + "/emnist-" + split;
    const std::string ext = gz ? ".gz" : "";
    const auto n = static_cast<uint32_t>(labels.size());
    writeIdxImages(prefix + "-train-images-idx3-ubyte" + ext, n, 2, 3, repeat(kStored, static_cast<int>(n)), gz);
    writeIdxLabels(prefix + "-train-labels-idx1-ubyte" + ext, labels, gz);
    writeIdxImages(prefix + "-test-images-idx3-ubyte" + ext, 1, 2, 3, kStored, gz);
    writeIdxLabels(prefix + "-test-labels-idx1-ubyte" + ext, {labels[0]}, gz);
    writeText(prefix + "-mapping.txt", mapping);
}

std::string lettersMapping()
{
    std::string text;
    for (int i = 1; i <= 26; ++i)
        text += std::to_string(i) + " " + std::to_string(64 + i) + " " + std::to_string(96 + i) + "\n";
    return text;
}

} // namespace

TEST_CASE("MNIST and Fashion-MNIST class names", "[data][family]")
{
    CHECK(mnist::mnistClassNames().size() == 10);
    CHECK(mnist::mnistClassNames()[7] == "7");
    const auto fashion = mnist::fashionMnistClassNames();
    REQUIRE(fashion.size() == 10);
    CHECK(fashion[0] == "T-shirt/top");
    CHECK(fashion[9] == "Ankle boot");
}

TEST_CASE("EMNIST mapping: names from the codes, labels in line order", "[data][family][emnist]")
{
    std::vector<int64_t> ids;
    SECTION("one code per line, as balanced and digits")
    {
        const auto names = mnist::parseEmnistMapping("0 48\n1 49\r\n36 97\n\n", "m.txt", ids);
        CHECK(names == std::vector<std::string>{"0", "1", "a"});
        CHECK(ids == std::vector<int64_t>{0, 1, 36});
    }
    SECTION("two codes, as letters: both characters")
    {
        const auto names = mnist::parseEmnistMapping(lettersMapping(), "m.txt", ids);
        REQUIRE(names.size() == 26);
        CHECK(names[0] == "A/a");
        CHECK(names[25] == "Z/z");
        CHECK(ids.front() == 1);
        CHECK(ids.back() == 26);
    }
    SECTION("a code beyond ASCII is written in UTF-8; two equal codes give one character")
    {
        CHECK(mnist::parseEmnistMapping("0 228\n1 66 66\n", "m.txt", ids) == std::vector<std::string>{"\xC3\xA4", "B"});
    }
    SECTION("bad mappings name the file and line")
    {
        CHECK_THROWS_WITH(mnist::parseEmnistMapping("0 48\n1 x\n", "m.txt", ids), StartsWith("m.txt:2: expected"));
        CHECK_THROWS_WITH(mnist::parseEmnistMapping("0 48\n1\n", "m.txt", ids), StartsWith("m.txt:2: expected"));
        CHECK_THROWS_WITH(mnist::parseEmnistMapping("0 48 49 50\n", "m.txt", ids), StartsWith("m.txt:1: expected"));
        CHECK_THROWS_WITH(mnist::parseEmnistMapping("0 48\n0 49\n", "m.txt", ids),
                          StartsWith("m.txt:2: label 0 is mapped twice"));
        CHECK_THROWS_WITH(mnist::parseEmnistMapping("256 48\n", "m.txt", ids), StartsWith("m.txt:1: label 256"));
        CHECK_THROWS_WITH(mnist::parseEmnistMapping("1 55296\n", "m.txt", ids),
                          StartsWith("m.txt:1: 55296 is not a Unicode character"));
        CHECK_THROWS_WITH(mnist::parseEmnistMapping("\n \n", "m.txt", ids), StartsWith("m.txt: no classes"));
    }
}

TEST_CASE("EMNIST: images read upright, labels mapped from 1 to 0, names from the mapping", "[data][family][emnist]")
{
    TempDir dir;
    const bool gz = GENERATE(false, true);
    writeEmnist(dir.path().string(), "letters", lettersMapping(), {1, 26, 5}, gz);

    const auto check = [&](const mnist::FamilyData& data) {
        CHECK(data.name == "emnist-letters");
        CHECK(data.classes.size() == 26);
        CHECK(data.classes[4] == "E/e");
        CHECK(data.train.count() == 3);
        CHECK(data.train.height == 3);
        CHECK(data.train.width == 2);
        CHECK(data.train.labels == std::vector<int64_t>{0, 25, 4});
        CHECK(data.train.pixels == repeat(kUpright, 3));
        CHECK(data.test.labels == std::vector<int64_t>{0});
        CHECK(data.test.pixels == kUpright);
        CHECK(data.train.sources.empty());
    };
    SECTION("the folder") { check(mnist::readEmnist(dir.path().string())); }
    SECTION("the path prefix") { check(mnist::readEmnist(dir.file("emnist-letters"))); }
    SECTION("the folder above gzip/")
    {
        TempDir top;
        std::filesystem::rename(dir.path(), top.path() / "gzip");
        check(mnist::readEmnist(top.path().string()));
        std::filesystem::rename(top.path() / "gzip", dir.path());
    }
}

TEST_CASE("EMNIST: what the reader refuses, named", "[data][family][emnist]")
{
    TempDir dir;
    const std::string folder = dir.path().string();
    SECTION("a label outside the mapping names the labels file, the index and the label")
    {
        writeEmnist(folder, "letters", lettersMapping(), {1, 27, 5});
        CHECK_THROWS_WITH(mnist::readEmnist(folder),
                          Contains("emnist-letters-train-labels-idx1-ubyte.gz: label 27 at index 1") &&
                              Contains("not in the mapping"));
    }
    SECTION("several splits in one folder: the error lists them and says what to pass")
    {
        writeEmnist(folder, "letters", lettersMapping(), {1, 2});
        writeEmnist(folder, "digits", "0 48\n1 49\n", {0, 1});
        CHECK_THROWS_WITH(mnist::readEmnist(folder), Contains("several EMNIST splits (digits, letters)") &&
                                                         Contains("FOLDER/emnist-<split>"));
        CHECK(mnist::readEmnist(folder + "/emnist-digits").classes == std::vector<std::string>{"0", "1"});
    }
    SECTION("no EMNIST files")
    {
        CHECK_THROWS_WITH(mnist::readEmnist(folder), StartsWith(folder + ": no EMNIST files"));
        CHECK_THROWS_WITH(mnist::readEmnist(folder + "/mnist"), Contains("not a folder nor a path prefix"));
    }
    SECTION("a missing file")
    {
        writeEmnist(folder, "digits", "0 48\n1 49\n", {0, 1});
        std::filesystem::remove(folder + "/emnist-digits-train-labels-idx1-ubyte.gz");
        CHECK_THROWS_WITH(mnist::readEmnist(folder),
                          Contains("emnist-digits-train-labels-idx1-ubyte[.gz]: file not found"));
        std::filesystem::remove(folder + "/emnist-digits-mapping.txt");
        CHECK_THROWS_WITH(mnist::readEmnist(folder + "/emnist-digits"),
                          Contains("emnist-digits-mapping.txt: file not found"));
    }
    SECTION("images and labels that disagree in count")
    {
        writeEmnist(folder, "digits", "0 48\n1 49\n", {0, 1});
        writeIdxLabels(folder + "/emnist-digits-train-labels-idx1-ubyte.gz", {0, 1, 1}, true);
        CHECK_THROWS_WITH(mnist::readEmnist(folder), Contains("3 labels for 2 images"));
    }
}

TEST_CASE("KMNIST: the class map gives UTF-8 names, images are not transposed", "[data][family][kmnist]")
{
    TempDir dir;
    const std::string folder = dir.path().string();
    writeIdxImages(folder + "/train-images-idx3-ubyte.gz", 2, 3, 2, repeat(kUpright, 2), true);
    writeIdxLabels(folder + "/train-labels-idx1-ubyte.gz", {0, 2}, true);
    writeIdxImages(folder + "/t10k-images-idx3-ubyte", 1, 3, 2, kUpright);
    writeIdxLabels(folder + "/t10k-labels-idx1-ubyte", {1});
    const std::string map = "index,codepoint,char\r\n0,U+304A,\xE3\x81\x8A\r\n1,U+304D,\xE3\x81\x8D\r\n"
                            "2,U+3059,\xE3\x81\x99\r\n";

    SECTION("with the class map")
    {
        writeText(folder + "/kmnist_classmap.csv", map);
        const mnist::FamilyData data = mnist::readKmnist(folder);
        CHECK(data.name == "kmnist");
        CHECK(data.classes == std::vector<std::string>{"\xE3\x81\x8A", "\xE3\x81\x8D", "\xE3\x81\x99"});
        CHECK(data.train.height == 3);
        CHECK(data.train.width == 2);
        CHECK(data.train.pixels == repeat(kUpright, 2));
        CHECK(data.train.labels == std::vector<int64_t>{0, 2});
        CHECK(data.test.labels == std::vector<int64_t>{1});
    }
    SECTION("without the class map")
    {
        CHECK_THROWS_WITH(mnist::readKmnist(folder), Contains("kmnist_classmap.csv: file not found"));
    }
    SECTION("a label the class map does not have")
    {
        writeText(folder + "/kmnist_classmap.csv", "index,codepoint,char\n0,U+304A,\xE3\x81\x8A\n");
        CHECK_THROWS_WITH(mnist::readKmnist(folder),
                          Contains("train-labels-idx1-ubyte.gz: label 2 at index 1 is outside the class map's 0..0"));
    }
    SECTION("without test files the test set is empty")
    {
        writeText(folder + "/kmnist_classmap.csv", map);
        std::filesystem::remove(folder + "/t10k-images-idx3-ubyte");
        std::filesystem::remove(folder + "/t10k-labels-idx1-ubyte");
        const mnist::FamilyData data = mnist::readKmnist(folder);
        CHECK(data.test.count() == 0);
        CHECK(data.test.height == 3);
    }
}

TEST_CASE("KMNIST class map: what it refuses, with file and line", "[data][family][kmnist]")
{
    const auto error = [](const std::string& text) {
        try {
            mnist::parseKmnistClassMap(text, "map.csv");
        } catch (const mnist::DataError& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    CHECK(mnist::parseKmnistClassMap("\xEF\xBB\xBFIndex, Codepoint, Char\n0,U+002C,,\n1,U+0041,A\n\n", "map.csv") ==
          std::vector<std::string>{",", "A"});
    CHECK_THAT(error(""), StartsWith("map.csv: empty file"));
    CHECK_THAT(error("index,codepoint,char\n"), StartsWith("map.csv: no classes"));
    CHECK_THAT(error("index,char\n0,A\n"), StartsWith("map.csv:1: expected the header"));
    CHECK_THAT(error("index,codepoint,char\n0,U+0041\n"), StartsWith("map.csv:2: expected"));
    CHECK_THAT(error("index,codepoint,char\n1,U+0041,A\n"), StartsWith("map.csv:2: index \"1\", expected 0"));
    CHECK_THAT(error("index,codepoint,char\n0,65,A\n"), StartsWith("map.csv:2: \"65\" is not a code point"));
    CHECK_THAT(error("index,codepoint,char\n0,U+0041,B\n"), StartsWith("map.csv:2: the character \"B\" is not U+0041"));
    CHECK_THAT(error("index,codepoint,char\n0,U+0041,A\n\n1,U+0042,B\n"),
               StartsWith("map.csv:4: a class after a blank"));
}

TEST_CASE("QMNIST: the class is column 0 of the int32 label table", "[data][family][qmnist]")
{
    TempDir dir;
    const std::string folder = dir.path().string();
    const auto table = int32Table({{3, 4, 100, 7, 0, 0, 0, 0}, {9, 8, 200, -1, 0, 0, 0, 0}});

    SECTION("parsed in memory, plain and gzipped")
    {
        CHECK(mnist::parseQmnistLabels(table.data(), table.size(), "l") == std::vector<int64_t>{3, 9});
        const std::string gz = folder + "/table.gz";
        gzFile f = gzopen(gz.c_str(), "wb");
        REQUIRE(f);
        gzwrite(f, table.data(), static_cast<unsigned>(table.size()));
        gzclose(f);
        const auto compressed = readBytes(gz);
        CHECK(mnist::parseQmnistLabels(compressed.data(), compressed.size(), "l") == std::vector<int64_t>{3, 9});
    }
    SECTION("the train/test folder")
    {
        writeIdxImages(folder + "/qmnist-train-images-idx3-ubyte.gz", 2, 3, 2, repeat(kUpright, 2), true);
        writeBytes(folder + "/qmnist-train-labels-idx2-int", table);
        writeIdxImages(folder + "/qmnist-test-images-idx3-ubyte", 1, 3, 2, kUpright);
        writeBytes(folder + "/qmnist-test-labels-idx2-int", int32Table({{5, 0}}));
        const mnist::FamilyData data = mnist::readQmnist(folder);
        CHECK(data.name == "qmnist");
        CHECK(data.classes == mnist::mnistClassNames());
        CHECK(data.train.labels == std::vector<int64_t>{3, 9});
        CHECK(data.train.pixels == repeat(kUpright, 2));
        CHECK(data.test.labels == std::vector<int64_t>{5});
    }
    SECTION("xnist: all images as one set")
    {
        writeIdxImages(folder + "/xnist-images-idx3-ubyte", 2, 3, 2, repeat(kUpright, 2));
        writeBytes(folder + "/xnist-labels-idx2-int", table);
        const mnist::FamilyData data = mnist::readQmnist(folder);
        CHECK(data.name == "xnist");
        CHECK(data.train.labels == std::vector<int64_t>{3, 9});
        CHECK(data.test.count() == 0);
    }
    SECTION("a label file that is not an int32 table: wrong magic")
    {
        writeIdxImages(folder + "/qmnist-train-images-idx3-ubyte", 2, 3, 2, repeat(kUpright, 2));
        writeIdxLabels(folder + "/qmnist-train-labels-idx2-int", {3, 9});
        CHECK_THROWS_WITH(mnist::readQmnist(folder),
                          Contains("qmnist-train-labels-idx2-int: wrong magic number 0x00000801, expected "
                                   "0x00000C02") &&
                              Contains("label file"));
    }
    SECTION("a class outside 0..9")
    {
        const auto bad = int32Table({{3, 0}, {10, 0}});
        CHECK_THROWS_WITH(mnist::parseQmnistLabels(bad.data(), bad.size(), "labels.bin"),
                          StartsWith("labels.bin: label 10 in row 1 (column 0, the class) is outside 0..9"));
        const auto negative = int32Table({{-3}});
        CHECK_THROWS_WITH(mnist::parseQmnistLabels(negative.data(), negative.size(), "labels.bin"),
                          StartsWith("labels.bin: label -3 in row 0"));
    }
    SECTION("a truncated table and a zero-sized one")
    {
        auto cut = table;
        cut.resize(cut.size() - 1);
        CHECK_THROWS_WITH(mnist::parseQmnistLabels(cut.data(), cut.size(), "labels.bin"),
                          StartsWith("labels.bin: file is truncated"));
        const auto empty = int32Table({});
        CHECK_THROWS_WITH(mnist::parseQmnistLabels(empty.data(), empty.size(), "labels.bin"),
                          StartsWith("labels.bin: zero-sized dimension"));
    }
    SECTION("more labels than images")
    {
        writeIdxImages(folder + "/qmnist-train-images-idx3-ubyte", 1, 3, 2, kUpright);
        writeBytes(folder + "/qmnist-train-labels-idx2-int", table);
        CHECK_THROWS_WITH(mnist::readQmnist(folder),
                          Contains("qmnist-train-labels-idx2-int: 2 labels for 1 images in "
                                   "qmnist-train-images-idx3-ubyte"));
    }
}
