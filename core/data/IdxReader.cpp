#include "data/IdxReader.h"

#include "Error.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace mnist {
namespace {

bool isGzip(const uint8_t* data, size_t size)
{
    return size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
}

// The file's content as one stream of IDX bytes, decompressing gzip on the fly. Decompression is
// incremental so that a damaged or hostile header cannot make us allocate more than the data holds.
class IdxInput {
public:
    IdxInput(const uint8_t* data, size_t size, const std::string& name)
        : m_data(data), m_size(size), m_name(name), m_gzip(isGzip(data, size))
    {
        if (m_gzip) {
            std::memset(&m_zs, 0, sizeof m_zs);
            // 16 + MAX_WBITS: gzip wrapper only; plain content is never passed to zlib.
            if (inflateInit2(&m_zs, 16 + MAX_WBITS) != Z_OK)
                throw DataError(m_name + ": cannot start gzip decompression (out of memory?)");
        }
    }
    ~IdxInput()
    {
        if (m_gzip)
            inflateEnd(&m_zs);
    }
    IdxInput(const IdxInput&) = delete;
    IdxInput& operator=(const IdxInput&) = delete;

    bool compressed() const { return m_gzip; }
    // Bytes after the current position of a plain file (unknown for gzip).
    size_t plainRemaining() const { return m_size - m_pos; }

    // Reads exactly n bytes; anything shorter is reported as truncation of `what`.
    void read(uint8_t* dst, size_t n, const std::string& what)
    {
        const size_t got = produce(dst, n, what);
        if (got < n)
            throwTruncated(n, got, what);
    }

    uint32_t readBigEndian32(const std::string& what)
    {
        uint8_t b[4];
        read(b, 4, what);
        return (uint32_t(b[0]) << 24) | (uint32_t(b[1]) << 16) | (uint32_t(b[2]) << 8) | uint32_t(b[3]);
    }

    // Reads exactly n bytes into `out`, growing it as data arrives: a .gz announcing gigabytes
    // fails on truncation after allocating about what it really holds, not on allocation.
    void readGrowing(std::vector<uint8_t>& out, size_t n, const std::string& what)
    {
        out.clear();
        size_t done = 0;
        while (done < n) {
            const size_t target = std::min(n, std::max<size_t>(done * 2, size_t(1) << 20));
            out.resize(target);
            done += produce(out.data() + done, target - done, what);
            if (done < target)
                throwTruncated(n, done, what);
        }
    }

private:
    [[noreturn]] void throwTruncated(size_t expected, size_t found, const std::string& what) const
    {
        throw DataError(m_name + ": file is truncated: expected " + std::to_string(expected) + " bytes of " + what +
                        ", found " + std::to_string(found) +
                        (m_streamCut ? " (the compressed data ends in the middle of the stream)" : ""));
    }

    // Up to n bytes; fewer only at the end of the data.
    size_t produce(uint8_t* dst, size_t n, const std::string& what)
    {
        if (!m_gzip) {
            const size_t got = std::min(n, m_size - m_pos);
            if (got > 0)
                std::memcpy(dst, m_data + m_pos, got);
            m_pos += got;
            return got;
        }
        size_t got = 0;
        while (got < n && !m_ended) {
            if (m_zs.avail_in == 0 && m_pos < m_size) {
                const size_t chunk = std::min<size_t>(m_size - m_pos, UINT_MAX);
                m_zs.next_in = const_cast<Bytef*>(m_data + m_pos); // zlib does not write to its input
                m_zs.avail_in = static_cast<uInt>(chunk);
                m_pos += chunk;
            }
            const size_t want = std::min<size_t>(n - got, 1u << 30);
            m_zs.next_out = dst + got;
            m_zs.avail_out = static_cast<uInt>(want);
            const int rc = inflate(&m_zs, Z_NO_FLUSH);
            got += want - m_zs.avail_out;
            if (rc == Z_STREAM_END) {
                // Several gzip members in a row form one stream (as gzip -c a b > c makes, and as
                // gzread reads them); anything else after the last member is ignored, as gzread does.
                const size_t left = m_zs.avail_in + (m_size - m_pos);
                if (left >= 2 && isGzip(m_data + (m_size - left), left)) {
                    if (inflateReset(&m_zs) != Z_OK)
                        throw DataError(m_name + ": cannot restart gzip decompression");
                } else {
                    m_ended = true;
                }
            } else if (rc == Z_BUF_ERROR) {
                // No progress possible with output space left: the input ran out mid-stream.
                m_ended = true;
                m_streamCut = true;
            } else if (rc != Z_OK) {
                throw DataError(m_name + ": corrupt compressed data while reading " + what + " (" +
                                (m_zs.msg ? m_zs.msg : "zlib error " + std::to_string(rc)) + ")");
            }
        }
        return got;
    }

