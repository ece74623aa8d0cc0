#include "Error.h"
#include "formats/SafeTensors.h"
#include "formats/StateDict.h"
#include "models/ModelRegistry.h"

#include "data/IdxFixtures.h"
#include "data/TempDir.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cstring>

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

namespace {

// A safetensors file from a header's JSON and `dataBytes` bytes of data (values 0, 1, 2...).
std::vector<uint8_t> craftedFile(const std::string& json, size_t dataBytes)
{
    std::vector<uint8_t> b(8, 0);
    uint64_t n = json.size();
    for (int i = 0; i < 8; ++i, n >>= 8)
        b[i] = static_cast<uint8_t>(n & 0xff);
    b.insert(b.end(), json.begin(), json.end());
    for (size_t i = 0; i < dataBytes; ++i)
        b.push_back(static_cast<uint8_t>(i));
    return b;
}

} // namespace

TEST_CASE("safetensors reader refuses offsets that overlap, leave gaps or leave bytes unclaimed", "[io]")
{
    TempDir dir;
    const std::string path = dir.file("layout.safetensors");
    const auto refused = [&](const std::string& json, size_t dataBytes) -> std::string {
        fixtures::writeBytes(path, craftedFile(json, dataBytes));
        try {
            mnist::readSafeTensors(path);
        } catch (const mnist::IoError& e) {
            return e.what();
        }
        return "(accepted)";
    };
    const std::string a = R"("a":{"dtype":"F32","shape":[2],"data_offsets":)";
    const std::string b = R"("b":{"dtype":"F32","shape":[2],"data_offsets":)";

    CHECK_THAT(refused("{" + a + "[0,8]}," + b + "[4,12]}}", 12),
               Contains(path) && Contains("tensor 'b'") && Contains("overlap tensor 'a' [0, 8)"));
    CHECK_THAT(refused("{" + a + "[0,8]}," + b + "[0,8]}}", 8), Contains("tensor 'b'") && Contains("overlap tensor 'a'"));
    CHECK_THAT(refused("{" + a + "[0,8]}," + b + "[12,20]}}", 20),
               Contains(path) && Contains("tensor 'b'") && Contains("gap of 4 bytes after tensor 'a'"));
    CHECK_THAT(refused("{" + a + "[4,12]}}", 12), Contains("tensor 'a'") && Contains("must begin at 0"));
    CHECK_THAT(refused("{" + a + "[0,8]}}", 12), Contains(path) && Contains("4 bytes of data after the last tensor 'a'"));
    CHECK_THAT(refused("{}", 4), Contains("4 bytes of data after a header with no tensors"));

    // Dense and ordered by offset, whatever the order of the header's keys: accepted.
    CHECK(refused("{" + b + "[0,8]}," + a + "[8,16]}}", 16) == "(accepted)");
    // Empty tensors take no bytes, wherever the running offset is.
    CHECK(refused("{" + a + "[0,8]}," + R"("e":{"dtype":"F32","shape":[0],"data_offsets":[8,8]},)" + b + "[8,16]}}", 16) ==
          "(accepted)");
    CHECK(refused("{}", 0) == "(accepted)");
    fixtures::writeBytes(path, craftedFile("{" + b + "[0,8]}," + a + "[8,16]}}", 16));
    const auto t = mnist::readSafeTensors(path);
    const std::vector<uint8_t> data = craftedFile("", 16); // the same 16 data bytes after 8 length bytes
    CHECK(std::memcmp(t.at("b").data_ptr(), data.data() + 8, 8) == 0);
    CHECK(std::memcmp(t.at("a").data_ptr(), data.data() + 16, 8) == 0);
}

TEST_CASE("safetensors writer lays the data out dense and in the order of the offsets", "[io]")
{
    TempDir dir;
    const std::string path = dir.file("w.safetensors");
    // Names out of alphabetical order (the header's keys are sorted), an empty and a scalar tensor.
    mnist::writeSafeTensors(path, {{"z", torch::ones({3})},
                                   {"m", torch::empty({0, 2})},
                                   {"a", torch::arange(5, torch::kInt64)},
                                   {"s", torch::tensor(2.5)}},
                            {{"k", "v"}});
    const auto bytes = fixtures::readBytes(path);
    uint64_t headerLen = 0;
    for (int i = 7; i >= 0; --i)
        headerLen = (headerLen << 8) | bytes[i];
    const auto header = nlohmann::json::parse(std::string(bytes.begin() + 8, bytes.begin() + 8 + static_cast<long>(headerLen)));
    std::vector<std::pair<uint64_t, uint64_t>> spans;
    for (auto it = header.begin(); it != header.end(); ++it)
        if (it.key() != "__metadata__")
            spans.emplace_back(it.value()["data_offsets"][0].get<uint64_t>(), it.value()["data_offsets"][1].get<uint64_t>());
    std::sort(spans.begin(), spans.end());
    uint64_t end = 0;
    for (const auto& [b, e] : spans) {
        CHECK(b == end);
        end = e;
    }
    CHECK(end == bytes.size() - 8 - headerLen);
    CHECK(mnist::readSafeTensors(path).size() == 4);
}
