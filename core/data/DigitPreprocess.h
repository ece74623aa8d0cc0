#pragma once
// A picture of one handwritten digit (any size, dark ink on light paper or the other way round)
// made into a 28x28 image the way MNIST's were: grayscale, white ink on black, the ink's bounding
// box scaled to fit 20x20 keeping its aspect ratio (area-averaged, so anti-aliased), then placed in
// 28x28 so that its centre of mass lands on pixel (14, 14). Plain std only: no LibTorch, no Qt.
#include <cstdint>
#include <vector>

namespace mnist {

constexpr int kDigitSide = 28; // side of the result
constexpr int kDigitBox = 20;  // side of the box the ink is scaled into

struct DigitImage {
    // No ink found (an empty pad, a blank or nearly uniform picture): pixels are all 0 and no
    // model should be asked about it.
    bool blank = true;
    // The input had a light background (dark ink), so it was inverted.
    bool inverted = false;
    // 28 x 28 row-major, 0 = background, 255 = full ink: the byte layout of MNIST's IDX files.
    std::vector<uint8_t> pixels = std::vector<uint8_t>(kDigitSide * kDigitSide, 0);
    // The ink's bounding box in the input, in input pixels (0s when blank).
    int inkLeft = 0, inkTop = 0, inkWidth = 0, inkHeight = 0;
    // The box it was scaled to (long side 20) and where it sits in the 28 x 28 result.
    int boxLeft = 0, boxTop = 0, boxWidth = 0, boxHeight = 0;
};

// `gray`: width x height bytes, row-major, 0 = black, 255 = white (as image files store them).
// Width and height may be anything from 1 up; a null or empty buffer is blank.
DigitImage preprocessDigit(const uint8_t* gray, int width, int height);
inline DigitImage preprocessDigit(const std::vector<uint8_t>& gray, int width, int height)
{
    return gray.size() >= static_cast<std::size_t>(width) * static_cast<std::size_t>(height) && width > 0 && height > 0
               ? preprocessDigit(gray.data(), width, height)
               : DigitImage{};
}

// Whether the picture's background is light, judged from its border (a frame about 1/32 of the
// short side thick, at least one pixel): ink rarely touches all four edges, paper always does.
bool hasLightBackground(const uint8_t* gray, int width, int height);

// Index-based centre of mass (sum of index x value / sum of value) of a rows x cols byte image;
// row = col = -1 when every pixel is 0. MNIST's digits have theirs at (14, 14).
struct MassCentre {
    double row = -1;
    double col = -1;
};
MassCentre massCentre(const uint8_t* pixels, int rows, int cols);

} // namespace mnist
