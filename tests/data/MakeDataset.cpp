// mnist-make-dataset DIR N_TRAIN N_TEST: the tests' synthetic digits as the four IDX files of a
// dataset folder, for scripts that need data in seconds (make e2e) rather than the real MNIST.
#include "data/IdxFixtures.h"

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>

int main(int argc, char** argv)
{
    if (argc != 4) {
        std::fprintf(stderr, "usage: %s DIR N_TRAIN N_TEST\n", argv[0]);
        return 2;
    }
    const int nTrain = std::atoi(argv[2]);
    const int nTest = std::atoi(argv[3]);
    if (nTrain < 2 || nTest < 1) {
        std::fprintf(stderr, "%s: N_TRAIN must be at least 2 and N_TEST at least 1\n", argv[0]);
        return 2;
    }
    try {
        std::filesystem::create_directories(argv[1]);
        fixtures::writeSyntheticDataset(argv[1], nTrain, nTest);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", argv[0], e.what());
        return 1;
    }
    return 0;
}
