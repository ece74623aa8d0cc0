#include "Error.h"
#include "data/ImageDecode.h"
#include "data/ImageFixtures.h"
#include "data/SkipTest.h"
#include "data/TempDir.h"

#include <catch2/catch.hpp>
#include <zlib.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

using namespace mnist;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

std::vector<uint16_t> wide(const std::vector<uint8_t>& v)
{
    return std::vector<uint16_t>(v.begin(), v.end());
}

DecodedImage decode(const std::vector<uint8_t>& bytes, const std::string& name = "img")
{
    return decodeImage(bytes.data(), bytes.size(), name);
}

// The decoder either refuses the bytes naming the file, or returns a consistent image.
void requireCleanOutcome(const std::vector<uint8_t>& bytes, const std::string& name)
{
    try {
        const DecodedImage image = decode(bytes, name);
        REQUIRE((image.channels == 1 || image.channels == 3));
        REQUIRE(image.width >= 1);
        REQUIRE(image.height >= 1);
        REQUIRE(image.pixels.size() == size_t(image.channels * image.height * image.width));
    } catch (const DataError& e) {
        REQUIRE_THAT(e.what(), StartsWith(name + ": "));
    }
}

} // namespace

TEST_CASE("isImageFileName accepts the decoded extensions in any case", "[image]")
{
    for (const char* name : {"a.png", "B.PNG", "c.jpg", "d.JPEG", "e.jpeg", "f.Bmp", "g.pgm", "h.ppm", "i.pnm",
                             "dir/x.png"})
        CHECK(isImageFileName(name));
    for (const char* name : {"a.gif", "png", "a.png.txt", "a.tif", "a.webp", "a.pn", ""})
        CHECK_FALSE(isImageFileName(name));
}

#if MNIST_STUDIO_IMAGE_CODECS

TEST_CASE("PNG grey and RGB round-trip exactly", "[image][png]")
{
    const auto grey = fixtures::noise(7 * 5, 1);
    for (bool interlaced : {false, true}) {
        const DecodedImage g = decode(fixtures::pngBytes(7, 5, 1, 8, wide(grey), interlaced));
        CHECK(g.channels == 1);
        CHECK(g.width == 7);
        CHECK(g.height == 5);
        CHECK(g.pixels == grey);
        const auto rgb = fixtures::noise(7 * 5 * 3, 2);
        const DecodedImage c = decode(fixtures::pngBytes(7, 5, 3, 8, wide(rgb), interlaced));
        CHECK(c.channels == 3);
        CHECK(c.pixels == fixtures::planar(rgb, 3));
    }
}

TEST_CASE("PNG grey of 1, 2 and 4 bits is scaled to 0..255", "[image][png]")
{
    const DecodedImage one = decode(fixtures::pngBytes(10, 1, 1, 1, {0, 1, 1, 0, 1, 0, 0, 0, 1, 1}));
    CHECK(one.pixels == std::vector<uint8_t>{0, 255, 255, 0, 255, 0, 0, 0, 255, 255});
    const DecodedImage two = decode(fixtures::pngBytes(5, 1, 1, 2, {0, 1, 2, 3, 1}));
    CHECK(two.pixels == std::vector<uint8_t>{0, 85, 170, 255, 85});
    const DecodedImage four = decode(fixtures::pngBytes(3, 1, 1, 4, {0, 7, 15}));
    CHECK(four.pixels == std::vector<uint8_t>{0, 119, 255});
}

TEST_CASE("PNG alpha is composited on black", "[image][png]")
{
    // round(c * a / 255): 200 at alpha 128 is 100.4 -> 100; 255 at 255 stays; anything at 0 is 0.
    const DecodedImage ga = decode(fixtures::pngBytes(3, 1, 2, 8, {200, 128, 255, 255, 90, 0}));
    CHECK(ga.channels == 1);
    CHECK(ga.pixels == std::vector<uint8_t>{100, 255, 0});
    const DecodedImage rgba = decode(fixtures::pngBytes(2, 1, 4, 8, {255, 128, 3, 51, 10, 20, 30, 255}));
    CHECK(rgba.channels == 3);
    // 255*51/255 = 51, 128*51/255 = 25.6 -> 26, 3*51/255 = 0.6 -> 1.
    CHECK(rgba.pixels == std::vector<uint8_t>{51, 10, 26, 20, 1, 30});
}

