#include "Error.h"
#include "data/DigitCsv.h"
#include "data/IdxReader.h"

#include "data/SkipTest.h"
#include "data/TempDir.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

mnist::ImageSet parse(const std::string& text, const std::string& name = "train.csv", int64_t maxLabel = 9)
{
    return mnist::parseDigitCsv(text.data(), text.size(), name, maxLabel);
}

std::string header(int pixels, bool labeled)
{
    std::string h = labeled ? "label" : "";
    for (int i = 0; i < pixels; ++i)
        h += (h.empty() ? "" : ",") + std::string("pixel") + std::to_string(i);
    return h;
}

// A row of `pixels` values (i * 3 + seed) % 256, after an optional label.
std::string row(int pixels, int label = -1, int seed = 0)
{
    std::string r = label >= 0 ? std::to_string(label) : "";
    for (int i = 0; i < pixels; ++i)
        r += (r.empty() ? "" : ",") + std::to_string((i * 3 + seed) % 256);
    return r;
}

// The message a parse throws, or "" when it does not.
std::string errorOf(const std::string& text, int64_t maxLabel = 9)
{
    try {
        parse(text, "train.csv", maxLabel);
    } catch (const mnist::DataError& e) {
        return e.what();
    }
    return {};
}

} // namespace

TEST_CASE("Kaggle CSV: a labeled file reads its labels and its pixels in row-major order", "[data][csv]")
{
    const std::string text = "label,pixel0,pixel1,pixel2,pixel3\n"
                             "7,0,1,2,3\n"
                             "0,255,128,64,9\n";
    const mnist::ImageSet set = parse(text);
    CHECK(set.count() == 2);
    CHECK(set.channels == 1);
    CHECK(set.height == 2);
    CHECK(set.width == 2);
    CHECK(set.labeled());
    CHECK(set.labels == std::vector<int64_t>{7, 0});
    CHECK(set.pixels == std::vector<uint8_t>{0, 1, 2, 3, 255, 128, 64, 9});
    CHECK(set.sources == std::vector<std::string>{"train.csv:2", "train.csv:3"});
}

TEST_CASE("Kaggle CSV: a file without a label column reads unlabeled images", "[data][csv]")
{
    const std::string text = header(9, false) + "\n" + row(9, -1, 1) + "\n" + row(9, -1, 2) + "\n";
    const mnist::ImageSet set = parse(text, "test.csv");
    CHECK(set.count() == 2);
    CHECK(set.height == 3);
    CHECK(set.width == 3);
    CHECK_FALSE(set.labeled());
    CHECK(set.labels == std::vector<int64_t>{-1, -1});
    CHECK(set.pixels[0] == 1);
    CHECK(set.pixels[9 + 8] == (8 * 3 + 2));
    CHECK(set.sources.back() == "test.csv:3");
}

TEST_CASE("Kaggle CSV: 28x28 rows as Kaggle writes them", "[data][csv]")
{
    std::string text = header(784, true) + "\n";
    for (int i = 0; i < 5; ++i)
        text += row(784, i, i) + "\n";
    const mnist::ImageSet set = parse(text);
    CHECK(set.count() == 5);
    CHECK(set.height == 28);
    CHECK(set.width == 28);
    REQUIRE(set.pixels.size() == 5 * 784);
    for (int i = 0; i < 5; ++i)
        for (int p = 0; p < 784; p += 97)
            CHECK(set.pixels[static_cast<size_t>(i * 784 + p)] == (p * 3 + i) % 256);
    CHECK(set.labels == std::vector<int64_t>{0, 1, 2, 3, 4});
}

