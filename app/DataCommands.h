#pragma once
// mnist-train --describe-data and --predict: datasets headless.
#include "spec/TrainConfig.h"

#include <string>

// What the data at `path` is (mnist::readDataSource() with `kind`, or the kind detected from the
// path when empty): format, classes, shape [C, H, W], the splits a run would use with
// config.trainFraction and image_size, per-class counts and every file that could not be used.
// Exit code 0 when the data can be trained on, 1 when it has problems.
int describeDataCommand(const std::string& path, const std::string& kind, const mnist::TrainConfig& config, bool json);

// The trained run `runDir` classifies every image at `location` (a CSV file, or a folder of images
// searched recursively), writing `outCsv`: Kaggle's "ImageId,Label" (1-based) for a CSV,
// "file,label,probability" for a folder (the label as the class name). Returns the exit code.
int predictCommand(const std::string& runDir, const std::string& location, const std::string& outCsv,
                   const mnist::TrainConfig& machine, bool json);
