#include "shared/PlaneImage.h"

#include <algorithm>
#include <cmath>

namespace studio {

namespace {

template <typename Pixel, typename ToByte>
QImage fromPlanes(const Pixel* pixels, int channels, int rows, int cols, ToByte toByte)
{
    if (!pixels || rows <= 0 || cols <= 0)
        return {};
    const auto plane = static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols);
    const bool colour = channels == 3;
    QImage img(cols, rows, colour ? QImage::Format_RGB888 : QImage::Format_Grayscale8);
    for (int r = 0; r < rows; ++r) {
        uchar* line = img.scanLine(r);
        const std::size_t at = static_cast<std::size_t>(r) * static_cast<std::size_t>(cols);
        for (int c = 0; c < cols; ++c) {
            if (colour) {
                for (std::size_t k = 0; k < 3; ++k)
                    line[3 * c + static_cast<int>(k)] = toByte(pixels[k * plane + at + static_cast<std::size_t>(c)]);
            } else {
                line[c] = toByte(pixels[at + static_cast<std::size_t>(c)]);
            }
        }
    }
    return img;
}

} // namespace

QImage imageFromPlanes(const uint8_t* pixels, int channels, int rows, int cols)
{
    return fromPlanes(pixels, channels, rows, cols, [](uint8_t v) { return static_cast<uchar>(v); });
}

QImage imageFromPlanes(const float* pixels, int channels, int rows, int cols, float low, float high)
{
    const float span = high > low ? high - low : 1.0f;
    return fromPlanes(pixels, channels, rows, cols, [low, span](float v) {
        return static_cast<uchar>(std::lround(255.0f * std::clamp((v - low) / span, 0.0f, 1.0f)));
    });
}

QImage fitImage(const QImage& image, int box)
{
    if (image.isNull() || box <= 0)
        return image;
    const bool grows = image.width() <= box && image.height() <= box;
    return image.scaled(box, box, Qt::KeepAspectRatio, grows ? Qt::FastTransformation : Qt::SmoothTransformation);
}

} // namespace studio
