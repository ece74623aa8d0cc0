#pragma once
// calibration.json in the user's config folder: choices measured on this machine, kept so each is
// measured once. Today the activations' memory layout (train/LayoutCalibration.h), per CPU model,
// LibTorch version, thread count, network and batch size. A missing, unreadable or malformed file
// or entry is only a cache miss: it is measured again and the entry rewritten. No LibTorch here.
#include <optional>
#include <string>

namespace mnist {

struct LayoutMeasurement {
    bool channelsLast = true;
    double channelsLastMs = 0, contiguousMs = 0; // median wall time of a training step each way
};

// The CPU's model name from /proc/cpuinfo ("unknown" elsewhere): what measurements are kept under.
std::string cpuModelName();

// $MNIST_STUDIO_CALIBRATION_FILE, else $XDG_CONFIG_HOME/mnist-studio/calibration.json, else
// ~/.config/mnist-studio/calibration.json; empty when none can be named (no HOME).
std::string calibrationFilePath();

// The entry for `key` in the text of a calibration file; nullopt when the text is not one or the
// entry is missing or malformed. Never throws.
std::optional<LayoutMeasurement> findLayoutMeasurement(const std::string& fileText, const std::string& key);

// `fileText` with the entry for `key` set; a text that is not a calibration file starts a new one.
std::string withLayoutMeasurement(const std::string& fileText, const std::string& key, const LayoutMeasurement& m);

} // namespace mnist
