#pragma once
// Error types of the core. Every message is meant for a person: it names the file, the value or
// the step that went wrong and, where there is one, what to do about it.
#include <stdexcept>
#include <string>

namespace mnist {

// A data file or folder is missing, unreadable or malformed.
class DataError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A configuration value is out of range or inconsistent (including a device that is not there).
class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Training could not go on (e.g. the loss became NaN or infinite).
class TrainingError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The loss or the valid loss became NaN or infinite: the set-up diverged. A sweep records it as a
// result (the worst objective), not a failure.
class DivergedError : public TrainingError {
public:
    using TrainingError::TrainingError;
};

// Reading or writing a run folder, a checkpoint or an export failed.
class IoError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

} // namespace mnist
