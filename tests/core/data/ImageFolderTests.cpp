#include "Error.h"
#include "data/ImageDecode.h"
#include "data/ImageFixtures.h"
#include "data/ImageFolder.h"
#include "data/TempDir.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>

#include <fcntl.h>
#include <sys/stat.h>

using namespace mnist;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

std::vector<std::string> relatives(const ImageFolderPart& part)
{
    std::vector<std::string> out;
    for (const auto& f : part.files)
        out.push_back(f.relative);
    return out;
}

std::vector<int64_t> labels(const ImageFolderPart& part)
{
    std::vector<int64_t> out;
    for (const auto& f : part.files)
        out.push_back(f.label);
    return out;
}

bool hasProblem(const std::vector<DataProblem>& problems, const std::string& file, const std::string& text)
{
    return std::any_of(problems.begin(), problems.end(), [&](const DataProblem& p) {
        return p.file == file && p.reason.find(text) != std::string::npos;
    });
}

#if MNIST_STUDIO_IMAGE_CODECS

// A grey PNG of w x h pixels, all `value`.
void greyPng(const TempDir& dir, const std::string& relative, int w = 4, int h = 3, uint16_t value = 9)
{
    fixtures::writeBytes(dir.file(relative),
                         fixtures::pngBytes(w, h, 1, 8, std::vector<uint16_t>(size_t(w) * h, value)));
}

#else

// Without the codecs the scan still works: it reads no image.
void greyPng(const TempDir& dir, const std::string& relative, int = 4, int = 3, uint16_t = 9)
{
    fixtures::writeBytes(dir.file(relative), {0x89, 'P', 'N', 'G'});
}

#endif

} // namespace

TEST_CASE("Classes are the folder names in byte order", "[imagefolder]")
{
    TempDir dir;
    for (const char* cls : {"b", "B", "a", "_x", "a b", "10", "9"})
        greyPng(dir, std::string(cls) + "/img.png");
    fixtures::writeBytes(dir.file("notes.txt"), {'h', 'i'});
    const ImageFolderScan scan = scanImageFolder(dir.path().string());
    CHECK(scan.classes == std::vector<std::string>{"10", "9", "B", "_x", "a", "a b", "b"});
    REQUIRE(scan.parts.size() == 1);
    CHECK(scan.parts[0].name.empty());
    CHECK(labels(scan.parts[0]) == std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6});
    CHECK(scan.parts[0].files[1].relative == "9/img.png");
    CHECK(scan.parts[0].files[1].path == (dir.path() / "9/img.png").string());
    CHECK(scan.problems.empty());
    CHECK(scan.part("") == &scan.parts[0]);
    CHECK(scan.part("train") == nullptr);
}

TEST_CASE("Images are found recursively in torchvision's order", "[imagefolder]")
{
    TempDir dir;
    for (const char* f : {"c/z.png", "c/a/1.png", "c/a b/2.png", "c/a/b/3.png", "c/a/0.JPG", "c/readme.md"})
        greyPng(dir, f);
    const ImageFolderScan scan = scanImageFolder(dir.path().string());
    // sorted(os.walk()): the folders "c", "c/a", "c/a b", "c/a/b" by path, then each one's files;
    // not the paths' sort, which would put "c/a b/2.png" first.
    CHECK(relatives(scan.parts[0]) ==
          std::vector<std::string>{"c/z.png", "c/a/0.JPG", "c/a/1.png", "c/a b/2.png", "c/a/b/3.png"});
}

TEST_CASE("Each file's size and modification time are recorded", "[imagefolder]")
{
    TempDir dir;
    greyPng(dir, "0/a.png", 5, 5);
    greyPng(dir, "1/b.png", 9, 9);
    const timespec times[2] = {{1600000000, 123456789}, {1600000000, 123456789}};
    REQUIRE(::utimensat(AT_FDCWD, dir.file("0/a.png").c_str(), times, 0) == 0);
    const ImageFolderScan scan = scanImageFolder(dir.path().string());
    REQUIRE(scan.parts[0].files.size() == 2);
    CHECK(scan.parts[0].files[0].mtimeNs == 1600000000123456789);
    CHECK(scan.parts[0].files[0].size == std::filesystem::file_size(dir.file("0/a.png")));
    CHECK(scan.parts[0].files[1].size == std::filesystem::file_size(dir.file("1/b.png")));
    CHECK(scan.parts[0].files[0].size != scan.parts[0].files[1].size);
}

