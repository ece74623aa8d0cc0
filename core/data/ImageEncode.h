#pragma once
// Images written as PNG by libpng (the library ImageDecode reads them with): the HTML report's
// inline pictures. Plain std.
#include "data/ImageDecode.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mnist {

// Whether this build can write PNG (it was built with libpng).
bool pngEncoderAvailable();

// An 8-bit grey (1 channel) or RGB (3 channels) image, channel-major as DecodedImage holds it, as
// the bytes of a PNG file. Throws DataError for another channel count, a size that does not match
// the pixels, or a build without libpng.
std::vector<uint8_t> encodePng(const DecodedImage& image);

// `bytes` as base64 (RFC 4648, with padding): for data: URIs.
std::string base64(const std::vector<uint8_t>& bytes);

} // namespace mnist
