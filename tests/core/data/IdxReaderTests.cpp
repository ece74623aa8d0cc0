#include "Error.h"
#include "data/IdxReader.h"

#include "FuzzChecks.h" // gzipBytes
#include "data/IdxFixtures.h"
#include "data/TempDir.h"

#include <catch2/catch.hpp>

using Catch::Matchers::Contains;
using namespace fixtures;

namespace {

std::vector<uint8_t> ramp(size_t n)
{
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i < n; ++i)
        v[i] = static_cast<uint8_t>(i * 7);
    return v;
}

} // namespace

TEST_CASE("IDX reader reads image and label files, plain and gzipped", "[data]")
{
    TempDir dir;
    const bool gz = GENERATE(false, true);
    const auto pixels = ramp(3 * 4 * 5);
    const std::string images = dir.file(gz ? "img.gz" : "img");
    const std::string labels = dir.file(gz ? "lab.gz" : "lab");
    writeIdxImages(images, 3, 4, 5, pixels, gz);
    writeIdxLabels(labels, {7, 0, 9}, gz);

    const mnist::IdxImages read = mnist::readIdxImages(images);
    CHECK(read.count == 3);
    CHECK(read.rows == 4);
    CHECK(read.cols == 5);
    CHECK(read.pixels == pixels);
    CHECK(mnist::readIdxLabels(labels) == std::vector<uint8_t>{7, 0, 9});
}

TEST_CASE("IDX reader names the file and the problem for every bad file", "[data]")
{
    TempDir dir;
    const std::string path = dir.file("bad-file");

    SECTION("missing file")
    {
        CHECK_THROWS_WITH(mnist::readIdxImages(path), Contains("bad-file") && Contains("not found"));
        CHECK_THROWS_AS(mnist::readIdxLabels(path), mnist::DataError);
    }
    SECTION("a label file given as images: wrong magic")
    {
        writeIdxLabels(path, {1, 2, 3});
        CHECK_THROWS_WITH(mnist::readIdxImages(path),
                          Contains("bad-file") && Contains("wrong magic") && Contains("label file"));
    }
    SECTION("an image file given as labels: wrong magic")
    {
        writeIdxImages(path, 1, 2, 2, ramp(4));
        CHECK_THROWS_WITH(mnist::readIdxLabels(path), Contains("wrong magic") && Contains("image file"));
    }
    SECTION("truncated pixel data")
    {
        writeIdxImages(path, 10, 28, 28, ramp(9 * 784));
        CHECK_THROWS_WITH(mnist::readIdxImages(path), Contains("bad-file") && Contains("truncated"));
    }
    SECTION("truncated gzipped pixel data")
    {
        writeIdxImages(path, 10, 28, 28, ramp(9 * 784), true);
        CHECK_THROWS_WITH(mnist::readIdxImages(path), Contains("truncated"));
    }
    SECTION("truncated header")
    {
        writeBytes(path, {0, 0, 8, 3, 0, 0});
        CHECK_THROWS_WITH(mnist::readIdxImages(path), Contains("truncated") && Contains("header"));
    }
    SECTION("truncated labels")
    {
        writeIdxLabels(path, {1, 2}, false, 0x801, 5);
        CHECK_THROWS_WITH(mnist::readIdxLabels(path), Contains("truncated"));
    }
    SECTION("label outside 0..9")
    {
        writeIdxLabels(path, {1, 12, 3});
        CHECK_THROWS_WITH(mnist::readIdxLabels(path), Contains("label 12") && Contains("index 1"));
    }
    SECTION("zero-sized dimensions")
    {
        writeIdxImages(path, 5, 0, 28, {});
        CHECK_THROWS_WITH(mnist::readIdxImages(path), Contains("zero-sized"));
        writeIdxImages(path, 0, 28, 28, {});
        CHECK_THROWS_WITH(mnist::readIdxImages(path), Contains("zero-sized"));
        writeIdxLabels(path, {});
        CHECK_THROWS_WITH(mnist::readIdxLabels(path), Contains("zero-sized"));
    }
    SECTION("a header announcing absurd sizes fails fast instead of allocating")
    {
        writeIdxImages(path, 0xFFFFFFFF, 0xFFFF, 0xFFFF, ramp(16));
        CHECK_THROWS_AS(mnist::readIdxImages(path), mnist::DataError);
    }
    SECTION("damaged gzip stream")
    {
        writeIdxImages(path, 4, 28, 28, ramp(4 * 784), true);
        auto bytes = readBytes(path);
        for (size_t i = 20; i < bytes.size() - 8; i += 3)
            bytes[i] ^= 0x5a;
        writeBytes(path, bytes);
        CHECK_THROWS_AS(mnist::readIdxImages(path), mnist::DataError);
    }
    SECTION("a folder instead of a file")
    {
        CHECK_THROWS_WITH(mnist::readIdxImages(dir.path().string()), Contains("folder"));
    }
}

TEST_CASE("IDX reader works on bytes in memory, gzip members in a row and cut gzip streams", "[data]")
{
    TempDir dir;
    const std::string path = dir.file("img");
    writeIdxImages(path, 2, 3, 3, ramp(18));
    const std::vector<uint8_t> plain = readBytes(path);

    const mnist::IdxImages fromMemory = mnist::parseIdxImages(plain.data(), plain.size(), "in memory");
    CHECK(fromMemory.count == 2);
    CHECK(fromMemory.pixels == ramp(18));

    writeIdxImages(path, 2, 3, 3, ramp(18), true);
    const std::vector<uint8_t> gz = readBytes(path);
    SECTION("two gzip members read as one stream, as cat a.gz b.gz makes")
    {
        std::vector<uint8_t> both = fuzzchecks::gzipBytes(plain.data(), 20);
        const std::vector<uint8_t> second = fuzzchecks::gzipBytes(plain.data() + 20, plain.size() - 20);
        both.insert(both.end(), second.begin(), second.end());
        CHECK(mnist::parseIdxImages(both.data(), both.size(), "x").pixels == ramp(18));
    }
    SECTION("a gzip stream cut short is reported as truncated, naming the file")
    {
        const std::vector<uint8_t> cut(gz.begin(), gz.begin() + static_cast<std::ptrdiff_t>(gz.size() / 2));
        CHECK_THROWS_WITH(mnist::parseIdxImages(cut.data(), cut.size(), "cut.gz"),
                          Contains("cut.gz") && Contains("truncated"));
    }
    SECTION("bytes after the last gzip member are ignored, as gzip readers do")
    {
        std::vector<uint8_t> trailing = gz;
        trailing.insert(trailing.end(), {'j', 'u', 'n', 'k'});
        CHECK(mnist::parseIdxImages(trailing.data(), trailing.size(), "x").pixels == ramp(18));
    }
}