TEST_CASE("train, valid (or val) and test are the parts when train exists", "[imagefolder]")
{
    TempDir dir;
    for (const char* f : {"train/cat/1.png", "train/dog/1.png", "train/dog/2.png", "val/cat/1.png", "val/dog/1.png",
                          "test/dog/1.png", "test/cat/1.png", "other/cat/1.png"})
        greyPng(dir, f);
    ImageFolderScan scan = scanImageFolder(dir.path().string());
    CHECK(scan.classes == std::vector<std::string>{"cat", "dog"});
    REQUIRE(scan.parts.size() == 3);
    CHECK(scan.parts[0].name == "train");
    CHECK(scan.parts[1].name == "valid");
    CHECK(scan.parts[2].name == "test");
    CHECK(relatives(scan.parts[0]) == std::vector<std::string>{"train/cat/1.png", "train/dog/1.png", "train/dog/2.png"});
    CHECK(relatives(scan.parts[1]) == std::vector<std::string>{"val/cat/1.png", "val/dog/1.png"});
    CHECK(labels(scan.parts[2]) == std::vector<int64_t>{0, 1});
    CHECK(scan.problems.empty());

    // valid wins over val, which is reported.
    greyPng(dir, "valid/cat/9.png");
    greyPng(dir, "valid/dog/9.png");
    scan = scanImageFolder(dir.path().string());
    REQUIRE(scan.part("valid") != nullptr);
    CHECK(relatives(*scan.part("valid")) == std::vector<std::string>{"valid/cat/9.png", "valid/dog/9.png"});
    CHECK(hasProblem(scan.problems, "val", "ignored"));
}

TEST_CASE("A part of images without class folders is unlabeled", "[imagefolder]")
{
    TempDir dir;
    greyPng(dir, "train/0/a.png");
    greyPng(dir, "train/1/a.png");
    greyPng(dir, "test/x2.png");
    greyPng(dir, "test/x10.png");
    const ImageFolderScan scan = scanImageFolder(dir.path().string());
    REQUIRE(scan.part("test") != nullptr);
    CHECK(relatives(*scan.part("test")) == std::vector<std::string>{"test/x10.png", "test/x2.png"});
    CHECK(labels(*scan.part("test")) == std::vector<int64_t>{-1, -1});
    CHECK(scan.problems.empty());

    TempDir flat;
    greyPng(flat, "p.png");
    greyPng(flat, "q.bmp");
    const ImageFolderScan predict = scanImageFolder(flat.path().string());
    CHECK(predict.classes.empty());
    CHECK(labels(predict.parts[0]) == std::vector<int64_t>{-1, -1});
}

TEST_CASE("Scan problems: an empty class, a part whose classes differ, a broken file", "[imagefolder]")
{
    TempDir dir;
    greyPng(dir, "train/cat/1.png");
    greyPng(dir, "train/dog/1.png");
    std::filesystem::create_directories(dir.file("train/emu/sub"));
    fixtures::writeBytes(dir.file("train/emu/sub/readme.txt"), {'x'});
    greyPng(dir, "test/cat/1.png");
    greyPng(dir, "test/horse/1.png");
    std::filesystem::create_symlink(dir.file("nowhere.png"), dir.file("train/cat/2.png"));
    const ImageFolderScan scan = scanImageFolder(dir.path().string());
    CHECK(scan.classes == std::vector<std::string>{"cat", "dog", "emu"});
    CHECK(hasProblem(scan.problems, "train/emu", "no images"));
    CHECK(hasProblem(scan.problems, "test", "missing dog, emu"));
    CHECK(hasProblem(scan.problems, "test", "extra horse"));
    CHECK(hasProblem(scan.problems, "train/cat/2.png", "cannot be read"));
    // The extra class's images have no label among train's classes: left out.
    CHECK(relatives(*scan.part("test")) == std::vector<std::string>{"test/cat/1.png"});
    CHECK(labels(*scan.part("test")) == std::vector<int64_t>{0});
    CHECK(relatives(*scan.part("train")) == std::vector<std::string>{"train/cat/1.png", "train/dog/1.png"});
}

