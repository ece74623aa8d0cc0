#include "data/MnistFamily.h"

#include "Error.h"
#include "data/IdxReader.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <set>
#include <string_view>

namespace fs = std::filesystem;

namespace mnist {
namespace {

bool isBlank(char c)
{
    return c == ' ' || c == '\t';
}

std::string_view trimmed(std::string_view s)
{
    while (!s.empty() && (isBlank(s.front()) || s.front() == '\r'))
        s.remove_prefix(1);
    while (!s.empty() && (isBlank(s.back()) || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

// Calls `each(lineNumber, line)` for every line of a text file's content, 1-based, without its
// line end (LF or CRLF) or the surrounding blanks; a UTF-8 BOM is skipped.
template <class Each>
void forEachLine(std::string_view text, Each&& each)
{
    if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF")
        text.remove_prefix(3);
    int64_t lineNo = 0;
    while (!text.empty()) {
        const size_t nl = text.find('\n');
        each(++lineNo, trimmed(text.substr(0, nl)));
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    }
}

std::string shown(std::string_view line)
{
    constexpr size_t kMax = 40;
    return "\"" + std::string(line.substr(0, kMax)) + (line.size() > kMax ? "...\"" : "\"");
}

// A non-negative decimal integer of at most `maxDigits` digits, all of `s`; -1 otherwise.
int64_t parseCount(std::string_view s, size_t maxDigits = 9)
{
    if (s.empty() || s.size() > maxDigits)
        return -1;
    int64_t value = 0;
    for (char c : s) {
        if (c < '0' || c > '9')
            return -1;
        value = value * 10 + (c - '0');
    }
    return value;
}

bool isCharacterCode(int64_t code)
{
    return code > 0 && code <= 0x10FFFF && !(code >= 0xD800 && code <= 0xDFFF);
}

std::string utf8(int64_t code)
{
    const auto c = static_cast<uint32_t>(code);
    std::string out;
    if (c < 0x80) {
        out += static_cast<char>(c);
    } else if (c < 0x800) {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (c >> 18));
        out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    }
    return out;
}

std::string readText(const std::string& path)
{
    const std::vector<uint8_t> bytes = readDataFile(path);
    return std::string(bytes.begin(), bytes.end());
}

bool isFile(const fs::path& path)
{
    std::error_code ec;
    return fs::is_regular_file(path, ec);
}

bool isFolder(const fs::path& path)
{
    std::error_code ec;
    return fs::is_directory(path, ec);
}

// `base` or `base`.gz, whichever exists (the uncompressed one when both do); empty when neither.
std::string findIdx(const std::string& base)
{
    if (isFile(base))
        return base;
    if (isFile(base + ".gz"))
        return base + ".gz";
    return {};
}

// One half of a release (train or test): the images and their labels, already mapped to class
// indices by `readLabels`, which names the labels file in its errors.
template <class ReadLabels>
ImageSet readPart(const std::string& imagesBase, const std::string& labelsBase, bool required, bool transposed,
                  ReadLabels&& readLabels)
{
    const std::string images = findIdx(imagesBase);
    const std::string labels = findIdx(labelsBase);
    ImageSet set;
    if (images.empty() && labels.empty() && !required)
        return set;
    if (images.empty())
        throw DataError(imagesBase + "[.gz]: file not found");
    if (labels.empty())
        throw DataError(labelsBase + "[.gz]: file not found");

    IdxImages idx = readIdxImages(images);
    std::vector<int64_t> classes = readLabels(labels);
    if (static_cast<int64_t>(classes.size()) != idx.count)
        throw DataError(labels + ": " + std::to_string(classes.size()) + " labels for " + std::to_string(idx.count) +
                        " images in " + fs::path(images).filename().string());
    set.channels = 1;
    set.labels = std::move(classes);
    if (!transposed) {
        set.height = idx.rows;
        set.width = idx.cols;
        set.pixels = std::move(idx.pixels);
        return set;
    }
    // EMNIST kept the column-major layout of its MATLAB source: the file's row r holds the upright
    // image's column r.
    set.height = idx.cols;
    set.width = idx.rows;
    set.pixels.resize(idx.pixels.size());
    const size_t rows = static_cast<size_t>(idx.rows), cols = static_cast<size_t>(idx.cols);
    for (size_t i = 0; i < static_cast<size_t>(idx.count); ++i) {
        const uint8_t* in = idx.pixels.data() + i * rows * cols;
        uint8_t* out = set.pixels.data() + i * rows * cols;
        for (size_t r = 0; r < rows; ++r)
            for (size_t c = 0; c < cols; ++c)
                out[c * rows + r] = in[r * cols + c];
    }
    return set;
}

// The test half has the train half's image size even when empty, so that callers can use either.
void sizeLike(ImageSet& test, const ImageSet& train)
{
    if (test.count() > 0)
        return;
    test.channels = train.channels;
    test.height = train.height;
    test.width = train.width;
}

// The EMNIST splits with a file in `folder` (emnist-<split>-mapping.txt or any of its IDX files).
std::set<std::string> emnistSplits(const fs::path& folder)
{
    static const char* const kSuffixes[] = {"-mapping.txt",
                                            "-train-images-idx3-ubyte",
                                            "-train-labels-idx1-ubyte",
                                            "-test-images-idx3-ubyte",
                                            "-test-labels-idx1-ubyte"};
    std::set<std::string> splits;
    std::error_code ec;
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        std::string name = it->path().filename().string();
        if (name.rfind("emnist-", 0) != 0)
            continue;
        if (name.size() > 3 && name.compare(name.size() - 3, 3, ".gz") == 0)
            name.resize(name.size() - 3);
        for (const char* suffix : kSuffixes) {
            const size_t n = std::strlen(suffix);
            if (name.size() > 7 + n && name.compare(name.size() - n, n, suffix) == 0)
                splits.insert(name.substr(7, name.size() - 7 - n));
        }
    }
    return splits;
}

// The EMNIST path prefix ("FOLDER/emnist-letters") that `location` stands for.
std::string emnistPrefix(const std::string& location)
{
    if (!isFolder(location)) {
        const std::string file = fs::path(location).filename().string();
        if (file.rfind("emnist-", 0) != 0 || file.size() == 7)
            throw DataError(location + ": not a folder nor a path prefix FOLDER/emnist-<split> (such as "
                                       "gzip/emnist-letters)");
        return location;
    }
    fs::path folder = location;
    std::set<std::string> splits = emnistSplits(folder);
    // The release unpacks into gzip/: the folder above it will do.
    if (splits.empty() && isFolder(folder / "gzip")) {
        folder /= "gzip";
        splits = emnistSplits(folder);
    }
    if (splits.empty())
        throw DataError(location + ": no EMNIST files (emnist-<split>-train-images-idx3-ubyte[.gz] with "
                                   "emnist-<split>-mapping.txt)");
    if (splits.size() > 1) {
        std::string list;
        for (const std::string& split : splits)
            list += (list.empty() ? "" : ", ") + split;
        throw DataError(location + ": holds several EMNIST splits (" + list + "); pass FOLDER/emnist-<split>, e.g. " +
                        (folder / ("emnist-" + *splits.begin())).string());
    }
    return (folder / ("emnist-" + *splits.begin())).string();
}

} // namespace

std::vector<std::string> mnistClassNames()
{
    return {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
}

std::vector<std::string> fashionMnistClassNames()
{
    return {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};
}

std::vector<std::string> parseEmnistMapping(const std::string& text, const std::string& name,
                                            std::vector<int64_t>& labelIds)
{
    std::vector<std::string> names;
    labelIds.clear();
    std::set<int64_t> seen;
    forEachLine(text, [&](int64_t lineNo, std::string_view line) {
        if (line.empty())
            return;
        const std::string at = name + ":" + std::to_string(lineNo) + ": ";
        std::vector<int64_t> numbers;
        while (!line.empty()) {
            const size_t end = static_cast<size_t>(std::find_if(line.begin(), line.end(), isBlank) - line.begin());
            const int64_t value = parseCount(line.substr(0, end));
            if (value < 0 || numbers.size() == 3)
                throw DataError(at + "expected \"<label> <code>\" or \"<label> <code> <code>\", found " + shown(line));
            numbers.push_back(value);
            line = trimmed(line.substr(end));
        }
        if (numbers.size() < 2)
            throw DataError(at + "expected \"<label> <code>\" or \"<label> <code> <code>\", found only a label");
        // IDX labels are bytes.
        if (numbers[0] > 255)
            throw DataError(at + "label " + std::to_string(numbers[0]) + " is outside 0..255");
        if (!seen.insert(numbers[0]).second)
            throw DataError(at + "label " + std::to_string(numbers[0]) + " is mapped twice");
        for (size_t i = 1; i < numbers.size(); ++i)
            if (!isCharacterCode(numbers[i]))
                throw DataError(at + std::to_string(numbers[i]) + " is not a Unicode character code");
        std::string className = utf8(numbers[1]);
        if (numbers.size() == 3 && numbers[2] != numbers[1])
            className += "/" + utf8(numbers[2]);
        labelIds.push_back(numbers[0]);
        names.push_back(std::move(className));
    });
    if (names.empty())
        throw DataError(name + ": no classes (expected lines \"<label> <code>\")");
    return names;
}

std::vector<std::string> parseKmnistClassMap(const std::string& text, const std::string& name)
{
    std::vector<std::string> names;
    bool header = true;
    bool blankSeen = false;
    forEachLine(text, [&](int64_t lineNo, std::string_view line) {
        const std::string at = name + ":" + std::to_string(lineNo) + ": ";
        if (header) {
            std::string lower(line);
            std::transform(lower.begin(), lower.end(), lower.begin(),
                           [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
            lower.erase(std::remove_if(lower.begin(), lower.end(), isBlank), lower.end());
            if (lower != "index,codepoint,char")
                throw DataError(at + "expected the header index,codepoint,char, found " + shown(line));
            header = false;
            return;
        }
        if (line.empty()) {
            blankSeen = true;
            return;
        }
        if (blankSeen)
            throw DataError(at + "a class after a blank line (only the end of the file may have blank lines)");
        // The character comes last and may itself be a comma: split at the first two commas only.
        const size_t c1 = line.find(',');
        const size_t c2 = c1 == std::string_view::npos ? c1 : line.find(',', c1 + 1);
        if (c2 == std::string_view::npos)
            throw DataError(at + "expected \"<index>,U+<hex>,<char>\", found " + shown(line));
        const int64_t index = parseCount(trimmed(line.substr(0, c1)));
        if (index != static_cast<int64_t>(names.size()))
            throw DataError(at + "index " + shown(trimmed(line.substr(0, c1))) + ", expected " +
                            std::to_string(names.size()) + " (the classes in order from 0)");
        const std::string_view codepoint = trimmed(line.substr(c1 + 1, c2 - c1 - 1));
        int64_t code = -1;
        if (codepoint.size() >= 3 && codepoint.size() <= 8 && (codepoint[0] == 'U' || codepoint[0] == 'u') &&
            codepoint[1] == '+') {
            code = 0;
            for (char c : codepoint.substr(2)) {
                const int digit = c >= '0' && c <= '9'   ? c - '0'
                                  : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                                         : -1;
                if (digit < 0) {
                    code = -1;
                    break;
                }
                code = code * 16 + digit;
            }
        }
        if (!isCharacterCode(code))
            throw DataError(at + shown(codepoint) + " is not a code point U+<hex>");
        // Not trimmed: a blank may be the character itself; the line's own ends are already trimmed.
        const std::string_view character = line.substr(c2 + 1);
        if (character != utf8(code))
            throw DataError(at + "the character " + shown(character) + " is not " + std::string(codepoint) +
                            " in UTF-8");
        names.emplace_back(character);
    });
    if (header)
        throw DataError(name + ": empty file (expected the header index,codepoint,char and one line per class)");
    if (names.empty())
        throw DataError(name + ": no classes, only the header line");
    return names;
}

std::vector<int64_t> parseQmnistLabels(const uint8_t* data, size_t size, const std::string& name)
{
    const IdxTable table = parseIdxInt32Table(data, size, name);
    std::vector<int64_t> labels(static_cast<size_t>(table.rows));
    for (size_t row = 0; row < labels.size(); ++row) {
        const int32_t label = table.values[row * static_cast<size_t>(table.cols)];
        if (label < 0 || label > 9)
            throw DataError(name + ": label " + std::to_string(label) + " in row " + std::to_string(row) +
                            " (column 0, the class) is outside 0..9");
        labels[row] = label;
    }
    return labels;
}

FamilyData readEmnist(const std::string& location)
{
    const std::string prefix = emnistPrefix(location);
    FamilyData data;
    data.name = fs::path(prefix).filename().string();
    const std::string mappingPath = prefix + "-mapping.txt";
    std::vector<int64_t> labelIds;
    data.classes = parseEmnistMapping(readText(mappingPath), mappingPath, labelIds);
    int64_t classOf[256];
    std::fill(std::begin(classOf), std::end(classOf), -1);
    for (size_t i = 0; i < labelIds.size(); ++i)
        classOf[labelIds[i]] = static_cast<int64_t>(i);
    const auto readLabels = [&](const std::string& path) {
        const std::vector<uint8_t> raw = readIdxLabels(path, 255);
        std::vector<int64_t> classes(raw.size());
        for (size_t i = 0; i < raw.size(); ++i) {
            classes[i] = classOf[raw[i]];
            if (classes[i] < 0)
                throw DataError(path + ": label " + std::to_string(raw[i]) + " at index " + std::to_string(i) +
                                " is not in the mapping " + fs::path(mappingPath).filename().string());
        }
        return classes;
    };
    data.train = readPart(prefix + "-train-images-idx3-ubyte", prefix + "-train-labels-idx1-ubyte", true, true,
                          readLabels);
    data.test = readPart(prefix + "-test-images-idx3-ubyte", prefix + "-test-labels-idx1-ubyte", false, true,
                         readLabels);
    sizeLike(data.test, data.train);
    return data;
}

FamilyData readKmnist(const std::string& location)
{
    if (!isFolder(location))
        throw DataError(location + ": not a folder (expected KMNIST's train-images-idx3-ubyte[.gz], ... and "
                                   "kmnist_classmap.csv)");
    const fs::path folder = location;
    const std::string classMap = (folder / "kmnist_classmap.csv").string();
    if (!isFile(classMap))
        throw DataError(classMap + ": file not found (KMNIST's class names, part of its release beside the IDX "
                                   "files)");
    FamilyData data;
    data.name = "kmnist";
    data.classes = parseKmnistClassMap(readText(classMap), classMap);
    const auto readLabels = [&](const std::string& path) {
        const std::vector<uint8_t> raw = readIdxLabels(path, 255);
        for (size_t i = 0; i < raw.size(); ++i)
            if (raw[i] >= data.classes.size())
                throw DataError(path + ": label " + std::to_string(raw[i]) + " at index " + std::to_string(i) +
                                " is outside the class map's 0.." + std::to_string(data.classes.size() - 1));
        return std::vector<int64_t>(raw.begin(), raw.end());
    };
    const std::string at = folder.string() + "/";
    data.train = readPart(at + "train-images-idx3-ubyte", at + "train-labels-idx1-ubyte", true, false, readLabels);
    data.test = readPart(at + "t10k-images-idx3-ubyte", at + "t10k-labels-idx1-ubyte", false, false, readLabels);
    sizeLike(data.test, data.train);
    return data;
}

FamilyData readQmnist(const std::string& location)
{
    if (!isFolder(location))
        throw DataError(location + ": not a folder (expected QMNIST's qmnist-train-images-idx3-ubyte[.gz], ...)");
    const std::string at = (fs::path(location) / "").string();
    const auto readLabels = [](const std::string& path) {
        const std::vector<uint8_t> bytes = readDataFile(path);
        return parseQmnistLabels(bytes.data(), bytes.size(), path);
    };
    FamilyData data;
    data.classes = mnistClassNames();
    // xnist holds all 120,000 images in one set; the train/test pair is preferred when both are there.
    if (findIdx(at + "qmnist-train-images-idx3-ubyte").empty() && !findIdx(at + "xnist-images-idx3-ubyte").empty()) {
        data.name = "xnist";
        data.train = readPart(at + "xnist-images-idx3-ubyte", at + "xnist-labels-idx2-int", true, false, readLabels);
    } else {
        data.name = "qmnist";
        data.train = readPart(at + "qmnist-train-images-idx3-ubyte", at + "qmnist-train-labels-idx2-int", true,
                              false, readLabels);
        data.test = readPart(at + "qmnist-test-images-idx3-ubyte", at + "qmnist-test-labels-idx2-int", false, false,
                             readLabels);
    }
    sizeLike(data.test, data.train);
    return data;
}

} // namespace mnist
