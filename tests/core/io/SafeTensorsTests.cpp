#include "Error.h"
#include "io/SafeTensors.h"
#include "io/StateDict.h"
#include "models/ModelRegistry.h"

#include "data/IdxFixtures.h"
#include "data/TempDir.h"

#include <catch2/catch.hpp>
#include <torch/torch.h>

using Catch::Matchers::Contains;

TEST_CASE("safetensors round-trips F32, I64 and scalar tensors", "[io]")
{
    TempDir dir;
    const std::string path = dir.file("t.safetensors");
    const torch::Tensor a = torch::randn({3, 4});
    const torch::Tensor b = torch::arange(5, torch::kInt64);
    const torch::Tensor c = torch::tensor(42, torch::kInt64); // like num_batches_tracked
    mnist::writeSafeTensors(path, {{"a", a}, {"b", b}, {"c", c}});
    const auto back = mnist::readSafeTensors(path);
    REQUIRE(back.size() == 3);
    CHECK(torch::equal(back.at("a"), a));
    CHECK(torch::equal(back.at("b"), b));
    CHECK(back.at("c").dim() == 0);
    CHECK(back.at("c").item<int64_t>() == 42);
    // The header length is padded so the data starts 8-byte aligned.
    const auto bytes = fixtures::readBytes(path);
    uint64_t headerLen = 0;
    for (int i = 7; i >= 0; --i)
        headerLen = (headerLen << 8) | bytes[i];
    CHECK(headerLen % 8 == 0);
}

TEST_CASE("A model's weights saved and loaded give the same outputs", "[io][models]")
{
    TempDir dir;
    torch::manual_seed(3);
    const auto a = mnist::createNetwork("LeNetDropBN");
    const auto b = mnist::createNetwork("LeNetDropBN");
    a->eval();
    b->eval();
    const torch::Tensor x = torch::rand({4, 1, 28, 28});
    REQUIRE_FALSE(torch::allclose(a->forward(x), b->forward(x)));
    mnist::saveWeights(*a, dir.file("w.safetensors"));
    mnist::loadWeights(*b, dir.file("w.safetensors"));
    CHECK(torch::equal(a->forward(x), b->forward(x)));
}

TEST_CASE("safetensors reader rejects damaged files with a message", "[io]")
{
    TempDir dir;
    const std::string path = dir.file("bad.safetensors");
    mnist::writeSafeTensors(path, {{"w", torch::ones({16, 16})}});
    auto bytes = fixtures::readBytes(path);

    SECTION("truncated data")
    {
        bytes.resize(bytes.size() - 10);
        fixtures::writeBytes(path, bytes);
        CHECK_THROWS_WITH(mnist::readSafeTensors(path), Contains("'w'") && Contains("outside"));
    }
    SECTION("header length larger than the file")
    {
        bytes[5] = 0x7f;
        fixtures::writeBytes(path, bytes);
        CHECK_THROWS_WITH(mnist::readSafeTensors(path), Contains("header length"));
    }
    SECTION("header that is not JSON")
    {
        bytes[8] = '!';
        fixtures::writeBytes(path, bytes);
        CHECK_THROWS_WITH(mnist::readSafeTensors(path), Contains("JSON"));
    }
    SECTION("shorter than 8 bytes")
    {
        fixtures::writeBytes(path, {1, 2, 3});
        CHECK_THROWS_AS(mnist::readSafeTensors(path), mnist::IoError);
    }
    SECTION("missing file")
    {
        CHECK_THROWS_WITH(mnist::readSafeTensors(dir.file("none")), Contains("cannot open"));
    }
    SECTION("a folder instead of a file")
    {
        CHECK_THROWS_AS(mnist::readSafeTensors(dir.path().string()), mnist::IoError);
    }
    SECTION("a shape or offset that is not a non-negative integer")
    {
        // Found by fuzzing: these reached a float-to-integer cast out of range.
        const auto header = [](const std::string& json) {
            std::vector<uint8_t> b(8, 0);
            b[0] = static_cast<uint8_t>(json.size());
            b.insert(b.end(), json.begin(), json.end());
            b.insert(b.end(), 4, 0);
            return b;
        };
        fixtures::writeBytes(path, header(R"({"w":{"dtype":"F32","shape":[1e300],"data_offsets":[0,4]}})"));
        CHECK_THROWS_WITH(mnist::readSafeTensors(path), Contains("'w'") && Contains("out of range"));
        fixtures::writeBytes(path, header(R"({"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}})"));
        CHECK_THROWS_WITH(mnist::readSafeTensors(path), Contains("'w'") && Contains("integer"));
        fixtures::writeBytes(path, header(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[-1.5,4]}})"));
        CHECK_THROWS_AS(mnist::readSafeTensors(path), mnist::IoError);
    }
}

TEST_CASE("Writing weights into a folder that does not exist fails with the path", "[io]")
{
    TempDir dir;
    const std::string path = dir.file("no/such/folder/w.safetensors");
    CHECK_THROWS_WITH(mnist::writeSafeTensors(path, {{"w", torch::ones({2})}}), Contains(path));
}
