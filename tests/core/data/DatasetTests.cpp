#include "TestPaths.h"
#include "Error.h"
#include "data/Dataset.h"

#include "data/IdxFixtures.h"
#include "data/TempDir.h"

#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <filesystem>

using Catch::Matchers::Contains;

TEST_CASE("The notebook's split keeps the first 80% for training and the rest for validation", "[data]")
{
    TempDir dir;
    fixtures::writeSyntheticDataset(dir.path().string(), 250, 40, GENERATE(false, true));
    const mnist::DataSplits s = mnist::loadSplits(dir.path().string());
    REQUIRE(s.train.size() == 200);
    REQUIRE(s.valid.size() == 50);
    REQUIRE(s.test.size() == 40);
    CHECK(s.train.images.scalar_type() == torch::kUInt8);
    CHECK(s.train.images.sizes() == torch::IntArrayRef({200, 1, 28, 28}));

    const mnist::Dataset all = mnist::loadIdxFolder(dir.path().string(), true);
    CHECK(torch::equal(s.train.images, all.images.narrow(0, 0, 200)));
    CHECK(torch::equal(s.valid.images, all.images.narrow(0, 200, 50)));
    CHECK(torch::equal(s.valid.labels, all.labels.narrow(0, 200, 50)));
    CHECK(s.train.labels.max().item<int64_t>() <= 9);
}

TEST_CASE("A folder's training image count comes from the header alone, plain or gzipped", "[data]")
{
    TempDir plain, gz, empty;
    fixtures::writeSyntheticDataset(plain.path().string(), 123, 10);
    fixtures::writeSyntheticDataset(gz.path().string(), 77, 10, true);
    CHECK(mnist::trainingImageCount(plain.path().string()) == 123);
    CHECK(mnist::trainingImageCount(gz.path().string()) == 77);
    CHECK(mnist::trainingImageCount(empty.path().string()) == -1);
    CHECK(mnist::trainingImageCount(empty.file("missing")) == -1);
    // Not IDX: no count, rather than a wrong one.
    fixtures::writeBytes(empty.file("train-images-idx3-ubyte"), {'h', 'e', 'l', 'l', 'o', '!', '!', '!', '!'});
    CHECK(mnist::trainingImageCount(empty.path().string()) == -1);
}

TEST_CASE("Loading a dataset folder reports what is missing", "[data]")
{
    TempDir dir;
    SECTION("no folder")
    {
        CHECK_THROWS_WITH(mnist::loadSplits(dir.file("nope")), Contains("does not exist"));
    }
    SECTION("no label file")
    {
        fixtures::writeSyntheticDataset(dir.path().string(), 20, 10);
        std::filesystem::remove(dir.file("t10k-labels-idx1-ubyte"));
        CHECK_THROWS_WITH(mnist::loadSplits(dir.path().string()), Contains("t10k-labels-idx1-ubyte"));
    }
    SECTION("images and labels disagree in count")
    {
        fixtures::writeSyntheticDataset(dir.path().string(), 20, 10);
        fixtures::writeIdxLabels(dir.file("t10k-labels-idx1-ubyte"), std::vector<uint8_t>(9, 1));
        CHECK_THROWS_WITH(mnist::loadSplits(dir.path().string()), Contains("10 images") && Contains("9 labels"));
    }
    SECTION("a split that leaves validation empty")
    {
        fixtures::writeSyntheticDataset(dir.path().string(), 20, 10);
        CHECK_THROWS_AS(mnist::loadSplits(dir.path().string(), 0.01), mnist::DataError);
    }
}

TEST_CASE("The real MNIST files split into 48,000 / 12,000 / 10,000 images", "[data][real-data]")
{
    const std::string folder = std::string(MNIST_DATA_DIR) + "/mnist";
    REQUIRE(std::filesystem::exists(folder + "/train-images-idx3-ubyte")); // make test fetches it
    const mnist::DataSplits s = mnist::loadSplits(folder);
    CHECK(s.train.size() == 48000);
    CHECK(s.valid.size() == 12000);
    CHECK(s.test.size() == 10000);
    // Label counts of the standard files.
    const auto counts = torch::bincount(s.test.labels);
    CHECK(counts[0].item<int64_t>() == 980);
    CHECK(counts[1].item<int64_t>() == 1135);
    CHECK(counts[9].item<int64_t>() == 1009);
}