    const uint8_t* m_data;
    size_t m_size;
    size_t m_pos = 0; // plain: bytes consumed; gzip: bytes handed to zlib
    std::string m_name;
    bool m_gzip;
    z_stream m_zs;
    bool m_ended = false;
    bool m_streamCut = false;
};

std::string hex(uint32_t v)
{
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08X", v);
    return buf;
}

void checkMagic(const std::string& name, uint32_t magic, uint32_t expected, const char* kind)
{
    if (magic == expected)
        return;
    std::string hint;
    if (magic == kIdxImagesMagic)
        hint = " (this is an image file)";
    else if (magic == kIdxLabelsMagic)
        hint = " (this is a label file)";
    else if (magic == kIdxInt32TableMagic)
        hint = " (this is an int32 table, as QMNIST's label files)";
    else if ((magic >> 16) == 0x1f8b)
        hint = " (gzip data that does not decompress: the file is damaged)";
    throw DataError(name + ": wrong magic number " + hex(magic) + ", expected " + hex(expected) + " for an IDX " +
                    kind + " file" + hint);
}

} // namespace

std::vector<uint8_t> readDataFile(const std::string& path)
{
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        throw DataError(path + ": file not found");
    if (std::filesystem::is_directory(path, ec))
        throw DataError(path + ": is a folder, expected a file");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw DataError(path + ": cannot open (" + std::strerror(errno) + ")");
    std::vector<uint8_t> bytes;
    constexpr size_t kBlock = size_t(1) << 20;
    const auto size = std::filesystem::file_size(path, ec);
    // One read of the known size (+1 to notice a file that grew), then blocks until the end: the
    // size is a hint only (the file may change, or be a pipe).
    size_t want = ec ? kBlock : static_cast<size_t>(size) + 1;
    for (;;) {
        const size_t start = bytes.size();
        bytes.resize(start + want);
        in.read(reinterpret_cast<char*>(bytes.data() + start), static_cast<std::streamsize>(want));
        want = kBlock;
        bytes.resize(start + static_cast<size_t>(in.gcount()));
        if (!in) {
            if (in.bad())
                throw DataError(path + ": read error (" + std::strerror(errno) + ")");
            break;
        }
    }
    return bytes;
}

IdxImages parseIdxImages(const uint8_t* data, size_t size, const std::string& name)
{
    IdxInput in(data, size, name);
    checkMagic(name, in.readBigEndian32("the header"), kIdxImagesMagic, "image");
    const uint64_t count = in.readBigEndian32("the header");
    const uint64_t rows = in.readBigEndian32("the header");
    const uint64_t cols = in.readBigEndian32("the header");
    const auto dims = [&] { return std::to_string(count) + "x" + std::to_string(rows) + "x" + std::to_string(cols); };
    if (count == 0 || rows == 0 || cols == 0)
        throw DataError(name + ": zero-sized dimension (" + std::to_string(count) + " images of " +
                        std::to_string(rows) + "x" + std::to_string(cols) + ")");
    // Unsigned 64-bit: with the per-side limits the product stays below 2^64 (count < 2^32).
    constexpr uint64_t kMaxBytes = uint64_t(1) << 34;
    if (rows > 65536 || cols > 65536 || count * rows * cols > kMaxBytes)
        throw DataError(name + ": implausible dimensions " + dims());
    const size_t bytes = static_cast<size_t>(count * rows * cols);
    // A plain file's size is known up front; checking it avoids a large useless allocation.
    if (!in.compressed() && in.plainRemaining() < bytes)
        throw DataError(name + ": file is truncated: header announces " + std::to_string(count) + " images (" +
                        std::to_string(bytes) + " bytes) but only " + std::to_string(in.plainRemaining()) +
                        " bytes follow");
    IdxImages images;
    images.count = static_cast<int64_t>(count);
    images.rows = static_cast<int64_t>(rows);
    images.cols = static_cast<int64_t>(cols);
    in.readGrowing(images.pixels, bytes, "pixel data");
    return images;
}