TEST_CASE("A folder link back up is not followed forever", "[imagefolder]")
{
    TempDir dir;
    greyPng(dir, "a/1.png");
    std::filesystem::create_directory_symlink(dir.file("a"), dir.file("a/loop"));
    std::filesystem::create_directory_symlink(dir.file("a"), dir.file("b"));
    const ImageFolderScan scan = scanImageFolder(dir.path().string());
    CHECK(scan.classes == std::vector<std::string>{"a", "b"});
    CHECK(relatives(scan.parts[0]) == std::vector<std::string>{"a/1.png", "b/1.png"});
    CHECK(hasProblem(scan.problems, "a/loop", "loops"));
}

TEST_CASE("scanImageFolder refuses a missing root, a file, and a folder without images", "[imagefolder]")
{
    TempDir dir;
    REQUIRE_THROWS_WITH(scanImageFolder(dir.file("missing")),
                        StartsWith(dir.file("missing") + ": ") && Contains("not found"));
    fixtures::writeBytes(dir.file("file"), {1});
    REQUIRE_THROWS_WITH(scanImageFolder(dir.file("file")), StartsWith(dir.file("file") + ": ") && Contains("folder"));
    std::filesystem::create_directories(dir.file("empty/cat"));
    REQUIRE_THROWS_WITH(scanImageFolder(dir.file("empty")),
                        StartsWith(dir.file("empty") + ": ") && Contains("no images"));
}

#if MNIST_STUDIO_IMAGE_CODECS

TEST_CASE("loadImageFolderPart decodes a part in file order", "[imagefolder]")
{
    TempDir dir;
    greyPng(dir, "train/0/a.png", 4, 3, 10);
    greyPng(dir, "train/0/b.png", 4, 3, 20);
    greyPng(dir, "train/1/a.png", 4, 3, 30);
    const ImageFolderScan scan = scanImageFolder(dir.path().string());
    std::vector<DataProblem> problems;
    std::vector<std::pair<int64_t, int64_t>> progress;
    const ImageSet set = loadImageFolderPart(*scan.part("train"), {}, 0, problems, 2,
                                             [&](int64_t done, int64_t total) { progress.push_back({done, total}); });
    CHECK(problems.empty());
    CHECK(set.channels == 1);
    CHECK(set.height == 3);
    CHECK(set.width == 4);
    CHECK(set.labels == std::vector<int64_t>{0, 0, 1});
    CHECK(set.sources == std::vector<std::string>{"train/0/a.png", "train/0/b.png", "train/1/a.png"});
    REQUIRE(set.pixels.size() == 3 * 12);
    CHECK(set.pixels[0] == 10);
    CHECK(set.pixels[12] == 20);
    CHECK(set.pixels[35] == 30);
    REQUIRE_FALSE(progress.empty());
    CHECK(progress.back() == std::pair<int64_t, int64_t>{3, 3});
}

TEST_CASE("Mixed sizes are problems naming the file unless a resize is set", "[imagefolder]")
{
    TempDir dir;
    greyPng(dir, "0/a.png", 4, 3, 10);
    greyPng(dir, "0/b.png", 5, 3, 20);
    greyPng(dir, "1/c.png", 4, 3, 30);
    fixtures::writeBytes(dir.file("1/d.png"), {'n', 'o', 't'});
    const ImageFolderScan scan = scanImageFolder(dir.path().string());
    std::vector<DataProblem> problems;
    const ImageSet set = loadImageFolderPart(scan.parts[0], {}, 0, problems, 1);
    CHECK(set.sources == std::vector<std::string>{"0/a.png", "1/c.png"});
    CHECK(set.labels == std::vector<int64_t>{0, 1});
    CHECK(set.pixels.size() == 2 * 12);
    REQUIRE(problems.size() == 2);
    CHECK(problems[0].file == "0/b.png");
    CHECK_THAT(problems[0].reason, Contains("5 x 3") && Contains("4 x 3") && Contains("0/a.png"));
    CHECK(problems[1].file == "1/d.png");
    CHECK_THAT(problems[1].reason, Contains("unknown"));
    CHECK_THAT(problems[1].reason, !StartsWith("1/d.png"));

    problems.clear();
    const ImageSet resized = loadImageFolderPart(scan.parts[0], ResizePolicy{6, 8}, 0, problems, 2);
    CHECK(resized.height == 6);
    CHECK(resized.width == 8);
    CHECK(resized.count() == 3);
    CHECK(resized.pixels.size() == 3 * 48);
    // Uniform images stay uniform through bilinear resizing.
    CHECK(std::all_of(resized.pixels.begin(), resized.pixels.begin() + 48, [](uint8_t v) { return v == 10; }));
    CHECK(std::all_of(resized.pixels.begin() + 48, resized.pixels.begin() + 96, [](uint8_t v) { return v == 20; }));
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].file == "1/d.png");
}

