#pragma once
// Kaggle's Digit Recognizer CSV: a header line, then one image per line. train.csv is
// `label,pixel0,...,pixel783`; test.csv has no label column (`pixel0,...`). Pixels are integers
// 0..255, row-major, in a square image (784 = 28 x 28; any square count). Plain std.
#include "data/ImageSet.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace mnist {

// Parses the whole file's content. The header decides the layout: a first column named "label"
// gives labels, otherwise the images are unlabeled (-1). Every row must have the header's column
// count; every value must be an integer 0..255 (labels 0..maxLabel). Errors throw DataError
// "<name>:<line>: <reason>" (1-based lines, the header is line 1) naming the column when there is
// one. sources are "<name>:<line>". Accepts CRLF line ends, a UTF-8 BOM and a missing final line
// end; blank lines at the end are ignored.
ImageSet parseDigitCsv(const char* data, size_t size, const std::string& name, int64_t maxLabel = 255);
ImageSet readDigitCsv(const std::string& path, int64_t maxLabel = 255);

} // namespace mnist