TEST_CASE("PNG palette images are colour, their tRNS alpha composited", "[image][png]")
{
    const std::vector<std::array<uint8_t, 3>> palette = {{{10, 20, 30}}, {{200, 100, 50}}, {{255, 255, 255}}};
    const DecodedImage opaque = decode(fixtures::palettePngBytes(3, 1, palette, {}, {2, 0, 1}));
    CHECK(opaque.channels == 3);
    CHECK(opaque.pixels == std::vector<uint8_t>{255, 10, 200, 255, 20, 100, 255, 30, 50});
    // Entry 1 at alpha 51 (20%): 200 -> 40, 100 -> 20, 50 -> 10; entry 0 fully transparent.
    const DecodedImage alpha = decode(fixtures::palettePngBytes(3, 1, palette, {0, 51}, {2, 0, 1}));
    CHECK(alpha.pixels == std::vector<uint8_t>{255, 0, 40, 255, 0, 20, 255, 0, 10});
}

TEST_CASE("PNG 16-bit samples are scaled to round(v / 257)", "[image][png]")
{
    // Every 16-bit value once: libpng's png_set_scale_16 must agree with round(v * 255 / 65535).
    std::vector<uint16_t> all(65536);
    for (size_t v = 0; v < all.size(); ++v)
        all[v] = static_cast<uint16_t>(v);
    const DecodedImage image = decode(fixtures::pngBytes(256, 256, 1, 16, all));
    REQUIRE(image.pixels.size() == all.size());
    size_t wrong = 0;
    for (size_t v = 0; v < all.size(); ++v)
        wrong += image.pixels[v] != static_cast<uint8_t>((v + 128) / 257);
    CHECK(wrong == 0);
    CHECK(image.pixels[128] == 0);   // 128 / 257 = 0.498
    CHECK(image.pixels[129] == 1);   // 129 / 257 = 0.502
    CHECK(image.pixels[65535] == 255);
    const DecodedImage rgb = decode(fixtures::pngBytes(1, 1, 3, 16, {65535, 32896, 385}));
    CHECK(rgb.pixels == std::vector<uint8_t>{255, 128, 1});
}

TEST_CASE("JPEG grey and colour decode close to what was written", "[image][jpeg]")
{
    // Smooth content: JPEG's error on noise is large at any quality.
    const int w = 24, h = 16;
    std::vector<uint8_t> grey(w * h), rgb(w * h * 3);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            grey[y * w + x] = uint8_t(x * 10 + y * 3);
            rgb[(y * w + x) * 3] = uint8_t(x * 10);
            rgb[(y * w + x) * 3 + 1] = uint8_t(y * 15);
            rgb[(y * w + x) * 3 + 2] = uint8_t(128);
        }
    for (bool progressive : {false, true}) {
        const DecodedImage g = decode(fixtures::jpegBytes(w, h, 1, grey, 100, progressive));
        REQUIRE(g.channels == 1);
        REQUIRE(g.width == w);
        REQUIRE(g.height == h);
        int worst = 0;
        for (size_t i = 0; i < grey.size(); ++i)
            worst = std::max(worst, std::abs(int(g.pixels[i]) - int(grey[i])));
        CHECK(worst <= 2);
        const DecodedImage c = decode(fixtures::jpegBytes(w, h, 3, rgb, 95, progressive));
        REQUIRE(c.channels == 3);
        const auto expected = fixtures::planar(rgb, 3);
        worst = 0;
        for (size_t i = 0; i < expected.size(); ++i)
            worst = std::max(worst, std::abs(int(c.pixels[i]) - int(expected[i])));
        CHECK(worst <= 12);
    }
}

