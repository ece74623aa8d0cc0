#include "data/IdxReader.h"

#include "Error.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>

namespace mnist {
namespace {

// gzread reads plain files unchanged, so one code path serves .gz and uncompressed files.
class GzInput {
public:
    explicit GzInput(const std::string& path) : m_path(path)
    {
        std::error_code ec;
        if (!std::filesystem::exists(path, ec))
            throw DataError(path + ": file not found");
        if (std::filesystem::is_directory(path, ec))
            throw DataError(path + ": is a folder, expected an IDX file");
        m_file = gzopen(path.c_str(), "rb");
        if (!m_file)
            throw DataError(path + ": cannot open (" + std::strerror(errno) + ")");
        gzbuffer(m_file, 1 << 20);
    }
    ~GzInput() { gzclose(m_file); }
    GzInput(const GzInput&) = delete;
    GzInput& operator=(const GzInput&) = delete;

    // Reads exactly n bytes; anything shorter is reported as truncation of `what`.
    void read(void* dst, size_t n, const std::string& what)
    {
        auto* out = static_cast<unsigned char*>(dst);
        size_t done = 0;
        while (done < n) {
            const unsigned chunk = static_cast<unsigned>(std::min<size_t>(n - done, 1u << 30));
            const int got = gzread(m_file, out + done, chunk);
            if (got < 0) {
                int code = 0;
                const char* msg = gzerror(m_file, &code);
                throw DataError(m_path + ": corrupt compressed data while reading " + what + " (" +
                                (msg ? msg : "zlib error") + ")");
            }
            if (got == 0)
                throw DataError(m_path + ": file is truncated: expected " + std::to_string(n) +
                                " bytes of " + what + ", found " + std::to_string(done));
            done += static_cast<size_t>(got);
        }
    }

    uint32_t readBigEndian32(const std::string& what)
    {
        unsigned char b[4];
        read(b, 4, what);
        return (uint32_t(b[0]) << 24) | (uint32_t(b[1]) << 16) | (uint32_t(b[2]) << 8) | uint32_t(b[3]);
    }

    bool atEnd()
    {
        unsigned char extra;
        return gzread(m_file, &extra, 1) <= 0;
    }

private:
    std::string m_path;
    gzFile m_file = nullptr;
};

void readGrowing(GzInput& in, std::vector<uint8_t>& out, size_t bytes, const std::string& what)
{
    constexpr size_t kChunk = size_t(64) << 20;
    out.clear();
    while (out.size() < bytes) {
        const size_t start = out.size();
        const size_t n = std::min(kChunk, bytes - start);
        out.resize(start + n);
        try {
            in.read(out.data() + start, n, what);
        } catch (const DataError& e) {
            const std::string msg = e.what();
            // Report the truncation against the whole expected size, not the chunk.
            if (msg.find("truncated") != std::string::npos)
                throw DataError(msg.substr(0, msg.find(": file is truncated")) + ": file is truncated: expected " +
                                std::to_string(bytes) + " bytes of " + what + ", found fewer");
            throw;
        }
    }
}

std::string hex(uint32_t v)
{
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08X", v);
    return buf;
}

void checkMagic(const std::string& path, uint32_t magic, uint32_t expected, const char* kind)
{
    if (magic == expected)
        return;
    std::string hint;
    if (magic == kIdxImagesMagic)
        hint = " (this is an image file)";
    else if (magic == kIdxLabelsMagic)
        hint = " (this is a label file)";
    else if ((magic >> 16) == 0x1f8b)
        hint = " (gzip data that does not decompress: the file is damaged)";
    throw DataError(path + ": wrong magic number " + hex(magic) + ", expected " + hex(expected) +
                    " for an IDX " + kind + " file" + hint);
}

} // namespace

IdxImages readIdxImages(const std::string& path)
{
    GzInput in(path);
    checkMagic(path, in.readBigEndian32("the header"), kIdxImagesMagic, "image");
    IdxImages images;
    images.count = in.readBigEndian32("the header");
    images.rows = in.readBigEndian32("the header");
    images.cols = in.readBigEndian32("the header");
    if (images.count == 0 || images.rows == 0 || images.cols == 0)
        throw DataError(path + ": zero-sized dimension (" + std::to_string(images.count) + " images of " +
                        std::to_string(images.rows) + "x" + std::to_string(images.cols) + ")");
    // A corrupt header must not make us allocate terabytes before noticing the file is short.
    constexpr int64_t kMaxBytes = int64_t(1) << 34;
    if (images.rows > 65536 || images.cols > 65536 || images.count * images.rows * images.cols > kMaxBytes)
        throw DataError(path + ": implausible dimensions " + std::to_string(images.count) + "x" +
                        std::to_string(images.rows) + "x" + std::to_string(images.cols));
    const size_t bytes = static_cast<size_t>(images.count * images.rows * images.cols);
    std::error_code ec;
    const auto onDisk = std::filesystem::file_size(path, ec);
    // A plain file's size is known up front; checking it avoids a large useless allocation.
    if (!ec && onDisk < 16 + bytes) {
        unsigned char first[2] = {0, 0};
        FILE* f = std::fopen(path.c_str(), "rb");
        if (f) {
            std::fread(first, 1, 2, f);
            std::fclose(f);
        }
        if (!(first[0] == 0x1f && first[1] == 0x8b))
            throw DataError(path + ": file is truncated: header announces " + std::to_string(images.count) +
                            " images (" + std::to_string(bytes) + " bytes) but only " +
                            std::to_string(onDisk - 16) + " bytes follow");
    }
    // Grown as data arrives, so a damaged .gz announcing gigabytes fails on truncation, not on allocation.
    readGrowing(in, images.pixels, bytes, "pixel data");
    return images;
}

std::vector<uint8_t> readIdxLabels(const std::string& path, int maxLabel)
{
    GzInput in(path);
    checkMagic(path, in.readBigEndian32("the header"), kIdxLabelsMagic, "label");
    const uint32_t count = in.readBigEndian32("the header");
    if (count == 0)
        throw DataError(path + ": zero-sized dimension (0 labels)");
    if (count > (1u << 30))
        throw DataError(path + ": implausible label count " + std::to_string(count));
    std::vector<uint8_t> labels;
    readGrowing(in, labels, count, "labels");
    for (size_t i = 0; i < labels.size(); ++i)
        if (labels[i] > maxLabel)
            throw DataError(path + ": label " + std::to_string(labels[i]) + " at index " + std::to_string(i) +
                            " is outside 0.." + std::to_string(maxLabel));
    return labels;
}

} // namespace mnist
