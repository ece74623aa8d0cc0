#pragma once
// Writing files so that a crash never leaves a half-written one in place.
#include <functional>
#include <ostream>
#include <string>

namespace mnist {

// Writes `path` through a temporary file in the same folder, flushed and renamed over the target.
// Throws IoError naming the path when the folder is missing or unwritable or the disk is full.
void writeFileAtomically(const std::string& path, const std::function<void(std::ostream&)>& write);

// Same, for a writer that needs a file name of its own (e.g. LibTorch's archive writer).
void writePathAtomically(const std::string& path, const std::function<void(const std::string& tmpPath)>& write);

} // namespace mnist