TEST_CASE("BMP of 8 (grey palette), 24 and 32 bits round-trips", "[image][bmp]")
{
    const int w = 5, h = 3; // rows of 15 bytes: padding exercised
    const auto grey = fixtures::noise(w * h, 3);
    for (bool topDown : {false, true}) {
        const DecodedImage g = decode(fixtures::bmpBytes(w, h, 1, grey, topDown));
        CHECK(g.channels == 1);
        CHECK(g.pixels == grey);
        const auto rgb = fixtures::noise(w * h * 3, 4);
        const DecodedImage c = decode(fixtures::bmpBytes(w, h, 3, rgb, topDown));
        CHECK(c.channels == 3);
        CHECK(c.width == w);
        CHECK(c.height == h);
        CHECK(c.pixels == fixtures::planar(rgb, 3));
    }
    const DecodedImage rgba = decode(fixtures::bmpBytes(2, 1, 4, {255, 128, 3, 51, 10, 20, 30, 255}));
    CHECK(rgba.channels == 3);
    CHECK(rgba.pixels == std::vector<uint8_t>{51, 10, 26, 20, 1, 30});
}

TEST_CASE("PGM and PPM, binary and plain, round-trip", "[image][pnm]")
{
    const int w = 6, h = 4;
    const auto grey = fixtures::noise(w * h, 5);
    const auto rgb = fixtures::noise(w * h * 3, 6);
    for (bool plain : {false, true}) {
        const DecodedImage g = decode(fixtures::pnmBytes(w, h, 1, wide(grey), 255, plain));
        CHECK(g.channels == 1);
        CHECK(g.width == w);
        CHECK(g.height == h);
        CHECK(g.pixels == grey);
        const DecodedImage c = decode(fixtures::pnmBytes(w, h, 3, wide(rgb), 255, plain));
        CHECK(c.channels == 3);
        CHECK(c.pixels == fixtures::planar(rgb, 3));
    }
}

TEST_CASE("PGM samples of another maximum are scaled to 0..255, rounded", "[image][pnm]")
{
    for (bool plain : {false, true}) {
        // 1000 is a 2-byte maximum: 500 * 255 / 1000 = 127.5 -> 128 (halves up), 999 -> 254.745 -> 255.
        const DecodedImage big = decode(fixtures::pnmBytes(4, 1, 1, {0, 500, 999, 1000}, 1000, plain));
        CHECK(big.pixels == std::vector<uint8_t>{0, 128, 255, 255});
        // 15: 1 -> 17, 7 -> 119, 15 -> 255.
        const DecodedImage small = decode(fixtures::pnmBytes(3, 1, 1, {1, 7, 15}, 15, plain));
        CHECK(small.pixels == std::vector<uint8_t>{17, 119, 255});
    }
}

TEST_CASE("Truncated images are refused with the file's name", "[image]")
{
    const auto grey = fixtures::noise(9 * 7, 7);
    const auto rgb = fixtures::noise(9 * 7 * 3, 8);
    const std::vector<std::pair<std::string, std::vector<uint8_t>>> files = {
        {"a.png", fixtures::pngBytes(9, 7, 1, 8, wide(grey))},
        {"b.png", fixtures::pngBytes(9, 7, 3, 8, wide(rgb), true)},
        {"c.jpg", fixtures::jpegBytes(9, 7, 3, rgb, 90)},
        {"d.jpg", fixtures::jpegBytes(9, 7, 1, grey, 90, true)},
        {"e.bmp", fixtures::bmpBytes(9, 7, 3, rgb)},
        {"f.bmp", fixtures::bmpBytes(9, 7, 1, grey)},
        {"g.pgm", fixtures::pnmBytes(9, 7, 1, wide(grey))},
        {"h.ppm", fixtures::pnmBytes(9, 7, 3, wide(rgb), 255, true)},
    };
    for (const auto& [name, bytes] : files) {
        INFO(name);
        REQUIRE_NOTHROW(decode(bytes, name));
        // The last bytes may be an end marker (PNG's IEND, JPEG's EOI) or a separator the decoder does
        // not need; any shorter prefix has lost pixels.
        for (size_t len = 1; len < bytes.size(); ++len) {
            INFO("length " << len << " of " << bytes.size());
            const std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + len);
            if (len + 16 < bytes.size())
                REQUIRE_THROWS_WITH(decode(prefix, name), StartsWith(name + ": "));
            else
                requireCleanOutcome(prefix, name);
        }
    }
}

