#pragma once
// Per-image predictions of a saved model on a dataset's test split, for the evaluation views
// (confusion matrix, misclassified gallery). Plain std types only: the GUI includes this header
// without LibTorch.
#include "spec/TrainConfig.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mnist {

struct Dataset; // data/Dataset.h (LibTorch tensors)

struct TestPredictions {
    int rows = 28, cols = 28;             // size of one image
    int channels = 1;                     // 1 grey, 3 colour (channel-major within an image)
    int classes = 10;                     // confusion is classes x classes
    std::vector<std::string> classNames;  // in label order (the run's data)
    std::vector<int> labels;              // true label per test image, in file order
    std::vector<int> predicted;           // argmax of the logits per image
    std::vector<float> confidence;        // max softmax probability per image, in [0, 1]
    std::vector<float> probabilities;     // size() * classes softmax probabilities, row-major
    std::vector<int64_t> confusion;       // classes x classes row-major: (true label, predicted)
    std::vector<uint8_t> images;          // size() * channels * rows * cols raw pixels (0 = black)

    int64_t size() const { return static_cast<int64_t>(labels.size()); }
    int64_t correct() const;              // sum of the confusion diagonal
    double accuracy() const;              // percent; 0 for an empty set
    // Correct / row total of class k in percent; -1 when the test set holds no image of class k.
    double classAccuracy(int k) const;
};

// Loads `weightsPath` (.safetensors with PyTorch names, or a LibTorch .pt archive) into
// config.arch and predicts every image of the test split of config's data (loadData(): the split
// the run was tested on), normalised as config.augment says, on config.device, in batches of
// config.evalBatchSize. Throws IoError for weights of another architecture, DataError when the
// test set cannot be read, is not the data the model was trained for, or holds a label outside
// the classes. Any thread; uses no global state but LibTorch's.
TestPredictions predictTestSet(const std::string& weightsPath, const TrainConfig& config);

// The class and its probability for each image of `images` (uint8 [N, C, H, W], labels unused),
// prepared as predictTestSet() prepares the test set. DataError when the images are not of the
// shape the model was trained on (config.data).
struct ImagePredictions {
    std::vector<int> predicted;
    std::vector<float> confidence;
};
ImagePredictions predictImages(const std::string& weightsPath, const TrainConfig& config, const Dataset& images);

// A saved model kept in memory to classify one image at a time (the drawing pad): loaded once on
// the CPU, then each call is one forward pass of a single image, well under a millisecond for the
// notebook's networks, so callers need no thread of their own.
class ImageClassifier {
public:
    // Loads `weightsPath` (.safetensors or LibTorch .pt, see loadNetwork) into the network of
    // `config`. Inputs are prepared exactly like predictTestSet()'s: bytes / 255, then Normalize
    // when config.augment says.
    // Throws IoError for weights of another architecture, ConfigError for an unknown one.
    ImageClassifier(const TrainConfig& config, const std::string& weightsPath);
    ~ImageClassifier();
    ImageClassifier(const ImageClassifier&) = delete;
    ImageClassifier& operator=(const ImageClassifier&) = delete;

    // Softmax probabilities (one per class, summing to 1) of a C x rows x cols image of bytes
    // (C the model's channels), 0 = background as in the IDX files. Throws DataError when
    // pixels.size() != C * rows * cols. Not for concurrent calls on one object.
    std::vector<float> probabilities(const std::vector<uint8_t>& pixels, int rows = 28, int cols = 28) const;
    const DataShape& shape() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace mnist
