#pragma once
// Reader for the IDX format of MNIST and Fashion-MNIST, plain or gzip-compressed (detected from
// the content, not the name). Errors throw mnist::DataError naming the file and the problem.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace mnist {

constexpr uint32_t kIdxImagesMagic = 0x00000803; // unsigned byte, 3 dimensions
constexpr uint32_t kIdxLabelsMagic = 0x00000801; // unsigned byte, 1 dimension
constexpr uint32_t kIdxInt32TableMagic = 0x00000C02; // int32 big-endian, 2 dimensions (QMNIST's labels)

// Images as one contiguous row-major block: count x rows x cols bytes, 0 = background.
struct IdxImages {
    int64_t count = 0;
    int64_t rows = 0;
    int64_t cols = 0;
    std::vector<uint8_t> pixels;
};

// Reads an image file (magic 0x00000803). Rejects zero-sized dimensions and truncated data.
IdxImages readIdxImages(const std::string& path);

// Reads a label file (magic 0x00000801). Every label must lie in 0..maxLabel.
std::vector<uint8_t> readIdxLabels(const std::string& path, int maxLabel = 9);

// A 2-D table of int32 values (magic 0x00000C02), row-major: rows x cols.
struct IdxTable {
    int64_t rows = 0;
    int64_t cols = 0;
    std::vector<int32_t> values;
};

// Reads an int32 table file. Rejects zero-sized dimensions and truncated data.
IdxTable readIdxInt32Table(const std::string& path);

// A whole file's bytes. Throws DataError naming the path when it is missing, a folder or unreadable.
std::vector<uint8_t> readDataFile(const std::string& path);

// The image or label count an IDX file's header announces (plain or gzip), reading only the
// header; -1 when the file cannot be opened or is not IDX. For planning, not for trusting.
int64_t peekIdxCount(const std::string& path);

// The same readers on a whole file's content already in memory (plain or gzip), which the path
// versions use; `name` stands for the file in error messages. Memory use is bounded by the data
// actually present, whatever sizes a header announces.
IdxImages parseIdxImages(const uint8_t* data, size_t size, const std::string& name);
std::vector<uint8_t> parseIdxLabels(const uint8_t* data, size_t size, const std::string& name, int maxLabel = 9);
IdxTable parseIdxInt32Table(const uint8_t* data, size_t size, const std::string& name);

} // namespace mnist
