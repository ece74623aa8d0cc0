#pragma once
// Writing files so that a crash never leaves a half-written one in place.
#include <functional>
#include <ostream>
#include <string>

namespace mnist {

// Writes `path` through a temporary file in the same folder: written, fsync()ed, renamed over the
// target, and the folder fsync()ed, so that a power cut leaves the old file or the new one (as SQLite
// and git do).
// Throws IoError naming the path and the cause (disk full, read-only file system, missing folder,
// permission...) when it fails; the previous file, if any, is then left as it was.
void writeFileAtomically(const std::string& path, const std::function<void(std::ostream&)>& write);

// Same, for a writer that needs a file name of its own (e.g. LibTorch's archive writer).
void writePathAtomically(const std::string& path, const std::function<void(const std::string& tmpPath)>& write);

// Why a write into `path` (a file) failed, in words, e.g. "no space left on device (0 KiB free)"
// or "read-only file system". `savedErrno` is errno right after the failed call (0 if unknown);
// the file system of `path`'s folder is inspected too, because writers such as LibTorch's archive
// report only "write failed". Call it before removing what the failed write left, so a disk
// filled by it still reads as full.
std::string writeFailureReason(const std::string& path, int savedErrno);

} // namespace mnist
