#include "data/ImageDecode.h"

#include "Error.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>

#include <sys/stat.h>

#if MNIST_STUDIO_IMAGE_CODECS
#include <jpeglib.h>
#include <jerror.h>
#include <png.h>
#include <stb_image.h>
#endif

namespace mnist {
namespace {

constexpr int64_t kMaxSide = 16384;

bool endsWithNoCase(const std::string& name, const char* suffix)
{
    const size_t n = std::strlen(suffix);
    if (name.size() < n)
        return false;
    for (size_t i = 0; i < n; ++i) {
        char c = name[name.size() - n + i];
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
        if (c != suffix[i])
            return false;
    }
    return true;
}

#if MNIST_STUDIO_IMAGE_CODECS

void checkDimensions(int64_t width, int64_t height, const std::string& name, const char* format)
{
    if (width < 1 || height < 1)
        throw DataError(name + ": " + format + " image of " + std::to_string(width) + " x " + std::to_string(height) +
                        " pixels (a zero size: the header is damaged)");
    if (width > kMaxSide || height > kMaxSide)
        throw DataError(name + ": " + format + " image of " + std::to_string(width) + " x " + std::to_string(height) +
                        " pixels is larger than the " + std::to_string(kMaxSide) + " x " + std::to_string(kMaxSide) +
                        " this reader accepts");
}

// Round(c * a / 255): the colour over black. 255 is odd, so c * a + 127 never lands on a tie.
inline uint8_t overBlack(unsigned c, unsigned a)
{
    return static_cast<uint8_t>((c * a + 127) / 255);
}

// Interleaved samples (`inChannels` per pixel: grey, grey+alpha, RGB or RGBA, 8 bits) into the
// planar image, alpha composited on black.
void planarFromInterleaved(const uint8_t* in, int inChannels, DecodedImage& image)
{
    const size_t plane = static_cast<size_t>(image.width * image.height);
    image.channels = inChannels >= 3 ? 3 : 1;
    image.pixels.resize(plane * static_cast<size_t>(image.channels));
    uint8_t* out = image.pixels.data();
    switch (inChannels) {
    case 1:
        std::memcpy(out, in, plane);
        break;
    case 2:
        for (size_t i = 0; i < plane; ++i)
            out[i] = overBlack(in[2 * i], in[2 * i + 1]);
        break;
    case 3:
        for (size_t i = 0; i < plane; ++i) {
            out[i] = in[3 * i];
            out[plane + i] = in[3 * i + 1];
            out[2 * plane + i] = in[3 * i + 2];
        }
        break;
    case 4:
        for (size_t i = 0; i < plane; ++i) {
            const unsigned a = in[4 * i + 3];
            out[i] = overBlack(in[4 * i], a);
            out[plane + i] = overBlack(in[4 * i + 1], a);
            out[2 * plane + i] = overBlack(in[4 * i + 2], a);
        }
        break;
    default:
        throw std::logic_error("planarFromInterleaved: " + std::to_string(inChannels) + " channels");
    }
}

// Decoders reuse one interleaved buffer per thread: a folder of 60,000 small images then costs one
// allocation per image (its result), not three.
std::vector<uint8_t>& scratchBuffer()
{
    thread_local std::vector<uint8_t> buffer;
    return buffer;
}

// ---- PNG (libpng's classic API: the simplified one applies gamma to 16-bit data) ----

// libpng reports errors by longjmp; everything it may jump over is plain data.
struct PngSource {
    const uint8_t* data;
    size_t size;
    size_t pos;
    char message[256];
};

void pngReadBytes(png_structp png, png_bytep out, size_t n)
{
    auto* src = static_cast<PngSource*>(png_get_io_ptr(png));
    if (n > src->size - src->pos)
        png_error(png, "the file ends in the middle of the image (truncated)");
    std::memcpy(out, src->data + src->pos, n);
    src->pos += n;
}

void pngError(png_structp png, png_const_charp message)
{
    auto* src = static_cast<PngSource*>(png_get_error_ptr(png));
    std::snprintf(src->message, sizeof src->message, "%s", message);
    png_longjmp(png, 1);
}

void pngWarning(png_structp, png_const_charp) {}

struct PngHandles {
    png_structp png = nullptr;
    png_infop info = nullptr;
    ~PngHandles()
    {
        if (png)
            png_destroy_read_struct(&png, info ? &info : nullptr, nullptr);
    }
};

// Deflate expands at most 1032:1, so a PNG can hold no more raw image data than that many times its
// size: a header claiming more is refused before anything is allocated for it.
constexpr uint64_t kMaxDeflateRatio = 1032;

// Returns false after a libpng error (the message is in src.message), true with `raw` holding the
// interleaved 8-bit samples and `channels` their count per pixel. The only function with setjmp:
// it owns no object with a destructor, so the jump skips none.
bool readPng(PngSource& src, PngHandles& handles, std::vector<uint8_t>& raw, std::vector<png_bytep>& rows,
             DecodedImage& image, int& channels, const std::string& name)
{
    png_structp png = handles.png;
    png_infop info = handles.info;
    if (setjmp(png_jmpbuf(png)))
        return false;
    png_set_read_fn(png, &src, pngReadBytes);
    png_read_info(png, info);
    png_uint_32 width = 0, height = 0;
    int bitDepth = 0, colorType = 0, interlace = 0;
    png_get_IHDR(png, info, &width, &height, &bitDepth, &colorType, &interlace, nullptr, nullptr);
    // Throwing here is safe: no libpng frame is on the stack between here and the caller.
    checkDimensions(width, height, name, "PNG");
    const uint64_t rawBits = uint64_t(width) * height * png_get_channels(png, info) * uint64_t(bitDepth);
    if (rawBits / 8 > kMaxDeflateRatio * src.size + 1024)
        throw DataError(name + ": PNG header announces " + std::to_string(width) + " x " + std::to_string(height) +
                        " pixels, more than a file of " + std::to_string(src.size) + " bytes can hold (damaged)");
    if (colorType == PNG_COLOR_TYPE_PALETTE)
        png_set_palette_to_rgb(png);
    if (colorType == PNG_COLOR_TYPE_GRAY && bitDepth < 8)
        png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_valid(png, info, PNG_INFO_tRNS))
        png_set_tRNS_to_alpha(png);
    // Rounds v * 255 / 65535 (= v / 257) to nearest, where png_set_strip_16 would truncate (v >> 8).
    if (bitDepth == 16)
        png_set_scale_16(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    channels = png_get_channels(png, info);
    const size_t rowBytes = png_get_rowbytes(png, info);
    if (channels < 1 || channels > 4 || rowBytes != size_t(width) * size_t(channels))
        throw DataError(name + ": unexpected PNG layout after conversion (" + std::to_string(channels) +
                        " channels, " + std::to_string(rowBytes) + " bytes per row)");
    raw.resize(rowBytes * height);
    rows.resize(height);
    for (png_uint_32 y = 0; y < height; ++y)
        rows[y] = raw.data() + size_t(y) * rowBytes;
    png_read_image(png, rows.data());
    image.width = width;
    image.height = height;
    return true;
}

DecodedImage decodePng(const uint8_t* data, size_t size, const std::string& name)
{
    PngSource src{data, size, 0, {}};
    PngHandles handles;
    handles.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &src, pngError, pngWarning);
    if (!handles.png)
        throw std::bad_alloc();
    handles.info = png_create_info_struct(handles.png);
    if (!handles.info)
        throw std::bad_alloc();
    thread_local std::vector<png_bytep> rows;
    std::vector<uint8_t>& raw = scratchBuffer();
    DecodedImage image;
    int channels = 0;
    if (!readPng(src, handles, raw, rows, image, channels, name))
        throw DataError(name + ": damaged PNG data (" + src.message + ")");
    planarFromInterleaved(raw.data(), channels, image);
    return image;
}

// ---- JPEG (libjpeg-turbo) ----

struct JpegErrors {
    jpeg_error_mgr pub; // first: libjpeg passes &pub as cinfo->err
    std::jmp_buf jump;
    char message[JMSG_LENGTH_MAX + 64];
};

// Replaces libjpeg's default, which prints and calls exit().
void jpegErrorExit(j_common_ptr cinfo)
{
    auto* errors = reinterpret_cast<JpegErrors*>(cinfo->err);
    (*cinfo->err->format_message)(cinfo, errors->message);
    std::longjmp(errors->jump, 1);
}

// A truncated file makes libjpeg warn and pad the image with grey; here it is an error, raised at
// once so that a header announcing a huge image stops decoding where the data ends. Other
// warnings (stray bytes between markers) are ignored, as image viewers do.
void jpegEmitMessage(j_common_ptr cinfo, int level)
{
    if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) {
        auto* errors = reinterpret_cast<JpegErrors*>(cinfo->err);
        std::snprintf(errors->message, sizeof errors->message, "the file ends in the middle of the image (truncated)");
        std::longjmp(errors->jump, 1);
    }
}

