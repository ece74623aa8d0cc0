#pragma once
// calibration.json in the user's config folder: choices measured on this machine, kept so each is
// measured once: the activations' memory layout (train/LayoutCalibration.h) and the precision
// (train/Precision.h), per CPU (or GPU) model, LibTorch version, thread count, network and batch size. A missing, unreadable or malformed file
// or entry is only a cache miss: it is measured again and the entry rewritten. No LibTorch here.
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mnist {

struct LayoutMeasurement {
    bool channelsLast = true;
    double channelsLastMs = 0, contiguousMs = 0; // median wall time of a training step each way
};

// The CPU's model name with its family and model numbers from /proc/cpuinfo ("AMD EPYC (family 25,
// model 1)"; "unknown" elsewhere): what measurements are kept under.
std::string cpuModelName();

// $MNIST_STUDIO_CALIBRATION_FILE, else $XDG_CONFIG_HOME/mnist-studio/calibration.json, else
// ~/.config/mnist-studio/calibration.json; empty when none can be named (no HOME).
std::string calibrationFilePath();

// The entry for `key` in the text of a calibration file; nullopt when the text is not one or the
// entry is missing or malformed. Never throws.
std::optional<LayoutMeasurement> findLayoutMeasurement(const std::string& fileText, const std::string& key);

// `fileText` with the entry for `key` set; a text that is not a calibration file starts a new one.
std::string withLayoutMeasurement(const std::string& fileText, const std::string& key, const LayoutMeasurement& m);

// `precision auto`'s measurement: the precision chosen and each candidate's step time.
struct PrecisionMeasurement {
    std::string chosen;                                  // "fp32", "bf16" or "fp16", one of msPerStep's
    // candidate -> median ms per training step; read back in the order fp32, bf16, fp16
    std::vector<std::pair<std::string, double>> msPerStep;
};

std::optional<PrecisionMeasurement> findPrecisionMeasurement(const std::string& fileText, const std::string& key);
std::string withPrecisionMeasurement(const std::string& fileText, const std::string& key, const PrecisionMeasurement& m);

// The calibration file's text; empty when there is none or it cannot be read.
std::string readCalibrationText(const std::string& path);

// Rewrites the file at `path` (atomically, its folder made) with `update` applied to its current
// text, read just before: the runs of a sweep measure side by side, and each keeps the others'
// entries. Never throws: an unwritable config folder only means measuring again next time.
void updateCalibrationFile(const std::string& path, const std::function<std::string(const std::string&)>& update);

} // namespace mnist
