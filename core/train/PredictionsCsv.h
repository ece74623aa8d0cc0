#pragma once
// Predictions for unlabeled images written as CSV, the same file from `mnist-train --predict` and
// the window's "Predict a folder…". Plain std: the GUI includes this header without LibTorch.
#include "spec/TrainConfig.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mnist {

// Writes `path` atomically. For images read from a CSV file (`fromCsv`), Kaggle's submission
// format: "ImageId,Label", ImageId 1-based in the file's order. For a folder: "file,label,
// probability", the file as `sources` names it (RFC 4180 quoting), the label by its class name,
// the probability with 6 decimals. Throws IoError when the file cannot be written, DataError for
// a predicted class outside `classes`.
void writePredictionsCsv(const std::string& path, bool fromCsv, const std::vector<std::string>& sources,
                         const std::vector<int>& predicted, const std::vector<float>& confidence,
                         const std::vector<std::string>& classes);

// Predicts every image of `location` (a CSV file or a folder of images, loadImagesToPredict()) with
// the model of `config` and `weightsPath` (predictImages()) and writes them to `outCsv` as above.
// Returns how many images were predicted. Throws what those throw.
int64_t predictToCsv(const std::string& weightsPath, const TrainConfig& config, const std::string& location,
                     const std::string& outCsv);

} // namespace mnist