TEST_CASE("Damaged images are refused or decoded, never crash", "[image]")
{
    const auto grey = fixtures::noise(16 * 16, 9);
    auto png = fixtures::pngBytes(16, 16, 1, 8, wide(grey));
    // A flipped byte inside the IDAT chunk breaks its CRC.
    auto broken = png;
    broken[broken.size() - 20] ^= 0x55;
    REQUIRE_THROWS_WITH(decode(broken, "x.png"), StartsWith("x.png: ") && Contains("PNG"));

    const std::vector<std::vector<uint8_t>> files = {
        png,
        fixtures::jpegBytes(16, 16, 1, grey, 80),
        fixtures::jpegBytes(16, 16, 1, grey, 80, true),
        fixtures::bmpBytes(16, 16, 1, grey),
        fixtures::pnmBytes(16, 16, 1, wide(grey), 255, true),
    };
    uint32_t seed = 1;
    for (const auto& bytes : files)
        for (int trial = 0; trial < 300; ++trial) {
            auto mutated = bytes;
            const auto r = fixtures::noise(4, seed++);
            for (int k = 0; k < 1 + r[0] % 4; ++k) {
                const auto rr = fixtures::noise(3, seed++);
                mutated[(size_t(rr[0]) << 8 | rr[1]) % mutated.size()] = rr[2];
            }
            requireCleanOutcome(mutated, "m.img");
        }
}

TEST_CASE("Unknown formats and empty data are refused", "[image]")
{
    const std::string gif = "GIF89a\x01\x00\x01\x00";
    REQUIRE_THROWS_WITH(decodeImage(reinterpret_cast<const uint8_t*>(gif.data()), gif.size(), "x.gif"),
                        StartsWith("x.gif: ") && Contains("unknown"));
    REQUIRE_THROWS_WITH(decodeImage(nullptr, 0, "e.png"), StartsWith("e.png: ") && Contains("empty"));
    // A PNG name does not make PGM bytes a PNG: the content decides.
    const DecodedImage pgm = decode(fixtures::pnmBytes(2, 1, 1, {3, 4}), "looks.png");
    CHECK(pgm.pixels == std::vector<uint8_t>{3, 4});
}

TEST_CASE("Images larger than 16384 pixels a side or of zero size are refused", "[image]")
{
    CHECK(decode(fixtures::pngBytes(16384, 1, 1, 8, std::vector<uint16_t>(16384, 7))).width == 16384);
    REQUIRE_THROWS_WITH(decode(fixtures::pngBytes(16385, 1, 1, 8, std::vector<uint16_t>(16385)), "w.png"),
                        StartsWith("w.png: ") && Contains("16385") && Contains("larger"));
    REQUIRE_THROWS_WITH(decode(fixtures::jpegBytes(1, 16385, 1, std::vector<uint8_t>(16385)), "t.jpg"),
                        StartsWith("t.jpg: ") && Contains("larger"));
    auto bmp = fixtures::bmpBytes(2, 2, 3, std::vector<uint8_t>(12));
    bmp[18] = 0x01; // width 0x4001 = 16385 (little-endian)
    bmp[19] = 0x40;
    REQUIRE_THROWS_WITH(decode(bmp, "b.bmp"), StartsWith("b.bmp: ") && Contains("larger"));
    const std::string pgm = "P5 1 20000 255\n";
    REQUIRE_THROWS_WITH(decodeImage(reinterpret_cast<const uint8_t*>(pgm.data()), pgm.size(), "p.pgm"),
                        StartsWith("p.pgm: ") && Contains("larger"));
    const std::string zero = "P5 0 3 255\n";
    REQUIRE_THROWS_WITH(decodeImage(reinterpret_cast<const uint8_t*>(zero.data()), zero.size(), "z.pgm"),
                        StartsWith("z.pgm: ") && Contains("zero"));
    // A valid header announcing 16384 x 16384 in a tiny file is refused before the pixels are
    // allocated: deflate cannot hold 256 MiB in a few bytes.
    std::vector<uint8_t> huge = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};
    const auto chunk = [&huge](const char* type, const std::vector<uint8_t>& body) {
        for (int shift = 24; shift >= 0; shift -= 8)
            huge.push_back(uint8_t(body.size() >> shift));
        const size_t start = huge.size();
        huge.insert(huge.end(), type, type + 4);
        huge.insert(huge.end(), body.begin(), body.end());
        const uLong crc = crc32(0, huge.data() + start, uInt(huge.size() - start));
        for (int shift = 24; shift >= 0; shift -= 8)
            huge.push_back(uint8_t(crc >> shift));
    };
    chunk("IHDR", {0, 0, 0x40, 0, 0, 0, 0x40, 0, 8, 0, 0, 0, 0});
    chunk("IDAT", {0x78, 0x9c, 0x63, 0, 0, 0, 1, 0, 1});
    chunk("IEND", {});
    REQUIRE_THROWS_WITH(decode(huge, "h.png"), StartsWith("h.png: ") && Contains("more than a file of"));
}