void jpegOutputMessage(j_common_ptr) {}

// Each progressive scan passes over the whole image: thousands of tiny scans are a known way for a
// small hostile file to take minutes (libjpeg-turbo's own tools cap them likewise).
constexpr int kMaxJpegScans = 1000;

void jpegProgress(j_common_ptr cinfo)
{
    auto* dinfo = reinterpret_cast<j_decompress_ptr>(cinfo);
    if (cinfo->is_decompressor && dinfo->input_scan_number > kMaxJpegScans) {
        auto* errors = reinterpret_cast<JpegErrors*>(cinfo->err);
        std::snprintf(errors->message, sizeof errors->message, "more than %d progressive scans", kMaxJpegScans);
        std::longjmp(errors->jump, 1);
    }
}

struct JpegHandle {
    jpeg_decompress_struct cinfo;
    JpegErrors errors;
    jpeg_progress_mgr progress;
    bool created = false;
    ~JpegHandle()
    {
        if (created)
            jpeg_destroy_decompress(&cinfo);
    }
};

// Returns false after a libjpeg error (message in errors.message), or a refusal in `refusal`. The
// only function with setjmp; it owns no object with a destructor.
bool readJpeg(JpegHandle& h, const uint8_t* data, size_t size, std::vector<uint8_t>& raw, DecodedImage& image,
              int& channels, const std::string& name)
{
    jpeg_decompress_struct& cinfo = h.cinfo;
    if (setjmp(h.errors.jump))
        return false;
    jpeg_mem_src(&cinfo, data, static_cast<unsigned long>(size));
    jpeg_read_header(&cinfo, TRUE);
    checkDimensions(cinfo.image_width, cinfo.image_height, name, "JPEG");
    switch (cinfo.jpeg_color_space) {
    case JCS_GRAYSCALE:
        cinfo.out_color_space = JCS_GRAYSCALE;
        break;
    case JCS_CMYK:
    case JCS_YCCK:
        throw DataError(name + ": CMYK JPEG images are not supported (save it as RGB or greyscale)");
    default:
        cinfo.out_color_space = JCS_RGB;
        break;
    }
    jpeg_start_decompress(&cinfo);
    channels = cinfo.output_components;
    if (channels != 1 && channels != 3)
        throw DataError(name + ": JPEG decoded to " + std::to_string(channels) + " components, 1 or 3 expected");
    const size_t rowBytes = size_t(cinfo.output_width) * size_t(channels);
    const size_t total = rowBytes * cinfo.output_height;
    // Grown as rows arrive: a truncated file claiming a huge image fails before its size is allocated.
    raw.clear();
    size_t done = 0;
    while (cinfo.output_scanline < cinfo.output_height) {
        if (raw.size() < done + rowBytes)
            raw.resize(std::min(total, std::max(done + rowBytes, std::max(2 * done, size_t(1) << 16))));
        JSAMPROW row = raw.data() + done;
        if (jpeg_read_scanlines(&cinfo, &row, 1) != 1)
            throw DataError(name + ": JPEG data stopped before the last row");
        done += rowBytes;
    }
    image.width = cinfo.output_width;
    image.height = cinfo.output_height;
    return true;
}

