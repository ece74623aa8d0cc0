#include "formats/SafeTensors.h"

#include "Error.h"
#include "JsonInteger.h"
#include "AtomicFile.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

namespace mnist {
namespace {

struct DtypeName {
    const char* name;
    torch::ScalarType type;
};
constexpr DtypeName kDtypes[] = {
    {"F32", torch::kFloat32}, {"F64", torch::kFloat64}, {"I64", torch::kInt64},
    {"I32", torch::kInt32},   {"U8", torch::kUInt8},
};

template <class Int>
std::vector<Int> integerArray(const nlohmann::json& v)
{
    if (!v.is_array())
        throw std::invalid_argument(std::string("expected an array of integers, got ") + v.type_name());
    std::vector<Int> out;
    for (const auto& x : v)
        out.push_back(jsonInteger<Int>(x));
    return out;
}

const char* nameOf(torch::ScalarType t)
{
    for (const auto& d : kDtypes)
        if (d.type == t)
            return d.name;
    return nullptr;
}

// The format's data buffer is dense and ordered, as the safetensors library checks: the tensors,
// sorted by where they begin, start at 0, each begins where the one before ends, and the last ends
// at the end of the file. Overlapping tensors would alias one another's bytes, and a gap or a tail
// hides bytes no tensor claims (both what a damaged or crafted file looks like, never a writer).
template <class Span>
void checkDenseLayout(std::vector<Span> spans, uint64_t dataSize, const std::string& name)
{
    std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
        return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
    });
    const auto range = [](const Span& s) {
        return "[" + std::to_string(s.begin) + ", " + std::to_string(s.end) + ")";
    };
    uint64_t expected = 0;
    const Span* previous = nullptr;
    for (const Span& s : spans) {
        if (s.begin != expected) {
            const std::string what = name + ": tensor '" + *s.tensor + "': data offsets " + range(s);
            if (!previous)
                throw IoError(what + " leave a gap at the start of the data (the first tensor must begin at 0)");
            if (s.begin < expected)
                throw IoError(what + " overlap tensor '" + *previous->tensor + "' " + range(*previous));
            throw IoError(what + " leave a gap of " + std::to_string(s.begin - expected) + " bytes after tensor '" +
                          *previous->tensor + "' " + range(*previous) + " (the data must be dense)");
        }
        expected = s.end;
        previous = &s;
    }
    if (expected != dataSize)
        throw IoError(name + ": " + std::to_string(dataSize - expected) + " bytes of data after " +
                      (previous ? "the last tensor '" + *previous->tensor + "' " + range(*previous)
                                : std::string("a header with no tensors")) +
                      " belong to no tensor (truncated header or damaged file)");
}

} // namespace

std::map<std::string, torch::Tensor> readSafeTensors(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw IoError(path + ": cannot open (" + std::strerror(errno) + ")");
    // Not tellg(): a folder opens on Linux and seeking to its end reports 2^63 - 1 bytes
    // (found by the asan test run, as an allocation that size).
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        throw IoError(path + ": not a regular file");
    const uint64_t fileSize = std::filesystem::file_size(path, ec);
    if (ec)
        throw IoError(path + ": cannot read (" + ec.message() + ")");
    std::vector<uint8_t> bytes(fileSize);
    if (fileSize > 0 && !in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(fileSize)))
        throw IoError(path + ": cannot read (" + std::strerror(errno) + ")");
    return parseSafeTensors(bytes.data(), bytes.size(), path);
}

