#include "data/DigitPreprocess.h"

#include <algorithm>
#include <cmath>

namespace mnist {

namespace {

// Below this contrast between the paper and the darkest (inked) pixel, a picture holds no digit:
// JPEG noise and uneven lighting stay well under it, a pencil stroke well over.
constexpr double kMinContrast = 40.0;
// Pixels at less than this share of the ink's full strength do not widen the bounding box: a
// stroke's faint anti-aliased fringe and paper grain would otherwise shift it.
constexpr double kBoxThreshold = 0.2;

int borderThickness(int width, int height)
{
    return std::max(1, std::min(width, height) / 32);
}

template <typename F>
void forEachBorderPixel(int width, int height, F&& f)
{
    const int t = borderThickness(width, height);
    for (int y = 0; y < height; ++y) {
        const bool edgeRow = y < t || y >= height - t;
        for (int x = 0; x < width; ++x)
            if (edgeRow || x < t || x >= width - t)
                f(y * width + x);
    }
}

// Per output pixel, the input pixels it covers and by how much: a box filter over the input
// interval the output pixel maps to, so every input pixel contributes in proportion to its
// overlap (area averaging). Weights of one output pixel sum to 1.
struct Tap {
    int index;
    double weight;
};
std::vector<std::vector<Tap>> areaWeights(int inSize, int outSize)
{
    std::vector<std::vector<Tap>> taps(static_cast<std::size_t>(outSize));
    const double step = static_cast<double>(inSize) / outSize; // input pixels per output pixel
    for (int o = 0; o < outSize; ++o) {
        const double a = o * step, b = (o + 1) * step;
        for (int i = static_cast<int>(std::floor(a)); i < std::min(inSize, static_cast<int>(std::ceil(b))); ++i) {
            const double overlap = std::min(b, i + 1.0) - std::max(a, static_cast<double>(i));
            if (overlap > 0)
                taps[static_cast<std::size_t>(o)].push_back({i, overlap / step});
        }
    }
    return taps;
}

} // namespace

bool hasLightBackground(const uint8_t* gray, int width, int height)
{
    if (!gray || width <= 0 || height <= 0)
        return false;
    double sum = 0;
    std::size_t n = 0;
    forEachBorderPixel(width, height, [&](int i) {
        sum += gray[i];
        ++n;
    });
    return n > 0 && sum / static_cast<double>(n) > 127.5;
}

MassCentre massCentre(const uint8_t* pixels, int rows, int cols)
{
    double total = 0, r = 0, c = 0;
    for (int y = 0; y < rows; ++y)
        for (int x = 0; x < cols; ++x) {
            const double v = pixels[y * cols + x];
            total += v;
            r += v * y;
            c += v * x;
        }
    MassCentre m;
    if (total > 0) {
        m.row = r / total;
        m.col = c / total;
    }
    return m;
}

DigitImage preprocessDigit(const uint8_t* gray, int width, int height)
{
    DigitImage out;
    if (!gray || width <= 0 || height <= 0)
        return out;
    out.inverted = hasLightBackground(gray, width, height);
    const std::size_t n = static_cast<std::size_t>(width) * static_cast<std::size_t>(height);
    std::vector<float> ink(n);
    for (std::size_t i = 0; i < n; ++i)
        ink[i] = out.inverted ? 255.0f - gray[i] : static_cast<float>(gray[i]);

    // The paper's own level (grey in a photo) is the median of the border, not 0: subtracting it
    // keeps the background of the result black, as in MNIST.
    std::vector<float> border;
    forEachBorderPixel(width, height, [&](int i) { border.push_back(ink[static_cast<std::size_t>(i)]); });
    std::nth_element(border.begin(), border.begin() + static_cast<std::ptrdiff_t>(border.size() / 2), border.end());
    const double paper = border[border.size() / 2];
    const double peak = *std::max_element(ink.begin(), ink.end());
    if (peak - paper < kMinContrast)
        return out;
    const double contrast = peak - paper;
    int left = width, top = height, right = -1, bottom = -1;
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            float& v = ink[static_cast<std::size_t>(y) * static_cast<std::size_t>(width) + static_cast<std::size_t>(x)];
            v = static_cast<float>(std::clamp((v - paper) / contrast, 0.0, 1.0));
            if (v > kBoxThreshold) {
                left = std::min(left, x);
                right = std::max(right, x);
                top = std::min(top, y);
                bottom = std::max(bottom, y);
            }
        }
    if (right < 0)
        return out;
    out.inkLeft = left;
    out.inkTop = top;
    out.inkWidth = right - left + 1;
    out.inkHeight = bottom - top + 1;