DecodedImage decodeJpeg(const uint8_t* data, size_t size, const std::string& name)
{
    JpegHandle h;
    h.cinfo.err = jpeg_std_error(&h.errors.pub);
    h.errors.pub.error_exit = jpegErrorExit;
    h.errors.pub.emit_message = jpegEmitMessage;
    h.errors.pub.output_message = jpegOutputMessage;
    h.errors.message[0] = '\0';
    if (setjmp(h.errors.jump))
        throw DataError(name + ": cannot start JPEG decoding (" + h.errors.message + ")");
    jpeg_create_decompress(&h.cinfo);
    h.created = true;
    // Progressive images keep every coefficient in memory (2 bytes a sample); past this libjpeg
    // refuses instead of allocating gigabytes for a hostile header.
    h.cinfo.mem->max_memory_to_use = 1L << 30;
    h.progress.progress_monitor = jpegProgress;
    h.cinfo.progress = &h.progress;
    std::vector<uint8_t>& raw = scratchBuffer();
    DecodedImage image;
    int channels = 0;
    if (!readJpeg(h, data, size, raw, image, channels, name))
        throw DataError(name + ": damaged JPEG data (" + h.errors.message + ")");
    planarFromInterleaved(raw.data(), channels, image);
    return image;
}

// ---- BMP and PNM (stb_image) ----
// stb_image reads the pixels; the headers are checked here first, because stb_image 2.27 fills a
// truncated BMP or PNM with zeros (or leaves it uninitialised) instead of failing, and allocates what
// the header announces.

