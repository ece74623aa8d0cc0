#include "data/ImageFixtures.h"

#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#if MNIST_STUDIO_IMAGE_CODECS
#include <jpeglib.h>
#include <png.h>
#endif

namespace fixtures {
namespace {

void put16(std::vector<uint8_t>& out, uint32_t v)
{
    out.push_back(uint8_t(v));
    out.push_back(uint8_t(v >> 8));
}

void put32(std::vector<uint8_t>& out, uint32_t v)
{
    put16(out, v & 0xffff);
    put16(out, v >> 16);
}

void checkSamples(size_t got, size_t expected, const char* what)
{
    if (got != expected)
        throw std::invalid_argument(std::string(what) + ": " + std::to_string(got) + " samples, " +
                                    std::to_string(expected) + " expected");
}

#if MNIST_STUDIO_IMAGE_CODECS

void pngAppend(png_structp png, png_bytep data, size_t n)
{
    auto* out = static_cast<std::vector<uint8_t>*>(png_get_io_ptr(png));
    out->insert(out->end(), data, data + n);
}

void pngFlush(png_structp) {}

// Rows already in file layout (8-bit samples, or 16-bit big-endian), written with `setup`'s header.
template <class Setup>
std::vector<uint8_t> writePng(const std::vector<std::vector<uint8_t>>& rows, Setup&& setup)
{
    std::vector<uint8_t> out;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    png_infop info = png_create_info_struct(png);
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        throw std::runtime_error("libpng could not write the fixture");
    }
    png_set_write_fn(png, &out, pngAppend, pngFlush);
    setup(png, info);
    png_write_info(png, info);
    for (const auto& row : rows)
        png_write_row(png, row.data());
    png_write_end(png, nullptr);
    png_destroy_write_struct(&png, &info);
    return out;
}

#endif

} // namespace

#if MNIST_STUDIO_IMAGE_CODECS

