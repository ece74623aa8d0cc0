#include "data/DataSource.h"

#include "Error.h"
#include "data/DigitCsv.h"
#include "data/ImageDecode.h"
#include "data/ImageFolder.h"
#include "data/IdxReader.h"
#include "data/MnistFamily.h"

#include <nlohmann/json.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <random>

namespace fs = std::filesystem;
using nlohmann::json;

namespace mnist {

const std::vector<std::string>& dataKinds()
{
    static const std::vector<std::string> kinds{"mnist", "fashion-mnist", "idx", "folder", "csv", "emnist", "kmnist", "qmnist"};
    return kinds;
}

bool isDataKind(const std::string& kind)
{
    const auto& k = dataKinds();
    return std::find(k.begin(), k.end(), kind) != k.end();
}

namespace {

bool isFile(const fs::path& p)
{
    std::error_code ec;
    return fs::is_regular_file(p, ec);
}

bool isFolder(const fs::path& p)
{
    std::error_code ec;
    return fs::is_directory(p, ec);
}

bool startsWith(const std::string& s, const std::string& prefix)
{
    return s.compare(0, prefix.size(), prefix) == 0;
}

bool endsWith(const std::string& s, const std::string& suffix)
{
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// MNIST mirrors spell the names with "-" or "." before idxN; any may be gzipped.
std::string findIdxFile(const fs::path& folder, const std::string& prefix, const std::string& kind)
{
    for (const char* sep : {"-", "."})
        for (const char* ext : {"", ".gz"}) {
            const fs::path p = folder / (prefix + sep + kind + "-ubyte" + ext);
            if (isFile(p))
                return p.string();
        }
    return {};
}

ImageSet idxPart(const fs::path& folder, const std::string& prefix, bool required)
{
    const std::string images = findIdxFile(folder, prefix + "-images", "idx3");
    const std::string labels = findIdxFile(folder, prefix + "-labels", "idx1");
    if (images.empty() || labels.empty()) {
        if (!required && images.empty() && labels.empty())
            return {};
        std::string missing;
        if (images.empty())
            missing += prefix + "-images-idx3-ubyte[.gz]";
        if (labels.empty())
            missing += std::string(missing.empty() ? "" : " and ") + prefix + "-labels-idx1-ubyte[.gz]";
        throw DataError("data folder " + folder.string() + " lacks " + missing);
    }
    IdxImages img = readIdxImages(images);
    const std::vector<uint8_t> lab = readIdxLabels(labels);
    if (static_cast<int64_t>(lab.size()) != img.count)
        throw DataError(images + " has " + std::to_string(img.count) + " images but " + labels + " has " +
                        std::to_string(lab.size()) + " labels");
    ImageSet s;
    s.channels = 1;
    s.height = img.rows;
    s.width = img.cols;
    s.pixels = std::move(img.pixels);
    s.labels.assign(lab.begin(), lab.end());
    return s;
}

// ---- the decoded cache ----

uint64_t fnv1a(const std::string& s)
{
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

int64_t mtimeNs(const std::string& path, uint64_t& size)
{
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return -1;
    size = static_cast<uint64_t>(st.st_size);
    return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

// What the cached content was decoded from: every input file with its size and time.
using Signature = std::vector<std::tuple<std::string, uint64_t, int64_t>>;

constexpr char kCacheMagic[8] = {'M', 'N', 'S', 'T', 'D', 'C', '0', '1'};

json partHeader(const ImageSet& s)
{
    return json{{"channels", s.channels}, {"height", s.height}, {"width", s.width}, {"count", s.count()}, {"sources", s.sources}};
}

std::string cacheFile(const DataRequest& r, const std::string& location)
{
    const std::string dir = decodedCacheDir();
    if (dir.empty())
        return {};
    const std::string key = r.kind + "\n" + location + "\n" + std::to_string(r.resize.height) + "x" + std::to_string(r.resize.width);
    char name[40];
    std::snprintf(name, sizeof name, "%016llx.bin", static_cast<unsigned long long>(fnv1a(key)));
    return (fs::path(dir) / name).string();
}

bool readExactly(std::FILE* f, void* dst, size_t n)
{
    return n == 0 || std::fread(dst, 1, n, f) == n;
}

// The cached source when its signature is `signature`; false (and nothing changed) otherwise,
// whatever the file holds: a cache can only ever save time.
bool loadCache(const std::string& path, const Signature& signature, SourceData& out)
{
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f)
        return false;
    struct Closer {
        std::FILE* f;
        ~Closer() { std::fclose(f); }
    } closer{f};
    char magic[8];
    uint64_t headerSize = 0;
    if (!readExactly(f, magic, 8) || std::memcmp(magic, kCacheMagic, 8) != 0 || !readExactly(f, &headerSize, 8) ||
        headerSize > (1ull << 31))
        return false;
    std::string headerText(headerSize, '\0');
    if (!readExactly(f, headerText.data(), headerSize))
        return false;
    try {
        const json h = json::parse(headerText);
        if (h.at("signature").get<Signature>() != signature)
            return false;
        SourceData d;
        d.kind = h.at("kind").get<std::string>();
        d.name = h.at("name").get<std::string>();
        d.location = h.at("location").get<std::string>();
        d.classes = h.at("classes").get<std::vector<std::string>>();
        for (const auto& p : h.at("problems"))
            d.problems.push_back({p.at(0).get<std::string>(), p.at(1).get<std::string>()});
        for (auto [key, part] : {std::pair<const char*, ImageSet*>{"train", &d.train}, {"valid", &d.valid}, {"test", &d.test}}) {
            const json& p = h.at(key);
            part->channels = p.at("channels").get<int64_t>();
            part->height = p.at("height").get<int64_t>();
            part->width = p.at("width").get<int64_t>();
            const auto count = p.at("count").get<int64_t>();
            part->sources = p.at("sources").get<std::vector<std::string>>();
            if (count < 0 || part->channels < 0 || part->height < 0 || part->width < 0 ||
                (!part->sources.empty() && static_cast<int64_t>(part->sources.size()) != count))
                return false;
            part->pixels.resize(static_cast<size_t>(count * part->imageBytes()));
            part->labels.resize(static_cast<size_t>(count));
            if (!readExactly(f, part->pixels.data(), part->pixels.size()) ||
                !readExactly(f, part->labels.data(), part->labels.size() * sizeof(int64_t)))
                return false;
        }
        d.fromCache = true;
        out = std::move(d);
        return true;
    } catch (const std::exception&) {
        return false;
    }
}

// Written to a temporary name and renamed, so a crash never leaves a half file under the real one.
void saveCache(const std::string& path, const Signature& signature, const SourceData& d)
{
    std::error_code ec;
    fs::create_directories(fs::path(path).parent_path(), ec);
    json problems = json::array();
    for (const auto& p : d.problems)
        problems.push_back({p.file, p.reason});
    const json h{{"signature", signature}, {"kind", d.kind},         {"name", d.name},
                 {"location", d.location}, {"classes", d.classes},   {"problems", problems},
                 {"train", partHeader(d.train)}, {"valid", partHeader(d.valid)}, {"test", partHeader(d.test)}};
    const std::string text = h.dump();
    const std::string tmp = path + ".tmp" + std::to_string(::getpid());
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f)
        return;
    const uint64_t size = text.size();
    bool ok = std::fwrite(kCacheMagic, 1, 8, f) == 8 && std::fwrite(&size, 8, 1, f) == 1 &&
              std::fwrite(text.data(), 1, text.size(), f) == text.size();
    for (const ImageSet* part : {&d.train, &d.valid, &d.test})
        ok = ok && std::fwrite(part->pixels.data(), 1, part->pixels.size(), f) == part->pixels.size() &&
             std::fwrite(part->labels.data(), sizeof(int64_t), part->labels.size(), f) == part->labels.size();
    ok = std::fclose(f) == 0 && ok;
    if (ok)
        fs::rename(tmp, path, ec);
    if (!ok || ec)
        fs::remove(tmp, ec);
}

// ---- the kinds ----

SourceData readIdxKind(const DataRequest& r, const fs::path& folder)
{
    if (!isFolder(folder))
        throw DataError("data folder " + folder.string() + " does not exist (run scripts/fetch-data.sh, or pass --data-dir)");
    SourceData d;
    d.train = idxPart(folder, "train", true);
    d.test = idxPart(folder, "t10k", true);
    d.classes = r.kind == "fashion-mnist" ? fashionMnistClassNames() : mnistClassNames();
    d.name = r.kind == "idx" ? folder.filename().string() : r.kind;
    return d;
}

void checkUniformSize(const SourceData& d, const std::string& location)
{
    const ImageSet* first = nullptr;
    for (const ImageSet* p : {&d.train, &d.valid, &d.test}) {
        if (p->count() == 0)
            continue;
        if (!first)
            first = p;
        else if (p->channels != first->channels || p->height != first->height || p->width != first->width)
            throw DataError(location + ": the parts' images differ in size (" + std::to_string(first->channels) + "x" +
                            std::to_string(first->height) + "x" + std::to_string(first->width) + " and " +
                            std::to_string(p->channels) + "x" + std::to_string(p->height) + "x" + std::to_string(p->width) +
                            "); choose an image size to resize them to");
    }
}

SourceData readFolderKind(const DataRequest& r, const fs::path& root)
{
    const ImageFolderScan scan = scanImageFolder(root.string());
    Signature signature;
    for (const auto& part : scan.parts)
        for (const auto& f : part.files)
            signature.emplace_back(f.relative, f.size, f.mtimeNs);
    const std::string cache = r.useCache ? cacheFile(r, root.string()) : std::string();
    SourceData d;
    if (!cache.empty() && loadCache(cache, signature, d))
        return d;

    d.classes = scan.classes;
    d.name = root.filename().string();
    d.problems = scan.problems;
    // One channel count for every part: colour when any part holds a colour image.
    int64_t channels = 0;
    for (int pass = 0; pass < 2; ++pass) {
        for (const auto& part : scan.parts) {
            if (part.files.empty())
                continue;
            ImageSet* target = part.name == "valid" ? &d.valid : part.name == "test" ? &d.test : &d.train;
            std::vector<DataProblem> problems;
            auto progress = [&](int64_t done, int64_t total) {
                if (r.progress)
                    r.progress("decoding " + (part.name.empty() ? std::string("images") : part.name), done, total);
            };
            *target = loadImageFolderPart(part, r.resize, channels, problems, r.threads, progress);
            if (pass == 0)
                d.problems.insert(d.problems.end(), problems.begin(), problems.end());
        }
        const int64_t most = std::max({d.train.channels, d.valid.count() ? d.valid.channels : 0, d.test.count() ? d.test.channels : 0});
        const bool mixed = (d.valid.count() && d.valid.channels != most) || (d.test.count() && d.test.channels != most) ||
                           d.train.channels != most;
        if (!mixed)
            break;
        channels = most; // a colour test part and a grey train part: decode again as colour
    }
    if (!r.resize.active())
        checkUniformSize(d, root.string());
    if (!cache.empty())
        saveCache(cache, signature, d);
    return d;
}

SourceData readCsvKind(const DataRequest& r, const fs::path& location)
{
    fs::path file = location;
    if (isFolder(location)) {
        file = location / "train.csv";
        if (!isFile(file))
            throw DataError("folder " + location.string() + " has no train.csv (Kaggle's Digit Recognizer layout)");
    } else if (!isFile(location)) {
        throw DataError("CSV file " + location.string() + " does not exist");
    }
    uint64_t size = 0;
    const int64_t mtime = mtimeNs(file.string(), size);
    const Signature signature{{file.filename().string(), size, mtime}};
    const std::string cache = r.useCache ? cacheFile(r, file.string()) : std::string();
    SourceData d;
    if (!cache.empty() && loadCache(cache, signature, d))
        return d;
    if (r.progress)
        r.progress("reading " + file.filename().string(), 0, static_cast<int64_t>(size));
    d.train = readDigitCsv(file.string(), 9);
    if (!d.train.labeled())
        throw DataError(file.string() + ": no label column (an unlabeled file such as Kaggle's test.csv is for "
                                        "--predict; train on train.csv)");
    d.classes = mnistClassNames();
    d.name = file.stem().string();
    if (!cache.empty())
        saveCache(cache, signature, d);
    return d;
}

SourceData readFamilyKind(const DataRequest& r, const fs::path& location)
{
    FamilyData f = r.kind == "emnist" ? readEmnist(location.string())
                   : r.kind == "kmnist" ? readKmnist(location.string())
                                        : readQmnist(location.string());
    SourceData d;
    d.name = f.name;
    d.classes = std::move(f.classes);
    d.train = std::move(f.train);
    d.test = std::move(f.test);
    return d;
}

void checkLabels(const SourceData& d)
{
    const auto n = static_cast<int64_t>(d.classes.size());
    for (const ImageSet* p : {&d.train, &d.valid, &d.test})
        for (size_t i = 0; i < p->labels.size(); ++i)
            if (p->labels[i] >= n)
                throw DataError(d.location + ": image " + (p->sources.empty() ? std::to_string(i) : p->sources[i]) +
                                " has label " + std::to_string(p->labels[i]) + " but there are " + std::to_string(n) +
                                " classes");
}

} // namespace

std::string decodedCacheDir()
{
    fs::path base;
    if (const char* dir = std::getenv("MNIST_STUDIO_CACHE_DIR"); dir && *dir)
        return (fs::path(dir) / "datasets").string();
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
        base = xdg;
    else if (const char* home = std::getenv("HOME"); home && *home)
        base = fs::path(home) / ".cache";
    else
        return {};
    return (base / "mnist-studio" / "datasets").string();
}

std::string detectDataKind(const std::string& path)
{
    const fs::path p(path);
    if (isFile(p))
        return endsWith(p.filename().string(), ".csv") ? "csv" : "";
    if (!isFolder(p)) {
        // An EMNIST prefix such as gzip/emnist-letters.
        return startsWith(p.filename().string(), "emnist-") && isFolder(p.parent_path()) ? "emnist" : "";
    }
    bool emnist = false, qmnist = false, kmnist = false, csv = false, classFolders = false;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(p, ec)) {
        const std::string name = e.path().filename().string();
        emnist = emnist || (startsWith(name, "emnist-") && endsWith(name, "-mapping.txt"));
        qmnist = qmnist || startsWith(name, "qmnist-") || startsWith(name, "xnist-");
        kmnist = kmnist || name == "kmnist_classmap.csv";
        csv = csv || name == "train.csv";
        classFolders = classFolders || e.is_directory(ec);
    }
    if (emnist)
        return "emnist";
    if (kmnist)
        return "kmnist";
    if (qmnist)
        return "qmnist";
    if (!findIdxFile(p, "train-images", "idx3").empty())
        return "idx";
    if (csv)
        return "csv";
    return classFolders ? "folder" : "";
}

SourceData readDataSource(const DataRequest& request)
{
    if (!isDataKind(request.kind))
        throw DataError("unknown dataset kind '" + request.kind + "'");
    std::error_code ec;
    const fs::path location = request.location.empty() ? fs::path() : fs::absolute(request.location, ec).lexically_normal();
    if (request.location.empty())
        throw DataError("dataset '" + request.kind + "' needs a location (--data-dir)");
    SourceData d;
    if (request.kind == "mnist" || request.kind == "fashion-mnist" || request.kind == "idx")
        d = readIdxKind(request, location);
    else if (request.kind == "folder")
        d = readFolderKind(request, location);
    else if (request.kind == "csv")
        d = readCsvKind(request, location);
    else
        d = readFamilyKind(request, location);
    d.kind = request.kind;
    d.location = location.string();
    if (d.train.count() == 0)
        throw DataError(d.location + ": no training images");
    if (!d.train.labeled())
        throw DataError(d.location + ": the training images have no classes (put them in one folder per class, "
                                     "ROOT/<class>/<image>)");
    checkUniformSize(d, d.location);
    checkLabels(d);
    return d;
}

namespace {

// 0..n-1 in a fixed order drawn from kHeldOutSeed. Fisher-Yates with our own index draw:
// std::shuffle's use of the engine is not specified, and the order must be the same with every
// standard library.
std::vector<int64_t> fixedPermutation(int64_t n)
{
    std::vector<int64_t> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 gen(kHeldOutSeed);
    for (int64_t i = n - 1; i > 0; --i) {
        const auto j = static_cast<int64_t>(gen() % static_cast<uint64_t>(i + 1));
        std::swap(order[static_cast<size_t>(i)], order[static_cast<size_t>(j)]);
    }
    return order;
}

} // namespace

SplitPlan planSplits(const SourceData& d, double trainFraction)
{
    using From = SplitPlan::From;
    SplitPlan plan;
    const int64_t n = d.train.count();
    // An image folder lists its images class by class: taken in that order, the valid split would
    // be the last classes and every batch of an unshuffled run a single class. Its training part
    // is used in the fixed permuted order instead (the same in every run), as a shuffled CSV would
    // be; the other kinds keep their file's order, MNIST's exactly as the notebook splits it.
    const bool grouped = d.kind == "folder";
    const bool ownTest = d.test.count() > 0 && d.test.labeled();
    std::vector<int64_t> pool; // the training part's images left for train and valid; empty: all, in order
    if (grouped || !ownTest)
        pool = fixedPermutation(n);
    if (ownTest) {
        plan.test = {From::Test, {}, true, 0, d.test.count()};
    } else {
        plan.heldOutTest = true;
        const auto nTest = std::max<int64_t>(1, static_cast<int64_t>(std::llround(kHeldOutTestFraction * static_cast<double>(n))));
        if (nTest >= n)
            throw DataError(d.location + ": " + std::to_string(n) + " images are too few to hold out a test set");
        std::vector<int64_t> test(pool.end() - nTest, pool.end());
        std::sort(test.begin(), test.end());
        pool.resize(pool.size() - static_cast<size_t>(nTest));
        plan.test = {From::Train, std::move(test), false, 0, 0};
    }
    if (!grouped)
        std::sort(pool.begin(), pool.end()); // train and valid keep the file's order
    if (d.valid.count() > 0 && d.valid.labeled()) {
        plan.valid = {From::Valid, {}, true, 0, d.valid.count()};
        plan.train = pool.empty() ? SplitPlan::Slice{From::Train, {}, true, 0, n} : SplitPlan::Slice{From::Train, pool, false, 0, 0};
        return plan;
    }
    const int64_t m = pool.empty() ? n : static_cast<int64_t>(pool.size());
    const auto nTrain = static_cast<int64_t>(std::floor(trainFraction * static_cast<double>(m)));
    if (nTrain < 1 || nTrain >= m)
        throw DataError("cannot split " + std::to_string(m) + " training images with train fraction " +
                        std::to_string(trainFraction) + ": both train and valid need at least one image");
    if (pool.empty()) {
        plan.train = {From::Train, {}, false, 0, nTrain};
        plan.valid = {From::Train, {}, false, nTrain, n - nTrain};
    } else {
        std::vector<int64_t> valid(pool.begin() + nTrain, pool.end());
        std::sort(valid.begin(), valid.end());
        plan.train = {From::Train, std::vector<int64_t>(pool.begin(), pool.begin() + nTrain), false, 0, 0};
        plan.valid = {From::Train, std::move(valid), false, 0, 0};
    }
    return plan;
}

namespace {

PartCounts countSlice(const SourceData& d, const SplitPlan::Slice& s)
{
    const ImageSet& part = s.from == SplitPlan::From::Train ? d.train : s.from == SplitPlan::From::Valid ? d.valid : d.test;
    PartCounts c;
    c.perClass.assign(d.classes.size(), 0);
    auto add = [&](int64_t i) {
        ++c.images;
        const int64_t l = part.labels[static_cast<size_t>(i)];
        if (l >= 0 && l < static_cast<int64_t>(c.perClass.size()))
            ++c.perClass[static_cast<size_t>(l)];
    };
    if (s.all)
        for (int64_t i = 0; i < part.count(); ++i)
            add(i);
    else if (!s.indices.empty())
        for (int64_t i : s.indices)
            add(i);
    else
        for (int64_t i = s.begin; i < s.begin + s.count; ++i)
            add(i);
    return c;
}

} // namespace

DatasetDescription describeSource(const SourceData& d, double trainFraction)
{
    DatasetDescription out;
    out.kind = d.kind;
    out.name = d.name;
    out.location = d.location;
    out.channels = d.train.channels;
    out.height = d.train.height;
    out.width = d.train.width;
    out.classes = d.classes;
    out.problems = d.problems;
    const SplitPlan plan = planSplits(d, trainFraction);
    out.heldOutTest = plan.heldOutTest;
    out.train = countSlice(d, plan.train);
    out.valid = countSlice(d, plan.valid);
    out.test = countSlice(d, plan.test);
    return out;
}

} // namespace mnist