uint32_t le16(const uint8_t* p)
{
    return uint32_t(p[0]) | (uint32_t(p[1]) << 8);
}

uint32_t le32(const uint8_t* p)
{
    return uint32_t(p[0]) | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16) | (uint32_t(p[3]) << 24);
}

struct StbFree {
    void operator()(void* p) const { stbi_image_free(p); }
};

std::string stbReason()
{
    const char* reason = stbi_failure_reason();
    return reason ? reason : "unknown error";
}

DecodedImage decodeBmp(const uint8_t* data, size_t size, const std::string& name)
{
    if (size < 26)
        throw DataError(name + ": BMP header is truncated");
    const uint64_t dataOffset = le32(data + 10);
    const uint32_t dibSize = le32(data + 14);
    const bool core = dibSize == 12;
    if (!core && (dibSize < 40 || size < 14 + 40))
        throw DataError(name + ": BMP header is truncated or of an unknown kind (" + std::to_string(dibSize) +
                        " bytes)");
    const int64_t width = core ? int64_t(le16(data + 18)) : int64_t(int32_t(le32(data + 18)));
    const int64_t rawHeight = core ? int64_t(le16(data + 20)) : int64_t(int32_t(le32(data + 22)));
    const int64_t height = rawHeight < 0 ? -rawHeight : rawHeight;
    const uint32_t bitsPerPixel = le16(data + (core ? 24 : 28));
    const uint32_t compression = core ? 0 : le32(data + 30);
    checkDimensions(width, height, name, "BMP");
    if (bitsPerPixel == 0 || bitsPerPixel > 32)
        throw DataError(name + ": BMP with " + std::to_string(bitsPerPixel) + " bits per pixel");
    // Uncompressed rows are padded to 4 bytes; RLE (1, 2) is left to stb_image, which refuses it.
    const bool uncompressed = compression == 0 || compression == 3 || compression == 6;
    const uint64_t stride = (uint64_t(width) * bitsPerPixel + 31) / 32 * 4;
    if (uncompressed && dataOffset + stride * uint64_t(height) > size)
        throw DataError(name + ": BMP pixel data is truncated (" + std::to_string(size) + " bytes, " +
                        std::to_string(dataOffset + stride * uint64_t(height)) + " expected)");
    // A palette of greys only is a greyscale image (as PIL opens it, mode "L"); stb_image gives RGB.
    bool greyPalette = false;
    if (bitsPerPixel <= 8) {
        const uint64_t entrySize = core ? 3 : 4;
        uint64_t entries = core ? 0 : le32(data + 46);
        if (entries == 0 || entries > (1u << bitsPerPixel))
            entries = uint64_t(1) << bitsPerPixel;
        const uint64_t start = 14 + uint64_t(dibSize);
        if (start + entries * entrySize <= size) {
            greyPalette = true;
            for (uint64_t i = 0; i < entries && greyPalette; ++i) {
                const uint8_t* e = data + start + i * entrySize;
                greyPalette = e[0] == e[1] && e[1] == e[2];
            }
        }
    }
    if (size > size_t(INT32_MAX))
        throw DataError(name + ": BMP file too large");
    int w = 0, h = 0, n = 0;
    std::unique_ptr<stbi_uc, StbFree> pixels(stbi_load_from_memory(data, static_cast<int>(size), &w, &h, &n, 0));
    if (!pixels)
        throw DataError(name + ": damaged or unsupported BMP data (stb_image: " + stbReason() + ")");
    if (w != width || h != height || n < 1 || n > 4)
        throw DataError(name + ": BMP decoded to an unexpected layout");
    DecodedImage image;
    image.width = w;
    image.height = h;
    if (greyPalette && n == 3) {
        const size_t plane = size_t(w) * size_t(h);
        image.channels = 1;
        image.pixels.resize(plane);
        for (size_t i = 0; i < plane; ++i)
            image.pixels[i] = pixels.get()[3 * i];
    } else {
        planarFromInterleaved(pixels.get(), n, image);
    }
    return image;
}

