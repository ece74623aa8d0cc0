#pragma once
// What the fuzz targets and the fuzz regression tests require of each reader, on one input: it
// either parses the bytes into a consistent result or refuses them with the core's own error type
// and a message that names the file. Crashes, sanitizer reports and hangs are caught by the fuzzer
// (or the asan build) around these calls; everything else is returned here.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace fuzzchecks {

// Each returns an empty string for a clean outcome, otherwise what went wrong.

// The bytes as an IDX image file and as a label file, as given and gzip-compressed (so that the
// IDX structure is exercised through the decompressor too).
std::string idxOutcome(const uint8_t* data, size_t size);

// The bytes as a .safetensors file.
std::string safeTensorsOutcome(const uint8_t* data, size_t size);

// The bytes as a pretrained model's record (run/PretrainedModel.h), then as a config.json text, then validate(); a config that validates must survive a
// round trip through its JSON text unchanged (run folders reload what they saved).
std::string trainConfigOutcome(const uint8_t* data, size_t size);

// The bytes as each of a run folder's text files: metrics.csv, lr.csv, loss.csv, layers.csv,
// summary.json (run/RunFiles.h) and notes.json (run/RunNotes.h: clean tags that read back the same). What a reader accepts must hold what its header promises: epochs
// 1..n in order with finite values, finite LRs and losses, summary epochs within the run; and computeRunStats() of the
// epochs must name epochs of the list.
std::string runFilesOutcome(const uint8_t* data, size_t size);

// The bytes as a network spec (spec/NetworkSpec.h): never a throw; every problem names a layer
// the spec has; a spec without problems validates, ends in [classes], counts its state_dict's
// parameters, and reads back as itself from both written forms.
std::string networkSpecOutcome(const uint8_t* data, size_t size);

// The bytes as calibration.json (train/CalibrationCache.h): never a throw; an entry it finds is a
// usable measurement (finite, positive times); setting an entry makes it read back exactly and
// keeps the other entries the text had.
std::string calibrationOutcome(const uint8_t* data, size_t size);

// The bytes as a sweep folder's sweep.json (sweep/SweepFolder.h): parsed or refused naming the
// file, and what is parsed writes back unchanged; then as a sweep spec (sweep/SweepSpec.h): its
// problems never throw, and a spec without problems plans valid trials.
std::string sweepOutcome(const uint8_t* data, size_t size);

// The bytes as a Kaggle digit CSV (data/DigitCsv.h, labels 0..9): an image set whose sizes agree
// (square images, count x H x W pixels, one source per image, labels all -1 or all 0..9) and that
// reads back as itself once written out again, or a DataError naming the file.
std::string digitCsvOutcome(const uint8_t* data, size_t size);

// The bytes as an EMNIST mapping text, as a KMNIST class map and as a QMNIST labels table, plain
// and gzipped (data/MnistFamily.h): each parses into classes or labels that hold what the format
// promises (one name per distinct label 0..255; non-empty names; classes 0..9, the same through
// gzip), or throws a DataError naming the file.
std::string mnistFamilyOutcome(const uint8_t* data, size_t size);
// The bytes as an image file (data/ImageDecode.h): decoded to a consistent image (1 or 3 channels,
// C x H x W bytes, at most 16384 a side), which converts and resizes consistently, or refused
// with a DataError naming the file.
std::string imageOutcome(const uint8_t* data, size_t size);

// The bytes as a small folder tree (records "relative/path\0content" separated by "\n%%\n"; a
// path ending in '/' is a folder; at most 20 entries, 4 levels, tame names), written to a fresh
// temporary folder, then scanned and each part loaded (data/ImageFolder.h): a DataError naming the
// root, or a scan whose problems name entries under the root, whose files and labels are
// consistent, and whose parts load into consistent sets (every file loaded or a problem, in order).
std::string imageFolderOutcome(const uint8_t* data, size_t size);

// A gzip member holding the bytes (level 6, as gzip(1) writes by default).
std::vector<uint8_t> gzipBytes(const uint8_t* data, size_t size);

} // namespace fuzzchecks