TEST_CASE("One colour image makes the part colour, channels can be forced", "[imagefolder]")
{
    TempDir dir;
    greyPng(dir, "0/a.png", 2, 1, 100);
    fixtures::writeBytes(dir.file("1/b.png"), fixtures::pngBytes(2, 1, 3, 8, {255, 0, 0, 0, 255, 0}));
    const ImageFolderScan scan = scanImageFolder(dir.path().string());
    std::vector<DataProblem> problems;
    const ImageSet colour = loadImageFolderPart(scan.parts[0], {}, 0, problems);
    CHECK(problems.empty());
    CHECK(colour.channels == 3);
    // Grey repeated to three planes, then the colour image's R, G and B planes.
    CHECK(colour.pixels == std::vector<uint8_t>{100, 100, 100, 100, 100, 100, 255, 0, 0, 255, 0, 0});
    const ImageSet grey = loadImageFolderPart(scan.parts[0], {}, 1, problems);
    CHECK(grey.channels == 1);
    CHECK(grey.pixels == std::vector<uint8_t>{100, 100, 76, 150});
    const ImageSet forced = loadImageFolderPart(*scan.part(""), {}, 3, problems);
    CHECK(forced.pixels == colour.pixels);
    CHECK(problems.empty());
}

TEST_CASE("A parallel load gives what one thread gives", "[imagefolder]")
{
    TempDir dir;
    for (int i = 0; i < 60; ++i) {
        const auto pixels = fixtures::noise(7 * 6, uint32_t(i));
        fixtures::writeBytes(dir.file(std::to_string(i % 3) + "/" + std::to_string(i) + ".png"),
                             fixtures::pngBytes(7, 6, 1, 8, std::vector<uint16_t>(pixels.begin(), pixels.end())));
    }
    fixtures::writeBytes(dir.file("1/broken.png"), fixtures::pngBytes(7, 6, 1, 8, std::vector<uint16_t>(42)));
    std::filesystem::resize_file(dir.file("1/broken.png"), 50);
    greyPng(dir, "2/odd.png", 3, 3);
    const ImageFolderScan scan = scanImageFolder(dir.path().string());
    std::vector<DataProblem> oneProblems, manyProblems;
    const ImageSet one = loadImageFolderPart(scan.parts[0], {}, 0, oneProblems, 1);
    const ImageSet many = loadImageFolderPart(scan.parts[0], {}, 0, manyProblems, 4);
    CHECK(one.count() == 60);
    CHECK(many.pixels == one.pixels);
    CHECK(many.labels == one.labels);
    CHECK(many.sources == one.sources);
    REQUIRE(manyProblems.size() == 2);
    REQUIRE(oneProblems.size() == 2);
    for (size_t i = 0; i < 2; ++i) {
        CHECK(manyProblems[i].file == oneProblems[i].file);
        CHECK(manyProblems[i].reason == oneProblems[i].reason);
    }
    CHECK(hasProblem(manyProblems, "1/broken.png", "truncated"));
    CHECK(hasProblem(manyProblems, "2/odd.png", "3 x 3"));
    for (int64_t i = 0; i < one.count(); ++i)
        CHECK(readImageFile(dir.file(one.sources[i])).pixels ==
              std::vector<uint8_t>(one.pixels.begin() + i * 42, one.pixels.begin() + (i + 1) * 42));
}

TEST_CASE("An empty part loads as an empty set", "[imagefolder]")
{
    ImageFolderPart part;
    std::vector<DataProblem> problems;
    const ImageSet set = loadImageFolderPart(part, ResizePolicy{28, 28}, 0, problems);
    CHECK(set.count() == 0);
    CHECK(set.pixels.empty());
    CHECK(set.height == 28);
    CHECK(problems.empty());
}

#endif // MNIST_STUDIO_IMAGE_CODECS