struct PnmHeader {
    char kind = 0; // '2', '3', '5' or '6'
    int64_t width = 0;
    int64_t height = 0;
    int64_t maxValue = 0;
    size_t dataStart = 0;
};

// Whitespace and '#' comments, then a decimal number (capped, so that a long run of digits cannot
// overflow). Returns -1 when no digit is there.
int64_t pnmNumber(const uint8_t* data, size_t size, size_t& pos)
{
    for (;;) {
        while (pos < size && std::strchr(" \t\r\n\v\f", data[pos]) && data[pos] != 0)
            ++pos;
        if (pos < size && data[pos] == '#') {
            while (pos < size && data[pos] != '\n' && data[pos] != '\r')
                ++pos;
            continue;
        }
        break;
    }
    if (pos >= size || data[pos] < '0' || data[pos] > '9')
        return -1;
    int64_t value = 0;
    while (pos < size && data[pos] >= '0' && data[pos] <= '9') {
        value = std::min<int64_t>(value * 10 + (data[pos] - '0'), int64_t(1) << 40);
        ++pos;
    }
    return value;
}

PnmHeader pnmHeader(const uint8_t* data, size_t size, const std::string& name)
{
    PnmHeader header;
    header.kind = static_cast<char>(data[1]);
    size_t pos = 2;
    header.width = pnmNumber(data, size, pos);
    header.height = pnmNumber(data, size, pos);
    header.maxValue = pnmNumber(data, size, pos);
    if (header.width < 0 || header.height < 0 || header.maxValue < 0)
        throw DataError(name + ": PNM header is truncated or damaged (expected width, height and maximum value)");
    checkDimensions(header.width, header.height, name, "PNM");
    if (header.maxValue < 1 || header.maxValue > 65535)
        throw DataError(name + ": PNM maximum value " + std::to_string(header.maxValue) + " (1 to 65535 expected)");
    // One whitespace byte separates the header from binary samples.
    if (pos >= size || !std::strchr(" \t\r\n\v\f", data[pos]) || data[pos] == 0)
        throw DataError(name + ": PNM header is not followed by whitespace and the samples");
    header.dataStart = pos + 1;
    return header;
}