TEST_CASE("Kaggle CSV: line ends, BOM, blanks and header names", "[data][csv]")
{
    const std::vector<uint8_t> expected{1, 2, 3, 4, 5, 6, 7, 8};
    SECTION("CRLF line ends")
    {
        const auto set = parse("label,pixel0,pixel1,pixel2,pixel3\r\n1,1,2,3,4\r\n2,5,6,7,8\r\n");
        CHECK(set.pixels == expected);
        CHECK(set.labels == std::vector<int64_t>{1, 2});
    }
    SECTION("a UTF-8 BOM")
    {
        CHECK(parse("\xEF\xBB\xBFlabel,pixel0,pixel1,pixel2,pixel3\n1,1,2,3,4\n2,5,6,7,8\n").pixels == expected);
    }
    SECTION("no line end after the last row, and blank lines at the end")
    {
        CHECK(parse("label,a,b,c,d\n1,1,2,3,4\n2,5,6,7,8").pixels == expected);
        CHECK(parse("label,a,b,c,d\n1,1,2,3,4\n2,5,6,7,8\n\n  \r\n\n").count() == 2);
    }
    SECTION("spaces and tabs around values and names")
    {
        const auto set = parse(" LABEL , p0,p1 ,\tp2,p3\n 1 ,1,  2,3\t,4\n2,5,6,7,8 \n");
        CHECK(set.pixels == expected);
        CHECK(set.labeled());
    }
    SECTION("quoted header names")
    {
        CHECK(parse("\"label\",\"pixel0\",\"pixel1\",\"pixel2\",\"pixel3\"\n1,1,2,3,4\n2,5,6,7,8\n").labeled());
    }
    SECTION("any names: only a first column named label gives labels")
    {
        const auto set = parse("x,y,z,w\n1,2,3,4\n");
        CHECK_FALSE(set.labeled());
        CHECK(set.pixels == std::vector<uint8_t>{1, 2, 3, 4});
    }
    SECTION("leading zeros")
    {
        CHECK(parse("label,a,b,c,d\n001,0001,2,3,0000255\n").pixels == std::vector<uint8_t>{1, 2, 3, 255});
    }
}

TEST_CASE("Kaggle CSV: labels within maxLabel", "[data][csv]")
{
    const std::string text = "label,a,b,c,d\n12,1,2,3,4\n";
    CHECK_THAT(errorOf(text, 9), StartsWith("train.csv:2: label 12 is outside 0..9"));
    CHECK(parse(text, "train.csv", 255).labels == std::vector<int64_t>{12});
    CHECK_THAT(errorOf("label,a,b,c,d\n256,1,2,3,4\n", 255), StartsWith("train.csv:2: label 256 is outside 0..255"));
    CHECK_THAT(errorOf("label,a,b,c,d\n-1,1,2,3,4\n"), StartsWith("train.csv:2: label -1 is outside 0..9"));
    CHECK_THAT(errorOf("label,a,b,c,d\nseven,1,2,3,4\n"),
               StartsWith("train.csv:2, column label: \"seven\" is not a label 0..9"));
}

TEST_CASE("Kaggle CSV: every bad value is named with its file, line and column", "[data][csv]")
{
    const std::string head = header(4, true) + "\n" + row(4, 1) + "\n";
    // Line 3 holds the bad value in pixel2.
    const auto bad = [&](const std::string& value) { return head + "3,1,2," + value + ",4\n" + row(4, 1) + "\n"; };

    CHECK_THAT(errorOf(bad("256")), StartsWith("train.csv:3, column pixel2: 256 is not a pixel value 0..255"));
    CHECK_THAT(errorOf(bad("-1")), StartsWith("train.csv:3, column pixel2: -1 is not a pixel value 0..255"));
    CHECK_THAT(errorOf(bad("12.5")), StartsWith("train.csv:3, column pixel2: \"12.5\" is not a pixel value 0..255") &&
                                         Contains("integer"));
    CHECK_THAT(errorOf(bad("abc")), StartsWith("train.csv:3, column pixel2: \"abc\" is not a pixel value"));
    CHECK_THAT(errorOf(bad("")), StartsWith("train.csv:3, column pixel2: missing value"));
    CHECK_THAT(errorOf(bad("1 2")), StartsWith("train.csv:3, column pixel2: \"1 2\""));
    CHECK_THAT(errorOf(bad("+5")), StartsWith("train.csv:3, column pixel2: \"+5\""));
    CHECK_THAT(errorOf(bad("99999999999999999999999")),
               StartsWith("train.csv:3, column pixel2: 99999999999999999999999 is not"));
    CHECK_THAT(errorOf(bad("\"7\"")), StartsWith("train.csv:3, column pixel2: \"\"7\"\""));
}

TEST_CASE("Kaggle CSV: rows of the wrong length", "[data][csv]")
{
    std::string text = header(784, true) + "\n";
    for (int i = 0; i < 13; ++i)
        text += row(784, 1) + "\n";
    SECTION("a missing pixel, labeled")
    {
        CHECK_THAT(errorOf(text + row(783, 1) + "\n"),
                   StartsWith("train.csv:15: 783 pixels, 784 expected (the header has 785 columns)"));
    }
    SECTION("one pixel too many")
    {
        CHECK_THAT(errorOf(text + row(785, 1) + "\n"), StartsWith("train.csv:15: 785 pixels, 784 expected"));
    }
    SECTION("a trailing comma")
    {
        CHECK_THAT(errorOf(text + row(784, 1) + ",\n"), StartsWith("train.csv:15: 785 pixels, 784 expected"));
    }
    SECTION("unlabeled")
    {
        CHECK_THAT(errorOf(header(4, false) + "\n1,2,3\n"),
                   StartsWith("train.csv:2: 3 pixels, 4 expected (the header has 4 columns)"));
    }
    SECTION("a blank line among the images")
    {
        CHECK_THAT(errorOf(text + "\n" + row(784, 1) + "\n"), StartsWith("train.csv:15: blank line"));
    }
}