std::map<std::string, torch::Tensor> parseSafeTensors(const uint8_t* bytes, size_t size, const std::string& name)
{
    const uint64_t fileSize = size;
    if (fileSize < 8)
        throw IoError(name + ": not a safetensors file (shorter than its 8-byte header length)");
    uint64_t headerLen = 0;
    for (int i = 7; i >= 0; --i)
        headerLen = (headerLen << 8) | bytes[i];
    if (headerLen > fileSize - 8 || headerLen > (100u << 20))
        throw IoError(name + ": header length " + std::to_string(headerLen) + " exceeds the file (" +
                      std::to_string(fileSize) + " bytes): truncated or not a safetensors file");
    const std::string header(reinterpret_cast<const char*>(bytes + 8), headerLen);
    nlohmann::json meta;
    try {
        meta = nlohmann::json::parse(header);
    } catch (const std::exception& e) {
        throw IoError(name + ": header is not valid JSON (" + e.what() + ")");
    }
    if (!meta.is_object())
        throw IoError(name + ": header is not a JSON object");
    const uint8_t* data = bytes + 8 + headerLen;
    const uint64_t dataSize = fileSize - 8 - headerLen;

    std::map<std::string, torch::Tensor> out;
    struct Span {
        uint64_t begin, end;
        const std::string* tensor;
    };
    std::vector<Span> spans;
    for (auto it = meta.begin(); it != meta.end(); ++it) {
        if (it.key() == "__metadata__")
            continue;
        const std::string& tensorName = it.key();
        const auto& info = it.value();
        try {
            const std::string dtype = info.at("dtype").get<std::string>();
            const auto shapeJson = integerArray<int64_t>(info.at("shape"));
            const auto offsets = integerArray<uint64_t>(info.at("data_offsets"));
            const DtypeName* d = nullptr;
            for (const auto& k : kDtypes)
                if (dtype == k.name)
                    d = &k;
            if (!d)
                throw IoError("unsupported dtype " + dtype + " (supported: F32, F64, I64, I32, U8)");
            if (offsets.size() != 2 || offsets[0] > offsets[1] || offsets[1] > dataSize)
                throw IoError("data offsets outside the file's data (truncated file?)");
            uint64_t numel = 1;
            for (int64_t s : shapeJson) {
                if (s < 0 || (s > 0 && numel > (uint64_t(1) << 40) / static_cast<uint64_t>(s)))
                    throw IoError("invalid shape");
                numel *= static_cast<uint64_t>(s);
            }
            const uint64_t nbytes = numel * torch::elementSize(d->type);
            if (nbytes != offsets[1] - offsets[0])
                throw IoError("shape and dtype need " + std::to_string(nbytes) + " bytes but offsets give " +
                              std::to_string(offsets[1] - offsets[0]));
            torch::Tensor t = torch::empty(shapeJson, torch::TensorOptions().dtype(d->type));
            if (nbytes > 0)
                std::memcpy(t.data_ptr(), data + offsets[0], nbytes);
            out.emplace(tensorName, t);
            spans.push_back({offsets[0], offsets[1], &tensorName});
        } catch (const IoError& e) {
            throw IoError(name + ": tensor '" + tensorName + "': " + e.what());
        } catch (const std::exception& e) {
            throw IoError(name + ": tensor '" + tensorName + "' has a malformed entry (" + e.what() + ")");
        }
    }
    checkDenseLayout(spans, dataSize, name);
    return out;
}

void writeSafeTensors(const std::string& path, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata)
{
    nlohmann::json header = nlohmann::json::object();
    if (!metadata.empty())
        header["__metadata__"] = metadata;
    std::vector<torch::Tensor> blobs;
    std::set<std::string> seen;
    uint64_t offset = 0;
    for (const auto& [name, tensor] : tensors) {
        if (!seen.insert(name).second)
            throw IoError("cannot write " + path + ": duplicate tensor name '" + name + "'");
        const char* dtype = nameOf(tensor.scalar_type());
        if (!dtype)
            throw IoError("cannot write " + path + ": tensor '" + name + "' has unsupported dtype " +
                          std::string(c10::toString(tensor.scalar_type())));
        torch::Tensor t = tensor.detach().to(torch::kCPU).contiguous();
        const uint64_t bytes = static_cast<uint64_t>(t.numel()) * t.element_size();
        header[name] = {{"dtype", dtype}, {"shape", t.sizes().vec()}, {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
        blobs.push_back(t);
    }
    std::string text = header.dump();
    // Padding the header to 8 bytes keeps every tensor aligned for readers that map the file.
    text.append((8 - text.size() % 8) % 8, ' ');
    writeFileAtomically(path, [&](std::ostream& out) {
        unsigned char len[8];
        uint64_t n = text.size();
        for (int i = 0; i < 8; ++i, n >>= 8)
            len[i] = static_cast<unsigned char>(n & 0xff);
        out.write(reinterpret_cast<const char*>(len), 8);
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        for (const auto& t : blobs)
            out.write(static_cast<const char*>(t.data_ptr()), static_cast<std::streamsize>(t.numel() * t.element_size()));
    });
}

} // namespace mnist