// Sample values 0..maxValue to 0..255, rounded to nearest; values above the maximum count as it.
inline uint8_t pnmScale(uint32_t value, uint32_t maxValue)
{
    value = std::min(value, maxValue);
    return static_cast<uint8_t>((uint64_t(value) * 255 + maxValue / 2) / maxValue);
}

DecodedImage decodePnm(const uint8_t* data, size_t size, const std::string& name)
{
    const PnmHeader header = pnmHeader(data, size, name);
    const int channels = header.kind == '3' || header.kind == '6' ? 3 : 1;
    const size_t samples = size_t(header.width) * size_t(header.height) * size_t(channels);
    const uint32_t maxValue = static_cast<uint32_t>(header.maxValue);
    std::vector<uint8_t>& raw = scratchBuffer();
    if (header.kind == '2' || header.kind == '3') {
        // Plain (text) samples: stb_image reads binary PNM only, so these are parsed here. Each
        // sample takes at least two bytes but the last, which bounds the allocation by the file size.
        if (samples > (size - header.dataStart) / 2 + 1)
            throw DataError(name + ": PNM data is truncated (" + std::to_string(samples) + " samples expected)");
        raw.resize(samples);
        size_t pos = header.dataStart - 1;
        for (size_t i = 0; i < samples; ++i) {
            const int64_t value = pnmNumber(data, size, pos);
            if (value < 0)
                throw DataError(name + ": PNM data is truncated or damaged at sample " + std::to_string(i + 1) +
                                " of " + std::to_string(samples));
            raw[i] = pnmScale(static_cast<uint32_t>(std::min<int64_t>(value, 65535)), maxValue);
        }
    } else {
        const size_t bytesPerSample = maxValue > 255 ? 2 : 1;
        if (size - header.dataStart < samples * bytesPerSample)
            throw DataError(name + ": PNM data is truncated (" + std::to_string(size - header.dataStart) + " bytes, " +
                            std::to_string(samples * bytesPerSample) + " expected)");
        if (size > size_t(INT32_MAX))
            throw DataError(name + ": PNM file too large");
        int w = 0, h = 0, n = 0;
        const int len = static_cast<int>(size);
        raw.resize(samples);
        if (bytesPerSample == 1) {
            std::unique_ptr<stbi_uc, StbFree> pixels(stbi_load_from_memory(data, len, &w, &h, &n, 0));
            if (!pixels)
                throw DataError(name + ": damaged PNM data (stb_image: " + stbReason() + ")");
            if (w != header.width || h != header.height || n != channels)
                throw DataError(name + ": PNM decoded to an unexpected layout");
            for (size_t i = 0; i < samples; ++i)
                raw[i] = pnmScale(pixels.get()[i], maxValue);
        } else {
            std::unique_ptr<stbi_us, StbFree> pixels(stbi_load_16_from_memory(data, len, &w, &h, &n, 0));
            if (!pixels)
                throw DataError(name + ": damaged PNM data (stb_image: " + stbReason() + ")");
            if (w != header.width || h != header.height || n != channels)
                throw DataError(name + ": PNM decoded to an unexpected layout");
            // stb_image 2.27 hands over the file's big-endian samples as they are; the bytes are read
            // in file order here, so the result is right whether or not a later stb swaps them.
            const uint8_t* bytes = data + header.dataStart;
            for (size_t i = 0; i < samples; ++i)
                raw[i] = pnmScale((uint32_t(bytes[2 * i]) << 8) | bytes[2 * i + 1], maxValue);
        }
    }
    DecodedImage image;
    image.width = header.width;
    image.height = header.height;
    planarFromInterleaved(raw.data(), channels, image);
    return image;
}

#endif // MNIST_STUDIO_IMAGE_CODECS

// Two GiB: more than any image of 16384 x 16384 pixels needs, even uncompressed.
constexpr int64_t kMaxFileBytes = int64_t(1) << 31;

