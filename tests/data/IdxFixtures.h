#pragma once
// IDX files generated in the tests: valid ones, deliberately broken ones, and a small synthetic
// digit-like dataset that the networks learn within an epoch or two.
#include <cstdint>
#include <string>
#include <vector>

namespace fixtures {

// Big-endian header + payload, optionally gzip-compressed.
void writeIdxImages(const std::string& path, uint32_t count, uint32_t rows, uint32_t cols,
                    const std::vector<uint8_t>& pixels, bool gz = false, uint32_t magic = 0x00000803);
void writeIdxLabels(const std::string& path, const std::vector<uint8_t>& labels, bool gz = false,
                    uint32_t magic = 0x00000801, int64_t declaredCount = -1);
// Writes `bytes` to `path`, creating its folders.
void writeBytes(const std::string& path, const std::vector<uint8_t>& bytes);
std::vector<uint8_t> readBytes(const std::string& path);

// n 28x28 images: class k draws a bright 7x7 patch at a position of its own plus noise, so a
// network separates the classes quickly but not trivially.
struct Synthetic {
    std::vector<uint8_t> pixels;
    std::vector<uint8_t> labels;
};
Synthetic makeSynthetic(int n, uint32_t seed);

// train-*/t10k-* files for `nTrain` and `nTest` synthetic images in `folder`.
void writeSyntheticDataset(const std::string& folder, int nTrain, int nTest, bool gz = false);

} // namespace fixtures