std::vector<uint8_t> parseIdxLabels(const uint8_t* data, size_t size, const std::string& name, int maxLabel)
{
    IdxInput in(data, size, name);
    checkMagic(name, in.readBigEndian32("the header"), kIdxLabelsMagic, "label");
    const uint32_t count = in.readBigEndian32("the header");
    if (count == 0)
        throw DataError(name + ": zero-sized dimension (0 labels)");
    if (count > (1u << 30))
        throw DataError(name + ": implausible label count " + std::to_string(count));
    std::vector<uint8_t> labels;
    in.readGrowing(labels, count, "labels");
    for (size_t i = 0; i < labels.size(); ++i)
        if (labels[i] > maxLabel)
            throw DataError(name + ": label " + std::to_string(labels[i]) + " at index " + std::to_string(i) +
                            " is outside 0.." + std::to_string(maxLabel));
    return labels;
}

IdxTable parseIdxInt32Table(const uint8_t* data, size_t size, const std::string& name)
{
    IdxInput in(data, size, name);
    checkMagic(name, in.readBigEndian32("the header"), kIdxInt32TableMagic, "int32 table");
    const uint64_t rows = in.readBigEndian32("the header");
    const uint64_t cols = in.readBigEndian32("the header");
    if (rows == 0 || cols == 0)
        throw DataError(name + ": zero-sized dimension (" + std::to_string(rows) + "x" + std::to_string(cols) +
                        " table)");
    // The same bound as for images: 2^32 rows at most, so the product stays far below 2^64.
    constexpr uint64_t kMaxBytes = uint64_t(1) << 34;
    if (cols > 65536 || rows * cols * 4 > kMaxBytes)
        throw DataError(name + ": implausible dimensions " + std::to_string(rows) + "x" + std::to_string(cols));
    const size_t bytes = static_cast<size_t>(rows * cols * 4);
    if (!in.compressed() && in.plainRemaining() < bytes)
        throw DataError(name + ": file is truncated: header announces a " + std::to_string(rows) + "x" +
                        std::to_string(cols) + " table (" + std::to_string(bytes) + " bytes) but only " +
                        std::to_string(in.plainRemaining()) + " bytes follow");
    std::vector<uint8_t> raw;
    in.readGrowing(raw, bytes, "table data");
    IdxTable table;
    table.rows = static_cast<int64_t>(rows);
    table.cols = static_cast<int64_t>(cols);
    table.values.resize(bytes / 4);
    for (size_t i = 0; i < table.values.size(); ++i) {
        const uint8_t* b = &raw[i * 4];
        const uint32_t u = (uint32_t(b[0]) << 24) | (uint32_t(b[1]) << 16) | (uint32_t(b[2]) << 8) | uint32_t(b[3]);
        table.values[i] = static_cast<int32_t>(u); // two's complement, as the format stores signed values
    }
    return table;
}

IdxImages readIdxImages(const std::string& path)
{
    const std::vector<uint8_t> bytes = readDataFile(path);
    return parseIdxImages(bytes.data(), bytes.size(), path);
}

std::vector<uint8_t> readIdxLabels(const std::string& path, int maxLabel)
{
    const std::vector<uint8_t> bytes = readDataFile(path);
    return parseIdxLabels(bytes.data(), bytes.size(), path, maxLabel);
}

IdxTable readIdxInt32Table(const std::string& path)
{
    const std::vector<uint8_t> bytes = readDataFile(path);
    return parseIdxInt32Table(bytes.data(), bytes.size(), path);
}

int64_t peekIdxCount(const std::string& path)
{
    // gzread passes a plain file through unchanged, so one path serves both.
    gzFile f = gzopen(path.c_str(), "rb");
    if (!f)
        return -1;
    unsigned char header[8];
    const int got = gzread(f, header, sizeof header);
    gzclose(f);
    if (got != static_cast<int>(sizeof header) || header[0] != 0 || header[1] != 0 || header[2] != 0x08)
        return -1;
    return (int64_t{header[4]} << 24) | (int64_t{header[5]} << 16) | (int64_t{header[6]} << 8) | int64_t{header[7]};
}

} // namespace mnist