// A thread's reused buffer is released after a large image, so that one big file does not keep
// its memory for the rest of the folder.
struct ScratchTrim {
    std::vector<uint8_t>& buffer;
    ~ScratchTrim()
    {
        if (buffer.capacity() > (size_t(16) << 20))
            std::vector<uint8_t>().swap(buffer);
    }
};

enum class Format { Unknown, Png, Jpeg, Bmp, Pnm };

Format detectFormat(const uint8_t* data, size_t size)
{
    static const uint8_t pngSignature[8] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};
    if (size >= 8 && std::memcmp(data, pngSignature, 8) == 0)
        return Format::Png;
    if (size >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff)
        return Format::Jpeg;
    if (size >= 2 && data[0] == 'B' && data[1] == 'M')
        return Format::Bmp;
    if (size >= 2 && data[0] == 'P' && (data[1] == '2' || data[1] == '3' || data[1] == '5' || data[1] == '6'))
        return Format::Pnm;
    return Format::Unknown;
}

} // namespace

bool isImageFileName(const std::string& name)
{
    for (const char* ext : {".png", ".jpg", ".jpeg", ".bmp", ".pgm", ".ppm", ".pnm"})
        if (endsWithNoCase(name, ext))
            return true;
    return false;
}

DecodedImage decodeImage(const uint8_t* data, size_t size, const std::string& name)
{
    if (size == 0)
        throw DataError(name + ": empty file");
    const Format format = detectFormat(data, size);
    if (format == Format::Unknown)
        throw DataError(name + ": not a PNG, JPEG, BMP or PGM/PPM image (unknown signature)");
#if MNIST_STUDIO_IMAGE_CODECS
    const ScratchTrim trim{scratchBuffer()};
    switch (format) {
    case Format::Png:
        return decodePng(data, size, name);
    case Format::Jpeg:
        return decodeJpeg(data, size, name);
    case Format::Bmp:
        return decodeBmp(data, size, name);
    case Format::Pnm:
        return decodePnm(data, size, name);
    case Format::Unknown:
        break;
    }
    throw DataError(name + ": unknown image format");
#else
    throw DataError(name + ": this build cannot decode images (it was built without libpng, libjpeg or libstb; "
                           "install them, e.g. with scripts/setup.sh, and rebuild)");
#endif
}

DecodedImage readImageFile(const std::string& path, const std::string& displayName)
{
    const std::string& name = displayName.empty() ? path : displayName;
    std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), std::fclose);
    if (!file)
        throw DataError(name + ": cannot open (" + std::strerror(errno) + ")");
    struct stat st {};
    if (::fstat(fileno(file.get()), &st) != 0)
        throw DataError(name + ": cannot read (" + std::strerror(errno) + ")");
    if (!S_ISREG(st.st_mode))
        throw DataError(name + ": not a regular file");
    if (st.st_size > kMaxFileBytes)
        throw DataError(name + ": " + std::to_string(st.st_size) + " bytes is too large for an image file");
    // One read of the size the file has now (+1 to notice it growing); the buffer is the thread's,
    // reused from file to file. The decoders' scratch is another buffer.
    thread_local std::vector<uint8_t> bytes;
    const ScratchTrim trim{bytes};
    const size_t expected = static_cast<size_t>(st.st_size);
    bytes.resize(expected + 1);
    const size_t got = std::fread(bytes.data(), 1, bytes.size(), file.get());
    if (std::ferror(file.get()))
        throw DataError(name + ": read error (" + std::strerror(errno) + ")");
    if (got > expected)
        throw DataError(name + ": the file changed while it was read");
    return decodeImage(bytes.data(), got, name);
}