    // The long side becomes exactly 20 pixels; the short side keeps the aspect ratio (at least 1).
    const double scale = static_cast<double>(kDigitBox) / std::max(out.inkWidth, out.inkHeight);
    const int boxW = std::clamp(static_cast<int>(std::lround(out.inkWidth * scale)), 1, kDigitBox);
    const int boxH = std::clamp(static_cast<int>(std::lround(out.inkHeight * scale)), 1, kDigitBox);
    const auto tapsX = areaWeights(out.inkWidth, boxW);
    const auto tapsY = areaWeights(out.inkHeight, boxH);
    // Separable: rows first (ink height x box width), then columns.
    std::vector<double> rowsDone(static_cast<std::size_t>(out.inkHeight) * static_cast<std::size_t>(boxW), 0.0);
    for (int y = 0; y < out.inkHeight; ++y) {
        const float* src = ink.data() + static_cast<std::size_t>(top + y) * static_cast<std::size_t>(width) + left;
        for (int bx = 0; bx < boxW; ++bx) {
            double s = 0;
            for (const Tap& t : tapsX[static_cast<std::size_t>(bx)])
                s += t.weight * src[t.index];
            rowsDone[static_cast<std::size_t>(y) * static_cast<std::size_t>(boxW) + static_cast<std::size_t>(bx)] = s;
        }
    }
    std::vector<double> box(static_cast<std::size_t>(boxW) * static_cast<std::size_t>(boxH), 0.0);
    double boxPeak = 0;
    for (int by = 0; by < boxH; ++by)
        for (int bx = 0; bx < boxW; ++bx) {
            double s = 0;
            for (const Tap& t : tapsY[static_cast<std::size_t>(by)])
                s += t.weight * rowsDone[static_cast<std::size_t>(t.index) * static_cast<std::size_t>(boxW) + static_cast<std::size_t>(bx)];
            box[static_cast<std::size_t>(by) * static_cast<std::size_t>(boxW) + static_cast<std::size_t>(bx)] = s;
            boxPeak = std::max(boxPeak, s);
        }
    if (boxPeak <= 0)
        return out;

    // A thin stroke shrunk twentyfold averages down to a faint grey; MNIST's strokes are full
    // white, so the strongest pixel is brought back to 255. Any ink at all stays at least 1, so
    // the box's edge rows and columns (which hold the bounding box's ink) never round away.
    std::vector<uint8_t> boxBytes(box.size());
    for (std::size_t i = 0; i < box.size(); ++i)
        boxBytes[i] = box[i] > 0 ? static_cast<uint8_t>(std::max(1L, std::lround(255.0 * std::min(1.0, box[i] / boxPeak)))) : 0;

    // Whole-pixel shift, as MNIST's was: no second resampling to blur the strokes, and the centre
    // of mass then lands within half a pixel of (14, 14). The box stays inside the image even
    // for a lopsided shape whose centre of mass sits near one end.
    const MassCentre m = massCentre(boxBytes.data(), boxH, boxW);
    const int centre = kDigitSide / 2;
    out.boxWidth = boxW;
    out.boxHeight = boxH;
    out.boxLeft = std::clamp(static_cast<int>(std::lround(centre - m.col)), 0, kDigitSide - boxW);
    out.boxTop = std::clamp(static_cast<int>(std::lround(centre - m.row)), 0, kDigitSide - boxH);
    for (int by = 0; by < boxH; ++by)
        std::copy_n(boxBytes.begin() + static_cast<std::ptrdiff_t>(by) * boxW, boxW,
                    out.pixels.begin() + static_cast<std::ptrdiff_t>(out.boxTop + by) * kDigitSide + out.boxLeft);
    out.blank = false;
    return out;
}

} // namespace mnist
