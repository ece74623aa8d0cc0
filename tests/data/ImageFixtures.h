#pragma once
// Image files written by the tests, with the libraries the decoder reads them with (libpng,
// libjpeg) or by hand where the format is a few header bytes (BMP, PGM/PPM). Samples are given
// interleaved (RGBRGB..., as the files store them), row by row from the top. Needs a build with
// the image libraries (MNIST_STUDIO_IMAGE_CODECS).
#include "data/IdxFixtures.h" // writeBytes(), readBytes()

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace fixtures {

// channels 1 (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA); bitDepth 8 or 16 (samples up to 65535),
// or 1, 2 or 4 for grey (samples up to 2^bitDepth - 1).
std::vector<uint8_t> pngBytes(int width, int height, int channels, int bitDepth, const std::vector<uint16_t>& samples,
                              bool interlaced = false);
// An 8-bit palette image; `alpha` (a tRNS chunk) gives the first entries' opacity, empty for none.
std::vector<uint8_t> palettePngBytes(int width, int height, const std::vector<std::array<uint8_t, 3>>& palette,
                                     const std::vector<uint8_t>& alpha, const std::vector<uint8_t>& indices);
// channels 1 or 3; quality 1..100.
std::vector<uint8_t> jpegBytes(int width, int height, int channels, const std::vector<uint8_t>& samples,
                               int quality = 95, bool progressive = false);
// channels 1 (8 bits with a grey palette), 3 (24 bits) or 4 (32 bits with alpha); bottom-up rows
// as most writers store them, top-down (negative height) when asked.
std::vector<uint8_t> bmpBytes(int width, int height, int channels, const std::vector<uint8_t>& samples,
                              bool topDown = false);
// PGM (channels 1) or PPM (3); binary P5/P6 or plain P2/P3; 2-byte big-endian samples when
// maxValue > 255.
std::vector<uint8_t> pnmBytes(int width, int height, int channels, const std::vector<uint16_t>& samples,
                              int maxValue = 255, bool plain = false);

// Interleaved samples to the decoder's planar layout (C planes of H x W).
std::vector<uint8_t> planar(const std::vector<uint8_t>& interleaved, int channels);
// Deterministic pseudo-random bytes.
std::vector<uint8_t> noise(size_t count, uint32_t seed);


} // namespace fixtures