TEST_CASE("readImageFile names the file, or the display name", "[image]")
{
    TempDir dir;
    REQUIRE_THROWS_WITH(readImageFile(dir.file("missing.png")), StartsWith(dir.file("missing.png") + ": "));
    REQUIRE_THROWS_WITH(readImageFile(dir.file("missing.png"), "train/0/missing.png"),
                        StartsWith("train/0/missing.png: ") && Contains("cannot open"));
    std::filesystem::create_directories(dir.file("folder.png"));
    REQUIRE_THROWS_WITH(readImageFile(dir.file("folder.png"), "folder.png"), StartsWith("folder.png: "));
    const auto rgb = fixtures::noise(4 * 3 * 3, 11);
    fixtures::writeBytes(dir.file("ok.png"), fixtures::pngBytes(4, 3, 3, 8, wide(rgb)));
    const DecodedImage image = readImageFile(dir.file("ok.png"));
    CHECK(image.pixels == fixtures::planar(rgb, 3));
    fixtures::writeBytes(dir.file("empty.png"), {});
    REQUIRE_THROWS_WITH(readImageFile(dir.file("empty.png"), "empty.png"), StartsWith("empty.png: "));
}

#else

TEST_CASE("Without the image libraries decoding says what the build lacks", "[image]")
{
    const std::vector<uint8_t> png = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0};
    REQUIRE_THROWS_WITH(decodeImage(png.data(), png.size(), "a.png"), StartsWith("a.png: ") && Contains("libpng"));
}

#endif // MNIST_STUDIO_IMAGE_CODECS

TEST_CASE("convertChannels repeats grey and takes PIL's luma of colour", "[image]")
{
    DecodedImage grey{1, 1, 2, {7, 200}};
    const DecodedImage three = convertChannels(grey, 3);
    CHECK(three.channels == 3);
    CHECK(three.pixels == std::vector<uint8_t>{7, 200, 7, 200, 7, 200});
    CHECK(convertChannels(grey, 1).pixels == grey.pixels);
    // R, G, B planes of five pixels: pure red, green, blue, white and (10, 20, 30).
    DecodedImage colour{3, 1, 5, {255, 0, 0, 255, 10, 0, 255, 0, 255, 20, 0, 0, 255, 255, 30}};
    const DecodedImage luma = convertChannels(colour, 1);
    CHECK(luma.channels == 1);
    // PIL's convert("L"): 76, 150, 29, 255 and 18 (10*.299 + 20*.587 + 30*.114 = 18.15).
    CHECK(luma.pixels == std::vector<uint8_t>{76, 150, 29, 255, 18});
    CHECK_THROWS_AS(convertChannels(grey, 2), std::invalid_argument);
}

