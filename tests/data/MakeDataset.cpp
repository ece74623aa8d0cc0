// mnist-make-dataset DIR N_TRAIN N_TEST: the tests' synthetic digits as the four IDX files of a
// dataset folder, for scripts that need data in seconds (make e2e) rather than the real MNIST.
// mnist-make-dataset --png-from IDX_DIR OUT_DIR: that folder's images as an image folder,
// OUT_DIR/{train,test}/<label>/<index>.png (the data-loading benchmark's 70,000 files).
#include "data/IdxFixtures.h"
#include "data/ImageFixtures.h"

#include "data/IdxReader.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <string>

namespace {

void writePngPart(const std::string& images, const std::string& labels, const std::filesystem::path& out)
{
    const mnist::IdxImages img = mnist::readIdxImages(images);
    const std::vector<uint8_t> lab = mnist::readIdxLabels(labels);
    const auto pixels = static_cast<size_t>(img.rows * img.cols);
    for (int64_t i = 0; i < img.count; ++i) {
        const uint8_t* p = img.pixels.data() + static_cast<size_t>(i) * pixels;
        char name[32];
        std::snprintf(name, sizeof name, "%05lld.png", static_cast<long long>(i));
        fixtures::writeBytes((out / std::to_string(lab[static_cast<size_t>(i)]) / name).string(),
                             fixtures::pngBytes(static_cast<int>(img.cols), static_cast<int>(img.rows), 1, 8,
                                                std::vector<uint16_t>(p, p + pixels)));
    }
}

std::string idxFile(const std::string& dir, const std::string& name)
{
    for (const char* ext : {"", ".gz"})
        if (std::filesystem::exists(dir + "/" + name + ext))
            return dir + "/" + name + ext;
    return dir + "/" + name;
}

} // namespace

int main(int argc, char** argv)
{
    try {
        if (argc == 4 && std::strcmp(argv[1], "--png-from") == 0) {
            const std::string in = argv[2];
            const std::filesystem::path out = argv[3];
            writePngPart(idxFile(in, "train-images-idx3-ubyte"), idxFile(in, "train-labels-idx1-ubyte"), out / "train");
            writePngPart(idxFile(in, "t10k-images-idx3-ubyte"), idxFile(in, "t10k-labels-idx1-ubyte"), out / "test");
            return 0;
        }
        if (argc != 4) {
            std::fprintf(stderr, "usage: %s DIR N_TRAIN N_TEST\n       %s --png-from IDX_DIR OUT_DIR\n", argv[0], argv[0]);
            return 2;
        }
        const int nTrain = std::atoi(argv[2]);
        const int nTest = std::atoi(argv[3]);
        if (nTrain < 2 || nTest < 1) {
            std::fprintf(stderr, "%s: N_TRAIN must be at least 2 and N_TEST at least 1\n", argv[0]);
            return 2;
        }
        std::filesystem::create_directories(argv[1]);
        fixtures::writeSyntheticDataset(argv[1], nTrain, nTest);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", argv[0], e.what());
        return 1;
    }
    return 0;
}
