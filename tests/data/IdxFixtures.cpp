#include "data/IdxFixtures.h"

#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <stdexcept>

namespace fixtures {
namespace {

void putBigEndian(std::vector<uint8_t>& out, uint32_t v)
{
    for (int shift = 24; shift >= 0; shift -= 8)
        out.push_back(static_cast<uint8_t>((v >> shift) & 0xff));
}

void writeMaybeGz(const std::string& path, const std::vector<uint8_t>& bytes, bool gz)
{
    if (!gz) {
        writeBytes(path, bytes);
        return;
    }
    gzFile f = gzopen(path.c_str(), "wb");
    if (!f)
        throw std::runtime_error("cannot write " + path);
    gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(f);
}

} // namespace

void writeBytes(const std::string& path, const std::vector<uint8_t>& bytes)
{
    const std::filesystem::path p(path);
    if (p.has_parent_path())
        std::filesystem::create_directories(p.parent_path());
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out)
        throw std::runtime_error("cannot write " + path);
}

std::vector<uint8_t> readBytes(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void writeIdxImages(const std::string& path, uint32_t count, uint32_t rows, uint32_t cols,
                    const std::vector<uint8_t>& pixels, bool gz, uint32_t magic)
{
    std::vector<uint8_t> bytes;
    putBigEndian(bytes, magic);
    putBigEndian(bytes, count);
    putBigEndian(bytes, rows);
    putBigEndian(bytes, cols);
    bytes.insert(bytes.end(), pixels.begin(), pixels.end());
    writeMaybeGz(path, bytes, gz);
}

void writeIdxLabels(const std::string& path, const std::vector<uint8_t>& labels, bool gz, uint32_t magic,
                    int64_t declaredCount)
{
    std::vector<uint8_t> bytes;
    putBigEndian(bytes, magic);
    putBigEndian(bytes, static_cast<uint32_t>(declaredCount >= 0 ? declaredCount : static_cast<int64_t>(labels.size())));
    bytes.insert(bytes.end(), labels.begin(), labels.end());
    writeMaybeGz(path, bytes, gz);
}

Synthetic makeSynthetic(int n, uint32_t seed)
{
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> noise(0, 60), jitter(-1, 1), label(0, 9);
    Synthetic s;
    s.pixels.resize(static_cast<size_t>(n) * 784);
    s.labels.resize(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
        const int k = label(rng);
        s.labels[i] = static_cast<uint8_t>(k);
        uint8_t* img = &s.pixels[static_cast<size_t>(i) * 784];
        for (int p = 0; p < 784; ++p)
            img[p] = static_cast<uint8_t>(noise(rng));
        const int top = 2 + (k / 4) * 8 + jitter(rng);
        const int left = 2 + (k % 4) * 6 + jitter(rng);
        for (int r = top; r < top + 7; ++r)
            for (int c = left; c < left + 7; ++c)
                if (r >= 0 && r < 28 && c >= 0 && c < 28)
                    img[r * 28 + c] = 255;
    }
    return s;
}

void writeSyntheticDataset(const std::string& folder, int nTrain, int nTest, bool gz)
{
    const std::string ext = gz ? ".gz" : "";
    const Synthetic train = makeSynthetic(nTrain, 1);
    const Synthetic test = makeSynthetic(nTest, 2);
    writeIdxImages(folder + "/train-images-idx3-ubyte" + ext, nTrain, 28, 28, train.pixels, gz);
    writeIdxLabels(folder + "/train-labels-idx1-ubyte" + ext, train.labels, gz);
    writeIdxImages(folder + "/t10k-images-idx3-ubyte" + ext, nTest, 28, 28, test.pixels, gz);
    writeIdxLabels(folder + "/t10k-labels-idx1-ubyte" + ext, test.labels, gz);
}

} // namespace fixtures
