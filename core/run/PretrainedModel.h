#pragma once
// The pretrained models shipped in resources/models/: NAME.safetensors (PyTorch state_dict names)
// and its record NAME.json, which says how it was trained and what it scores. With no run yet, the
// window's Draw a digit and Evaluation tabs and `mnist-train --evaluate --pretrained` use one.
// Plain std + JSON (the GUI includes it without LibTorch).
#include "spec/TrainConfig.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mnist {

struct PretrainedModel {
    std::string name;        // the record's file stem, e.g. "simplenet-best"
    std::string recordPath;  // NAME.json
    std::string weightsPath; // the record's "weights", beside it
    TrainConfig config;      // the whole training set-up; arch names a built-in network, augment says Normalize
    uint64_t seed = 0;       // config.seed, repeated for readers of the record
    int64_t epoch = 0;       // the epoch whose weights these are
    std::string epochRule;   // why that epoch (chosen without the test set)
    double validLoss = 0;
    double testAccuracy = 0; // percent, of these weights on the 10,000 test images
    int64_t testCorrect = 0, testTotal = 0;
    std::string trainedOn;   // free text: machine and date of the training
};

// Reads a record; throws ConfigError starting with `name` (the file) and naming the key at fault.
PretrainedModel parsePretrainedRecord(const std::string& text, const std::string& name);
// Reads NAME.json; weightsPath becomes the record's "weights" next to it.
PretrainedModel readPretrainedRecord(const std::string& recordPath);
// The record's JSON text (what writePretrainedRecord() writes).
std::string pretrainedRecordText(const PretrainedModel& model);
// Writes NAME.json atomically.
void writePretrainedRecord(const PretrainedModel& model, const std::string& recordPath);

// Where shipped models are looked for: $MNIST_STUDIO_MODELS_DIR alone when set, else in order the
// source tree's resources/models (a program run from its build folder), <exe>/../share/mnist-studio/models (the
// .deb's /usr/share/mnist-studio/models).
std::vector<std::string> pretrainedModelDirs();

// The record paths (NAME.json with NAME.safetensors beside) of the first folder holding any, sorted.
std::vector<std::string> pretrainedRecordPaths();

// The model named `name` (empty: the first), or nullopt when none is installed. Throws
// ConfigError for a record that cannot be read, naming the file.
std::optional<PretrainedModel> findPretrainedModel(const std::string& name = {});

} // namespace mnist