DecodedImage convertChannels(const DecodedImage& image, int64_t channels)
{
    if (channels != 1 && channels != 3)
        throw std::invalid_argument("convertChannels: " + std::to_string(channels) + " channels (1 or 3)");
    if (image.channels == channels)
        return image;
    const size_t plane = static_cast<size_t>(image.width * image.height);
    DecodedImage out;
    out.channels = channels;
    out.height = image.height;
    out.width = image.width;
    out.pixels.resize(plane * static_cast<size_t>(channels));
    if (image.channels == 1) {
        for (int c = 0; c < 3; ++c)
            std::memcpy(out.pixels.data() + c * plane, image.pixels.data(), plane);
    } else if (image.channels == 3) {
        const uint8_t* r = image.pixels.data();
        const uint8_t* g = r + plane;
        const uint8_t* b = g + plane;
        // PIL's fixed-point form of 299/587/114 per mille, rounded: its exact results.
        for (size_t i = 0; i < plane; ++i)
            out.pixels[i] = static_cast<uint8_t>((r[i] * 19595u + g[i] * 38470u + b[i] * 7471u + 0x8000u) >> 16);
    } else {
        throw std::invalid_argument("convertChannels: image of " + std::to_string(image.channels) + " channels");
    }
    return out;
}

namespace {

// PyTorch's source index and weights for one output coordinate (align_corners false), in float as
// its CPU kernel computes them for float tensors, so that the results match it bit for bit.
struct LinearTap {
    int64_t i0;
    int64_t i1;
    float w0;
    float w1;
};

std::vector<LinearTap> linearTaps(int64_t inSize, int64_t outSize)
{
    std::vector<LinearTap> taps(static_cast<size_t>(outSize));
    const float scale = static_cast<float>(inSize) / static_cast<float>(outSize);
    for (int64_t o = 0; o < outSize; ++o) {
        // In double, rounded to float, as PyTorch's area_pixel_compute_source_index evaluates it.
        float src = static_cast<float>(scale * (static_cast<double>(o) + 0.5) - 0.5);
        if (src < 0.f)
            src = 0.f;
        const int64_t i0 = std::min<int64_t>(static_cast<int64_t>(src), inSize - 1);
        const float lambda = std::min(std::max(src - static_cast<float>(i0), 0.f), 1.f);
        taps[o] = {i0, std::min(i0 + 1, inSize - 1), 1.f - lambda, lambda};
    }
    return taps;
}

} // namespace

DecodedImage resizeImage(const DecodedImage& image, int64_t height, int64_t width)
{
    if (height < 1 || width < 1)
        throw std::invalid_argument("resizeImage: target size " + std::to_string(height) + " x " +
                                    std::to_string(width));
    if (image.height == height && image.width == width)
        return image;
    if (image.height < 1 || image.width < 1)
        throw std::invalid_argument("resizeImage: empty image");
    const std::vector<LinearTap> rows = linearTaps(image.height, height);
    const std::vector<LinearTap> cols = linearTaps(image.width, width);
    DecodedImage out;
    out.channels = image.channels;
    out.height = height;
    out.width = width;
    out.pixels.resize(static_cast<size_t>(image.channels * height * width));
    for (int64_t c = 0; c < image.channels; ++c) {
        const uint8_t* in = image.pixels.data() + c * image.height * image.width;
        uint8_t* dst = out.pixels.data() + c * height * width;
        for (int64_t y = 0; y < height; ++y) {
            const LinearTap& r = rows[y];
            const uint8_t* row0 = in + r.i0 * image.width;
            const uint8_t* row1 = in + r.i1 * image.width;
            for (int64_t x = 0; x < width; ++x) {
                const LinearTap& t = cols[x];
                // PyTorch's order of operations: each row's blend, then the blend of the rows.
                const float top = float(row0[t.i0]) * t.w0 + float(row0[t.i1]) * t.w1;
                const float bottom = float(row1[t.i0]) * t.w0 + float(row1[t.i1]) * t.w1;
                const float v = top * r.w0 + bottom * r.w1;
                // Round half to even (torch.round, the default rounding mode), then clamp.
                dst[y * width + x] = static_cast<uint8_t>(std::min(255.f, std::max(0.f, std::nearbyint(v))));
            }
        }
    }
    return out;
}

} // namespace mnist
