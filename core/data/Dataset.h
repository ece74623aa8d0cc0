#pragma once
// In-memory datasets and the notebook's train/valid/test split. Any source of DataSource.h
// (IDX, image folders, CSV, the EMNIST family) arrives here as the same uint8 tensors.
#include "data/DataSource.h"
#include "spec/TrainConfig.h"

#include <torch/types.h>

#include <functional>
#include <string>
#include <vector>

namespace mnist {

// Images as uint8 [N, C, H, W] and labels as int64 [N] (-1: unlabeled), on the CPU. Kept as
// bytes until training moves them to the device once (4x less memory than float).
struct Dataset {
    torch::Tensor images;
    torch::Tensor labels;
    int64_t size() const { return images.defined() ? images.size(0) : 0; }
};

// The three splits a run uses: train and valid are consecutive slices of the training file (no
// copy) unless a source holds its own valid part, test is the test file (or a held-out part).
struct DataSplits {
    Dataset train;
    Dataset valid;
    Dataset test;
    DataShape shape; // C x H x W and the class names
    std::string name; // "mnist", the folder's name, ...
};

// An ImageSet's bytes as a Dataset without a copy (the tensors own the vectors).
Dataset toDataset(ImageSet&& set);

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

// Loads a folder of IDX files and splits it.
DataSplits loadSplits(const std::string& folder, double trainFraction = 0.8);

// The request a set-up makes: its dataset kind, resolveDataDir() and image_size.
DataRequest dataRequest(const TrainConfig& config);

// A set-up's data, split (planSplits()). Refuses, with a DataError naming the first files and how
// many more there are, a source with problems: a run never trains on a silently smaller set.
DataSplits loadData(const TrainConfig& config,
                    const std::function<void(const std::string&, int64_t, int64_t)>& progress = {});

// config.data = the splits' shape, so the network, the run folder and the exports follow the data;
// with Normalize per channel, also each channel's mean and std over the train split
// (measureChannelStatistics()).
void applyDataShape(TrainConfig& config, const DataSplits& data);

// augment.channelMean / channelStd = each channel's mean and (population) standard deviation of
// `train`'s pixels in [0, 1], computed in double precision; cleared when normalizePerChannel is off.
void measureChannelStatistics(AugmentConfig& augment, const Dataset& train);

// Every image of a CSV file or under a folder (recursively, sorted, any classes ignored), to be
// predicted: grey or colour converted to shape's channels and resized to its size. `sources`
// receives each image's name: "ImageId" order for a CSV (1-based row), the path under the folder.
Dataset loadImagesToPredict(const std::string& location, const DataShape& shape, std::vector<std::string>& sources);

} // namespace mnist
