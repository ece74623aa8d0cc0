#pragma once
// Images kept channel-major (C planes of rows x cols, as the core's tensors hold them) as QImages:
// one plane in grey, three in colour. Any other channel count shows its first plane.
#include <QImage>

#include <cstdint>

namespace studio {

// Bytes, 0 = black. The QImage owns a copy.
QImage imageFromPlanes(const uint8_t* pixels, int channels, int rows, int cols);

// Floats mapped from [low, high] to black..white (clamped). The QImage owns its pixels.
QImage imageFromPlanes(const float* pixels, int channels, int rows, int cols, float low = 0.0f, float high = 1.0f);

// `image` scaled to fit a box of side `box` keeping its aspect: nearest neighbour when it grows (a
// small image's pixels stay visible), smooth when it shrinks.
QImage fitImage(const QImage& image, int box);

} // namespace studio
