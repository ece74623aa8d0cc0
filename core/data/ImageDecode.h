#pragma once
// Image files decoded by Debian's libraries: PNG by libpng, JPEG by libjpeg-turbo, BMP and
// PGM/PPM (binary and plain) by stb_image (libstb). No hand-written decoder: the headers are checked
// here (stb_image 2.27 does not notice truncated BMP/PNM data), and plain (text) PGM/PPM samples,
// which stb_image does not read, are parsed here. Plain std.
#include "data/ImageSet.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace mnist {

// One decoded image: C x H x W bytes (channel-major). Grey images (with or without alpha, any bit
// depth) give C = 1; colour ones (RGB, RGBA, palette) C = 3; alpha is dropped (composited on
// black: round(c * a / 255)), 16-bit samples are scaled to 8 bits as round(v / 257) (libpng's
// png_set_scale_16, not v >> 8); PGM/PPM samples of another maximum m as round(v * 255 / m). A BMP
// whose palette holds only greys is grey (as PIL opens it); CMYK JPEGs are refused.
struct DecodedImage {
    int64_t channels = 0;
    int64_t height = 0;
    int64_t width = 0;
    std::vector<uint8_t> pixels;
};

// Whether a file name's extension is one decodeImage() reads (.png .jpg .jpeg .bmp .pgm .ppm
// .pnm, any case): what an image folder scan considers an image.
bool isImageFileName(const std::string& name);

// Decodes an image from memory; the format comes from the content (its signature), not the name.
// Throws DataError "<name>: <reason>" for an unknown format, damaged or truncated data, or an
// image larger than 16384 x 16384.
DecodedImage decodeImage(const uint8_t* data, size_t size, const std::string& name);
// Reads and decodes a file; the error names `displayName` (the path when empty).
DecodedImage readImageFile(const std::string& path, const std::string& displayName = {});

// C -> 3 (grey repeated) or 3 -> 1 (ITU-R 601-2 luma, L = R * 299/1000 + G * 587/1000 + B *
// 114/1000 as PIL's convert("L"), in PIL's fixed point: (R * 19595 + G * 38470 + B * 7471 + 32768)
// >> 16, so the bytes are PIL's); returns the image unchanged when it already has `channels`.
DecodedImage convertChannels(const DecodedImage& image, int64_t channels);

// Bilinear resize to height x width: F.interpolate(x.float(), mode='bilinear', align_corners=False,
// antialias=False).round().clamp(0, 255) on the uint8 image, computed in float as PyTorch does, the
// result rounded half to even (torch.round). PyTorch's vectorised kernels may differ in the last
// float bit, which changes a byte only where the value is within that of .5. Returns the image
// unchanged when it already has that size.
DecodedImage resizeImage(const DecodedImage& image, int64_t height, int64_t width);

} // namespace mnist
