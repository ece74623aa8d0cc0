#include "data/ImageEncode.h"

#include "Error.h"

#include <csetjmp>

#if MNIST_STUDIO_IMAGE_CODECS
#include <png.h>
#endif

namespace mnist {
namespace {

#if MNIST_STUDIO_IMAGE_CODECS
void pngAppend(png_structp png, png_bytep data, size_t n)
{
    auto* out = static_cast<std::vector<uint8_t>*>(png_get_io_ptr(png));
    out->insert(out->end(), data, data + n);
}

void pngFlush(png_structp) {}

// libpng reports errors by longjmp; the message is kept for the DataError thrown after it.
void pngError(png_structp png, png_const_charp message)
{
    *static_cast<std::string*>(png_get_error_ptr(png)) = message;
    png_longjmp(png, 1);
}

void pngWarning(png_structp, png_const_charp) {}
#endif

} // namespace

bool pngEncoderAvailable()
{
#if MNIST_STUDIO_IMAGE_CODECS
    return true;
#else
    return false;
#endif
}

std::vector<uint8_t> encodePng(const DecodedImage& image)
{
    const int64_t c = image.channels, h = image.height, w = image.width;
    if (c != 1 && c != 3)
        throw DataError("PNG encoder: " + std::to_string(c) + " channels (1 or 3 are written)");
    if (h <= 0 || w <= 0 || h > 16384 || w > 16384 || static_cast<int64_t>(image.pixels.size()) != c * h * w)
        throw DataError("PNG encoder: " + std::to_string(image.pixels.size()) + " bytes do not make a " +
                        std::to_string(c) + " x " + std::to_string(h) + " x " + std::to_string(w) + " image");
#if MNIST_STUDIO_IMAGE_CODECS
    // PNG rows are interleaved (RGBRGB...); DecodedImage is channel-major.
    std::vector<std::vector<uint8_t>> rows(static_cast<size_t>(h), std::vector<uint8_t>(static_cast<size_t>(w * c)));
    for (int64_t y = 0; y < h; ++y)
        for (int64_t x = 0; x < w; ++x)
            for (int64_t k = 0; k < c; ++k)
                rows[y][x * c + k] = image.pixels[static_cast<size_t>((k * h + y) * w + x)];
    std::vector<uint8_t> out;
    std::string error;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &error, pngError, pngWarning);
    if (!png)
        throw DataError("PNG encoder: libpng could not start");
    png_infop info = png_create_info_struct(png);
    if (!info || setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        throw DataError("PNG encoder: " + (error.empty() ? std::string("libpng failed") : error));
    }
    png_set_write_fn(png, &out, pngAppend, pngFlush);
    png_set_IHDR(png, info, static_cast<png_uint_32>(w), static_cast<png_uint_32>(h), 8,
                 c == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (auto& row : rows)
        png_write_row(png, row.data());
    png_write_end(png, nullptr);
    png_destroy_write_struct(&png, &info);
    return out;
#else
    throw DataError("PNG encoder: this build has no libpng (scripts/setup.sh installs libpng-dev)");
#endif
}

std::string base64(const std::vector<uint8_t>& bytes)
{
    static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const uint32_t v = (uint32_t(bytes[i]) << 16) | (uint32_t(bytes[i + 1]) << 8) | bytes[i + 2];
        for (int s = 18; s >= 0; s -= 6)
            out += kAlphabet[(v >> s) & 63];
    }
    if (i < bytes.size()) {
        const bool two = i + 1 < bytes.size();
        const uint32_t v = (uint32_t(bytes[i]) << 16) | (two ? uint32_t(bytes[i + 1]) << 8 : 0);
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += two ? kAlphabet[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

} // namespace mnist
