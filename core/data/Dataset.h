#pragma once
// In-memory datasets and the notebook's train/valid/test split.
#include <torch/types.h>

#include <string>

namespace mnist {

// Images as uint8 [N, H, W] and labels as int64 [N], on the CPU. Kept as bytes until training
// moves them to the device once (4x less memory than float).
struct Dataset {
    torch::Tensor images;
    torch::Tensor labels;
    int64_t size() const { return images.defined() ? images.size(0) : 0; }
};

// The three splits a run uses: train and valid are consecutive slices of the training file (no
// copy), test is the test file.
struct DataSplits {
    Dataset train;
    Dataset valid;
    Dataset test;
};

// Reads one pair of IDX files; counts and image sizes must agree.
Dataset loadIdxPair(const std::string& imagesPath, const std::string& labelsPath);

// Finds the training or test pair in a folder: train-images-idx3-ubyte (or train-images.idx3-ubyte),
// plain or .gz, and the matching labels; "t10k" for the test set. Throws DataError listing what
// is missing.
Dataset loadIdxFolder(const std::string& folder, bool trainingSet);

// Images in a folder's training file by its header alone (cheap: the GUI plans its LR preview
// with it); -1 when the folder has no readable training images file.
int64_t trainingImageCount(const std::string& folder);

// The notebook's split: train = first round-down(trainFraction * N) images of the training file,
// valid = the rest, test = the test file.
DataSplits splitNotebook(const Dataset& trainingFile, const Dataset& testFile, double trainFraction = 0.8);

// Loads a dataset folder and splits it.
DataSplits loadSplits(const std::string& folder, double trainFraction = 0.8);

} // namespace mnist
