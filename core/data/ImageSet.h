#pragma once
// Decoded images as plain bytes, what every dataset reader (IDX, image folder, CSV, the EMNIST
// family) produces before Dataset.h turns them into tensors. Plain std: readers stay free of
// LibTorch, so the fuzzers and the folder scan build in seconds.
#include <cstdint>
#include <string>
#include <vector>

namespace mnist {

// count images of C x H x W bytes each, channel-major within an image (C planes of H rows), 0 =
// black. Labels are class indices 0..classes-1, or -1 for an unlabeled image (a Kaggle test.csv,
// a folder of images to predict).
struct ImageSet {
    int64_t channels = 1;
    int64_t height = 0;
    int64_t width = 0;
    std::vector<uint8_t> pixels;
    std::vector<int64_t> labels;
    // Where each image came from, for predictions and error messages: a path relative to the
    // dataset's root ("train/cat/001.png"), or "file.csv:12" (line number). Empty for IDX files,
    // whose images are known by their index.
    std::vector<std::string> sources;

    int64_t count() const { return static_cast<int64_t>(labels.size()); }
    int64_t imageBytes() const { return channels * height * width; }
    bool labeled() const;
};

// A file that could not be used, and why ("truncated PNG data", "783 pixels, 784 expected").
// `file` is as the user knows it (path relative to the root, or "train.csv:15" with its line).
struct DataProblem {
    std::string file;
    std::string reason;
};

// What to do with images of another size than the dataset's (the first image's, or the one the
// user asked for).
struct ResizePolicy {
    // 0: every image must have the size of the first one (mixed sizes are an error naming a file
    // of each size). Otherwise every image is resized to width x height (bilinear, as
    // torchvision's Resize((height, width)) with antialias off), whatever its own size.
    int64_t height = 0;
    int64_t width = 0;
    bool active() const { return height > 0 && width > 0; }
};

} // namespace mnist