TEST_CASE("resizeImage is bilinear with align_corners false", "[image]")
{
    DecodedImage tiny{1, 2, 2, {0, 100, 200, 255}};
    const DecodedImage up = resizeImage(tiny, 4, 4);
    CHECK(up.height == 4);
    CHECK(up.width == 4);
    // Sources at -0.25 (clamped to 0), 0.25, 0.75 and 1.25 (the last pixel) on both axes.
    CHECK(up.pixels == std::vector<uint8_t>{0, 25, 75, 100,       // row 0
                                            50, 72, 117, 139,     // 72.19, 116.56, 138.75
                                            150, 167, 200, 216,   // 166.56, 199.69, 216.25
                                            200, 214, 241, 255}); // 213.75, 241.25
    // Halving takes the mean of pixel pairs; .5 is rounded to even as torch.round does.
    DecodedImage row{1, 1, 4, {10, 15, 20, 25}};
    CHECK(resizeImage(row, 1, 2).pixels == std::vector<uint8_t>{12, 22});
    DecodedImage colour{3, 1, 2, {0, 100, 10, 20, 255, 255}};
    const DecodedImage wider = resizeImage(colour, 1, 4);
    CHECK(wider.channels == 3);
    CHECK(wider.pixels == std::vector<uint8_t>{0, 25, 75, 100, 10, 12, 18, 20, 255, 255, 255, 255});
    CHECK(resizeImage(tiny, 2, 2).pixels == tiny.pixels);
}

TEST_CASE("resizeImage matches torch.nn.functional.interpolate", "[image][torch]")
{
    // Debian's python3-torch belongs to /usr/bin/python3; a python3 earlier on PATH may lack it.
    const std::string python = std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
    if (std::system((python + " -c 'import torch' > /dev/null 2>&1").c_str()) != 0)
        return fixtures::skipTest("python3 with torch is not installed");
    TempDir dir;
    struct Case {
        int64_t c, h, w, outH, outW;
    };
    const std::vector<Case> cases = {{1, 13, 17, 28, 28}, {3, 40, 33, 28, 20}, {1, 28, 28, 7, 9}, {3, 5, 9, 31, 4}};
    std::ostringstream script;
    script << "import struct, torch, torch.nn.functional as F\n";
    std::vector<DecodedImage> inputs;
    for (size_t k = 0; k < cases.size(); ++k) {
        const Case& c = cases[k];
        DecodedImage in{c.c, c.h, c.w, fixtures::noise(size_t(c.c * c.h * c.w), uint32_t(100 + k))};
        fixtures::writeBytes(dir.file("in" + std::to_string(k)), in.pixels);
        inputs.push_back(in);
        script << "x = torch.frombuffer(bytearray(open('" << dir.file("in" + std::to_string(k))
               << "', 'rb').read()), dtype=torch.uint8).reshape(1, " << c.c << ", " << c.h << ", " << c.w << ")\n"
               << "y = F.interpolate(x.float(), size=(" << c.outH << ", " << c.outW
               << "), mode='bilinear', align_corners=False, antialias=False)\n"
               << "open('" << dir.file("out" + std::to_string(k))
               << "', 'wb').write(struct.pack('<%df' % y.numel(), *y.flatten().tolist()))\n";
    }
    const std::string text = script.str();
    fixtures::writeBytes(dir.file("resize.py"), std::vector<uint8_t>(text.begin(), text.end()));
    REQUIRE(std::system((python + " " + dir.file("resize.py")).c_str()) == 0);
    for (size_t k = 0; k < cases.size(); ++k) {
        INFO("case " << k);
        const DecodedImage out = resizeImage(inputs[k], cases[k].outH, cases[k].outW);
        const std::vector<uint8_t> bytes = fixtures::readBytes(dir.file("out" + std::to_string(k)));
        REQUIRE(bytes.size() == out.pixels.size() * sizeof(float));
        std::vector<float> exact(out.pixels.size());
        std::memcpy(exact.data(), bytes.data(), bytes.size());
        // The same float formula evaluated in another order (PyTorch's kernels are vectorised and
        // may fuse multiply-adds) differs in the last bit; that only shows where the value is a hair
        // from .5, where it may round either way.
        size_t differ = 0;
        for (size_t i = 0; i < exact.size(); ++i) {
            const float expected = std::nearbyint(std::min(255.f, std::max(0.f, exact[i])));
            if (out.pixels[i] == expected)
                continue;
            ++differ;
            INFO("pixel " << i << ": " << int(out.pixels[i]) << ", torch " << exact[i]);
            CHECK(std::abs(out.pixels[i] - expected) == 1);
            CHECK(std::abs(exact[i] - std::floor(exact[i]) - 0.5f) < 1e-4f);
        }
        CHECK(differ <= exact.size() / 20 + 1);
    }
}