std::vector<uint8_t> pngBytes(int width, int height, int channels, int bitDepth, const std::vector<uint16_t>& samples,
                              bool interlaced)
{
    checkSamples(samples.size(), size_t(width) * height * channels, "pngBytes");
    static const int colorTypes[] = {0, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA, PNG_COLOR_TYPE_RGB,
                                     PNG_COLOR_TYPE_RGB_ALPHA};
    std::vector<std::vector<uint8_t>> rows(height);
    for (int y = 0; y < height; ++y) {
        if (bitDepth < 8) {
            // Grey of 1, 2 or 4 bits: samples packed from the high bits of each byte.
            rows[y].assign((size_t(width) * bitDepth + 7) / 8, 0);
            for (int x = 0; x < width; ++x) {
                const unsigned bit = unsigned(x) * bitDepth;
                rows[y][bit / 8] |= uint8_t(samples[size_t(y) * width + x] << (8 - bitDepth - bit % 8));
            }
            continue;
        }
        for (int i = 0; i < width * channels; ++i) {
            const uint16_t v = samples[size_t(y) * width * channels + i];
            if (bitDepth == 16)
                rows[y].push_back(uint8_t(v >> 8));
            rows[y].push_back(uint8_t(v));
        }
    }
    // png_write_row takes each pass's rows for an interlaced image: png_write_image does the passes.
    if (interlaced) {
        std::vector<uint8_t> out;
        png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
        png_infop info = png_create_info_struct(png);
        if (setjmp(png_jmpbuf(png))) {
            png_destroy_write_struct(&png, &info);
            throw std::runtime_error("libpng could not write the fixture");
        }
        png_set_write_fn(png, &out, pngAppend, pngFlush);
        png_set_IHDR(png, info, width, height, bitDepth, colorTypes[channels], PNG_INTERLACE_ADAM7,
                     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
        png_write_info(png, info);
        std::vector<png_bytep> pointers;
        for (auto& row : rows)
            pointers.push_back(row.data());
        png_write_image(png, pointers.data());
        png_write_end(png, nullptr);
        png_destroy_write_struct(&png, &info);
        return out;
    }
    return writePng(rows, [&](png_structp png, png_infop info) {
        png_set_IHDR(png, info, width, height, bitDepth, colorTypes[channels], PNG_INTERLACE_NONE,
                     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    });
}

std::vector<uint8_t> palettePngBytes(int width, int height, const std::vector<std::array<uint8_t, 3>>& palette,
                                     const std::vector<uint8_t>& alpha, const std::vector<uint8_t>& indices)
{
    checkSamples(indices.size(), size_t(width) * height, "palettePngBytes");
    std::vector<std::vector<uint8_t>> rows(height);
    for (int y = 0; y < height; ++y)
        rows[y].assign(indices.begin() + size_t(y) * width, indices.begin() + size_t(y + 1) * width);
    std::vector<png_color> colors;
    for (const auto& c : palette)
        colors.push_back({c[0], c[1], c[2]});
    return writePng(rows, [&](png_structp png, png_infop info) {
        png_set_IHDR(png, info, width, height, 8, PNG_COLOR_TYPE_PALETTE, PNG_INTERLACE_NONE,
                     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
        png_set_PLTE(png, info, colors.data(), static_cast<int>(colors.size()));
        if (!alpha.empty())
            png_set_tRNS(png, info, alpha.data(), static_cast<int>(alpha.size()), nullptr);
    });
}

namespace {

struct JpegFixtureErrors {
    jpeg_error_mgr pub;
    std::jmp_buf jump;
};

void jpegFixtureError(j_common_ptr cinfo)
{
    std::longjmp(reinterpret_cast<JpegFixtureErrors*>(cinfo->err)->jump, 1);
}

} // namespace

std::vector<uint8_t> jpegBytes(int width, int height, int channels, const std::vector<uint8_t>& samples, int quality,
                               bool progressive)
{
    checkSamples(samples.size(), size_t(width) * height * channels, "jpegBytes");
    jpeg_compress_struct cinfo;
    JpegFixtureErrors errors;
    cinfo.err = jpeg_std_error(&errors.pub);
    errors.pub.error_exit = jpegFixtureError;
    unsigned char* buffer = nullptr;
    unsigned long size = 0;
    if (setjmp(errors.jump)) {
        jpeg_destroy_compress(&cinfo);
        std::free(buffer);
        throw std::runtime_error("libjpeg could not write the fixture");
    }
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, &buffer, &size);
    cinfo.image_width = width;
    cinfo.image_height = height;
    cinfo.input_components = channels;
    cinfo.in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality, TRUE);
    if (progressive)
        jpeg_simple_progression(&cinfo);
    jpeg_start_compress(&cinfo, TRUE);
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = const_cast<JSAMPROW>(samples.data() + size_t(cinfo.next_scanline) * width * channels);
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    std::vector<uint8_t> out(buffer, buffer + size);
    jpeg_destroy_compress(&cinfo);
    std::free(buffer);
    return out;
}

#else

// A build without the image libraries reads no PNG or JPEG either; its tests of them fail here.
std::vector<uint8_t> pngBytes(int, int, int, int, const std::vector<uint16_t>&, bool)
{
    throw std::runtime_error("this build has no libpng (scripts/setup.sh installs libpng-dev)");
}

std::vector<uint8_t> palettePngBytes(int, int, const std::vector<std::array<uint8_t, 3>>&, const std::vector<uint8_t>&,
                                     const std::vector<uint8_t>&)
{
    throw std::runtime_error("this build has no libpng (scripts/setup.sh installs libpng-dev)");
}

std::vector<uint8_t> jpegBytes(int, int, int, const std::vector<uint8_t>&, int, bool)
{
    throw std::runtime_error("this build has no libjpeg (scripts/setup.sh installs libjpeg62-turbo-dev)");
}

#endif // MNIST_STUDIO_IMAGE_CODECS

std::vector<uint8_t> bmpBytes(int width, int height, int channels, const std::vector<uint8_t>& samples, bool topDown)
{
    checkSamples(samples.size(), size_t(width) * height * channels, "bmpBytes");
    const int bits = channels * 8;
    const uint32_t stride = (uint32_t(width) * bits + 31) / 32 * 4;
    const uint32_t paletteBytes = channels == 1 ? 256 * 4 : 0;
    const uint32_t dataOffset = 14 + 40 + paletteBytes;
    std::vector<uint8_t> out;
    out.push_back('B');
    out.push_back('M');
    put32(out, dataOffset + stride * height);
    put32(out, 0);
    put32(out, dataOffset);
    put32(out, 40); // BITMAPINFOHEADER
    put32(out, uint32_t(width));
    put32(out, uint32_t(topDown ? -height : height));
    put16(out, 1);
    put16(out, uint32_t(bits));
    put32(out, 0); // BI_RGB
    put32(out, stride * height);
    put32(out, 2835);
    put32(out, 2835);
    put32(out, channels == 1 ? 256 : 0);
    put32(out, 0);
    for (uint32_t i = 0; i < paletteBytes / 4; ++i) {
        out.insert(out.end(), {uint8_t(i), uint8_t(i), uint8_t(i), 0});
    }
    for (int r = 0; r < height; ++r) {
        const int y = topDown ? r : height - 1 - r;
        const uint8_t* row = samples.data() + size_t(y) * width * channels;
        size_t written = 0;
        for (int x = 0; x < width; ++x) {
            const uint8_t* p = row + size_t(x) * channels;
            if (channels == 1) {
                out.push_back(p[0]);
            } else {
                out.insert(out.end(), {p[2], p[1], p[0]}); // stored BGR
                if (channels == 4)
                    out.push_back(p[3]);
            }
            written += channels;
        }
        for (; written < stride; ++written)
            out.push_back(0);
    }
    return out;
}

std::vector<uint8_t> pnmBytes(int width, int height, int channels, const std::vector<uint16_t>& samples, int maxValue,
                              bool plain)
{
    checkSamples(samples.size(), size_t(width) * height * channels, "pnmBytes");
    const char kind = channels == 1 ? (plain ? '2' : '5') : (plain ? '3' : '6');
    std::string header = std::string("P") + kind + "\n# written by the tests\n" + std::to_string(width) + " " +
                         std::to_string(height) + "\n" + std::to_string(maxValue) + "\n";
    std::vector<uint8_t> out(header.begin(), header.end());
    for (size_t i = 0; i < samples.size(); ++i) {
        if (plain) {
            const std::string text = std::to_string(samples[i]) + ((i + 1) % 12 == 0 ? "\n" : " ");
            out.insert(out.end(), text.begin(), text.end());
        } else {
            if (maxValue > 255)
                out.push_back(uint8_t(samples[i] >> 8));
            out.push_back(uint8_t(samples[i]));
        }
    }
    return out;
}

std::vector<uint8_t> planar(const std::vector<uint8_t>& interleaved, int channels)
{
    const size_t plane = interleaved.size() / channels;
    std::vector<uint8_t> out(interleaved.size());
    for (size_t i = 0; i < plane; ++i)
        for (int c = 0; c < channels; ++c)
            out[c * plane + i] = interleaved[i * channels + c];
    return out;
}

std::vector<uint8_t> noise(size_t count, uint32_t seed)
{
    std::vector<uint8_t> out(count);
    uint32_t state = seed * 2654435761u + 1;
    for (auto& b : out) {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        b = uint8_t(state >> 8);
    }
    return out;
}

} // namespace fixtures