TEST_CASE("Kaggle CSV: files that are not a digit CSV", "[data][csv]")
{
    CHECK_THAT(errorOf(""), StartsWith("train.csv: empty file"));
    CHECK_THAT(errorOf("\n\r\n  \n"), StartsWith("train.csv: empty file"));
    CHECK_THAT(errorOf("\xEF\xBB\xBF"), StartsWith("train.csv: empty file"));
    CHECK_THAT(errorOf(header(784, true) + "\n"), StartsWith("train.csv: no images"));
    CHECK_THAT(errorOf(header(784, true)), StartsWith("train.csv: no images"));
    CHECK_THAT(errorOf(row(784, 1) + "\n" + row(784, 2) + "\n"),
               StartsWith("train.csv:1: a header line is expected"));
    CHECK_THAT(errorOf("1.5,2,3,4\n"), StartsWith("train.csv:1: a header line is expected"));
    CHECK_THAT(errorOf("\n1,2,3,4\n"), StartsWith("train.csv:1: the header line is empty"));
    CHECK_THAT(errorOf(header(783, true) + "\n" + row(783, 1) + "\n"),
               StartsWith("train.csv:1: 783 pixel columns do not make a square image") && Contains("28 x 28 = 784"));
    CHECK_THAT(errorOf("label\n1\n"), StartsWith("train.csv:1: the header has no pixel columns"));
}

TEST_CASE("Kaggle CSV: readDigitCsv names the file by its name and a missing file by its path", "[data][csv]")
{
    TempDir dir;
    const std::string path = dir.file("train.csv");
    {
        std::ofstream out(path, std::ios::binary);
        out << "label,a,b,c,d\n1,1,2,3,4\n2,5,6,7,8\n";
    }
    const mnist::ImageSet set = mnist::readDigitCsv(path, 9);
    CHECK(set.sources == std::vector<std::string>{"train.csv:2", "train.csv:3"});
    {
        std::ofstream out(path, std::ios::binary);
        out << "label,a,b,c,d\n1,1,2,3,x\n";
    }
    CHECK_THROWS_WITH(mnist::readDigitCsv(path, 9), StartsWith("train.csv:2, column d: \"x\""));
    CHECK_THROWS_WITH(mnist::readDigitCsv(dir.file("missing.csv")), Contains("missing.csv") && Contains("not found"));
}

TEST_CASE("Kaggle CSV: real MNIST test images written as a CSV read back as the IDX file holds them",
          "[data][csv][real]")
{
    // MNIST_DATA_DIR, else data/mnist under the working folder (CTest runs in the source tree).
    const char* env = std::getenv("MNIST_DATA_DIR");
    const std::string folder = env ? env : "data/mnist";
    std::string images = folder + "/t10k-images-idx3-ubyte", labels = folder + "/t10k-labels-idx1-ubyte";
    if (!std::filesystem::exists(images))
        images += ".gz", labels += ".gz";
    if (!std::filesystem::exists(images) || !std::filesystem::exists(labels))
        return fixtures::skipTest("no MNIST t10k files in " + folder + " (set MNIST_DATA_DIR)");

    const mnist::IdxImages idx = mnist::readIdxImages(images);
    const std::vector<uint8_t> idxLabels = mnist::readIdxLabels(labels);
    const int n = 2000;
    std::string text = header(784, true) + "\r\n";
    for (int i = 0; i < n; ++i) {
        text += std::to_string(idxLabels[static_cast<size_t>(i)]);
        for (int p = 0; p < 784; ++p)
            text += "," + std::to_string(idx.pixels[static_cast<size_t>(i) * 784 + static_cast<size_t>(p)]);
        text += "\r\n";
    }
    const mnist::ImageSet set = parse(text);
    REQUIRE(set.count() == n);
    CHECK(set.height == idx.rows);
    CHECK(set.width == idx.cols);
    CHECK(std::equal(set.pixels.begin(), set.pixels.end(), idx.pixels.begin()));
    for (int i = 0; i < n; ++i)
        REQUIRE(set.labels[static_cast<size_t>(i)] == idxLabels[static_cast<size_t>(i)]);
}
