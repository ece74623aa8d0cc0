#include "data/ImageFolder.h"

#include "Error.h"
#include "data/ImageDecode.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <filesystem>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <utility>

#include <dirent.h>
#include <sys/stat.h>

namespace mnist {
namespace fs = std::filesystem;

namespace {

// Symbolic links to folders are followed (as torchvision's os.walk(followlinks=True)); a link back
// to a folder above, or a tree deeper than this, stops the descent instead of looping.
constexpr int kMaxDepth = 64;

std::string joinRelative(const std::string& a, const std::string& b)
{
    return a.empty() ? b : a + "/" + b;
}

struct Entries {
    std::vector<std::string> folders;
    std::vector<std::string> files; // names with an image extension, any type
};

// One folder's entries, each list in byte order. Errors reading the folder itself become a problem.
Entries listFolder(const std::string& path, const std::string& relative, std::vector<DataProblem>& problems)
{
    Entries entries;
    DIR* dir = ::opendir(path.c_str());
    if (!dir) {
        problems.push_back({relative.empty() ? "." : relative,
                            std::string("cannot list the folder (") + std::strerror(errno) + ")"});
        return entries;
    }
    while (const dirent* e = ::readdir(dir)) {
        const std::string name = e->d_name;
        if (name == "." || name == "..")
            continue;
        bool folder = e->d_type == DT_DIR;
        if (e->d_type == DT_LNK || e->d_type == DT_UNKNOWN) {
            struct stat st {};
            folder = ::stat((path + "/" + name).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
        }
        if (folder)
            entries.folders.push_back(name);
        else if (isImageFileName(name))
            entries.files.push_back(name);
    }
    ::closedir(dir);
    std::sort(entries.folders.begin(), entries.folders.end());
    std::sort(entries.files.begin(), entries.files.end());
    return entries;
}

using FolderId = std::pair<dev_t, ino_t>;

std::optional<FolderId> folderId(const std::string& path)
{
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return std::nullopt;
    return FolderId{st.st_dev, st.st_ino};
}

// Records the file's size and time for the decoded cache; false (with a problem) for a file that
// is not there (a dangling link) or not a regular file.
bool statImage(ImageFolderFile& file, std::vector<DataProblem>& problems)
{
    struct stat st {};
    if (::stat(file.path.c_str(), &st) != 0) {
        problems.push_back({file.relative, std::string("cannot be read (") + std::strerror(errno) + ")"});
        return false;
    }
    if (!S_ISREG(st.st_mode)) {
        problems.push_back({file.relative, "has an image extension but is not a regular file"});
        return false;
    }
    file.size = static_cast<uint64_t>(st.st_size);
    file.mtimeNs = int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    return true;
}

struct FolderFiles {
    std::string relative; // to the class folder's parent part, e.g. "train/cat/sub"
    std::vector<std::string> names;
};

void collectFolders(const std::string& path, const std::string& relative, int depth, std::vector<FolderId>& above,
                    std::vector<FolderFiles>& out, std::vector<DataProblem>& problems)
{
    const auto id = folderId(path);
    if (!id || std::find(above.begin(), above.end(), *id) != above.end()) {
        problems.push_back({relative, "folder link loops back to a folder above it: not followed"});
        return;
    }
    if (depth > kMaxDepth) {
        problems.push_back({relative, "folders nested more than " + std::to_string(kMaxDepth) + " deep: not read"});
        return;
    }
    Entries entries = listFolder(path, relative, problems);
    above.push_back(*id);
    out.push_back({relative, std::move(entries.files)});
    for (const std::string& sub : entries.folders)
        collectFolders(path + "/" + sub, joinRelative(relative, sub), depth + 1, above, out, problems);
    above.pop_back();
}

// Every image file under `path`, in torchvision's order: sorted(os.walk(...)) sorts the folders by
// their full path, then each folder's files by name. This is not the sort of the files' full paths
// ("a b/x.png" comes before "a/b/x.png" as folders, after as paths).
void appendImages(const std::string& path, const std::string& relative, int64_t label,
                  std::vector<ImageFolderFile>& files, std::vector<DataProblem>& problems)
{
    std::vector<FolderFiles> folders;
    std::vector<FolderId> above;
    collectFolders(path, relative, 0, above, folders, problems);
    std::stable_sort(folders.begin(), folders.end(),
                     [](const FolderFiles& a, const FolderFiles& b) { return a.relative < b.relative; });
    const std::string base = path.substr(0, path.size() - relative.size());
    for (const FolderFiles& folder : folders) {
        for (const std::string& name : folder.names) {
            ImageFolderFile file;
            file.relative = joinRelative(folder.relative, name);
            file.path = base + file.relative;
            file.label = label;
            if (statImage(file, problems))
                files.push_back(std::move(file));
        }
    }
}

struct ScannedPart {
    ImageFolderPart part;
    std::string folder; // "val" for a valid part read from ROOT/val
    bool labeled = false;
    std::vector<std::string> classes;
};

ScannedPart scanPart(const std::string& rootPath, const std::string& name, const std::string& folderName,
                     std::vector<DataProblem>& problems)
{
    ScannedPart scanned;
    scanned.part.name = name;
    scanned.folder = folderName;
    const std::string path = folderName.empty() ? rootPath : rootPath + "/" + folderName;
    std::vector<DataProblem> listProblems;
    const Entries entries = listFolder(path, folderName, listProblems);
    problems.insert(problems.end(), listProblems.begin(), listProblems.end());
    if (entries.folders.empty()) {
        // Images directly in the part folder: an unlabeled part.
        for (const std::string& file : entries.files) {
            ImageFolderFile f;
            f.relative = joinRelative(folderName, file);
            f.path = rootPath + "/" + f.relative;
            if (statImage(f, problems))
                scanned.part.files.push_back(std::move(f));
        }
        return scanned;
    }
    scanned.labeled = true;
    scanned.classes = entries.folders;
    for (size_t label = 0; label < entries.folders.size(); ++label) {
        const std::string classRelative = joinRelative(folderName, entries.folders[label]);
        const size_t before = scanned.part.files.size();
        appendImages(rootPath + "/" + classRelative, classRelative, static_cast<int64_t>(label), scanned.part.files,
                     problems);
        if (scanned.part.files.size() == before)
            problems.push_back({classRelative, "no images in this class folder"});
    }
    return scanned;
}

std::string joinNames(const std::vector<std::string>& names)
{
    std::string out;
    for (const std::string& n : names)
        out += (out.empty() ? "" : ", ") + n;
    return out;
}

bool isFolder(const std::string& path)
{
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

} // namespace

const ImageFolderPart* ImageFolderScan::part(const std::string& name) const
{
    for (const ImageFolderPart& p : parts)
        if (p.name == name)
            return &p;
    return nullptr;
}

ImageFolderScan scanImageFolder(const std::string& root)
{
    std::error_code ec;
    const fs::file_status status = fs::status(root, ec);
    if (ec || !fs::exists(status))
        throw DataError(root + ": image folder not found");
    if (!fs::is_directory(status))
        throw DataError(root + ": is not a folder (an image folder holds <class>/<image> or train/<class>/<image>)");
    ImageFolderScan scan;
    scan.root = fs::absolute(root, ec).lexically_normal().string();
    if (ec)
        scan.root = root;
    while (scan.root.size() > 1 && scan.root.back() == '/')
        scan.root.pop_back();

    std::vector<ScannedPart> parts;
    if (isFolder(scan.root + "/train")) {
        parts.push_back(scanPart(scan.root, "train", "train", scan.problems));
        const bool valid = isFolder(scan.root + "/valid");
        const bool val = isFolder(scan.root + "/val");
        if (valid && val)
            scan.problems.push_back({"val", "both valid and val exist: valid is the validation part, val is ignored"});
        if (valid || val)
            parts.push_back(scanPart(scan.root, "valid", valid ? "valid" : "val", scan.problems));
        if (isFolder(scan.root + "/test"))
            parts.push_back(scanPart(scan.root, "test", "test", scan.problems));
    } else {
        parts.push_back(scanPart(scan.root, "", "", scan.problems));
    }

    scan.classes = parts.front().classes;
    for (size_t i = 1; i < parts.size(); ++i) {
        ScannedPart& p = parts[i];
        if (!p.labeled)
            continue;
        std::vector<std::string> missing, extra;
        std::set_difference(scan.classes.begin(), scan.classes.end(), p.classes.begin(), p.classes.end(),
                            std::back_inserter(missing));
        std::set_difference(p.classes.begin(), p.classes.end(), scan.classes.begin(), scan.classes.end(),
                            std::back_inserter(extra));
        if (missing.empty() && extra.empty())
            continue;
        std::string reason = "classes differ from train's:";
        if (!missing.empty())
            reason += " missing " + joinNames(missing) + (extra.empty() ? "" : ";");
        if (!extra.empty())
            reason += " extra " + joinNames(extra) + " (their images are left out)";
        scan.problems.push_back({p.folder, reason});
        // Labels index train's classes; an extra class has no index, so its images are left out.
        std::vector<ImageFolderFile> kept;
        for (ImageFolderFile& f : p.part.files) {
            const std::string& cls = p.classes[static_cast<size_t>(f.label)];
            const auto it = std::lower_bound(scan.classes.begin(), scan.classes.end(), cls);
            if (it == scan.classes.end() || *it != cls)
                continue;
            f.label = it - scan.classes.begin();
            kept.push_back(std::move(f));
        }
        p.part.files = std::move(kept);
    }

    size_t images = 0;
    for (ScannedPart& p : parts) {
        images += p.part.files.size();
        scan.parts.push_back(std::move(p.part));
    }
    if (images == 0)
        throw DataError(root + ": no images found (expected <class>/<image> or train/<class>/<image>, images being " +
                        ".png, .jpg, .jpeg, .bmp, .pgm, .ppm or .pnm files)");
    return scan;
}

namespace {

std::string sizeText(int64_t width, int64_t height)
{
    return std::to_string(width) + " x " + std::to_string(height);
}

// The reason of a DataError "<name>: <reason>" without the name the problem already carries.
std::string reasonOf(const std::string& message, const std::string& name)
{
    if (message.size() > name.size() + 2 && message.compare(0, name.size(), name) == 0 &&
        message.compare(name.size(), 2, ": ") == 0)
        return message.substr(name.size() + 2);
    return message;
}

// Runs work(i) for i in 0..count-1 on `threads` threads, taking indices from a shared counter, and
// reports progress from the calling thread, which only waits. The first exception is rethrown.
template <class Work>
void parallelFor(size_t count, int threads, Work&& work, const std::function<void(int64_t, int64_t)>& progress,
                 int64_t progressOffset, int64_t progressTotal)
{
    if (count == 0)
        return;
    std::atomic<size_t> next{0};
    std::atomic<size_t> done{0};
    std::exception_ptr failure;
    std::mutex mutex;
    std::condition_variable finished;
    size_t running = static_cast<size_t>(std::max(1, threads));
    running = std::min(running, count);
    auto worker = [&] {
        try {
            for (size_t i = next++; i < count; i = next++) {
                work(i);
                ++done;
            }
        } catch (...) {
            std::lock_guard<std::mutex> lock(mutex);
            if (!failure)
                failure = std::current_exception();
            next = count; // the others stop after their current item
        }
        std::lock_guard<std::mutex> lock(mutex);
        --running;
        finished.notify_all();
    };
    if (running == 1 && !progress) {
        worker();
    } else {
        std::vector<std::thread> pool;
        const size_t started = running;
        for (size_t t = 0; t < started; ++t)
            pool.emplace_back(worker);
        {
            std::unique_lock<std::mutex> lock(mutex);
            while (running > 0) {
                finished.wait_for(lock, std::chrono::milliseconds(100));
                if (progress && running > 0) {
                    lock.unlock();
                    progress(progressOffset + static_cast<int64_t>(done.load()), progressTotal);
                    lock.lock();
                }
            }
        }
        for (std::thread& t : pool)
            t.join();
    }
    if (failure)
        std::rethrow_exception(failure);
}

} // namespace

ImageSet loadImageFolderPart(const ImageFolderPart& part, const ResizePolicy& resize, int64_t channels,
                             std::vector<DataProblem>& problems, int threads,
                             const std::function<void(int64_t, int64_t)>& progress)
{
    if (channels != 0 && channels != 1 && channels != 3)
        throw std::invalid_argument("loadImageFolderPart: channels " + std::to_string(channels) + " (0, 1 or 3)");
    if (threads <= 0)
        threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    const size_t count = part.files.size();
    const int64_t total = static_cast<int64_t>(count);

    // Decoding (and resizing, whose target is known) in parallel; each slot is written by one thread.
    std::vector<DecodedImage> images(count);
    std::vector<std::string> errors(count);
    std::vector<char> failed(count, 0);
    parallelFor(
        count, threads,
        [&](size_t i) {
            const ImageFolderFile& file = part.files[i];
            try {
                DecodedImage image = readImageFile(file.path, file.relative);
                if (resize.active())
                    image = resizeImage(image, resize.height, resize.width);
                images[i] = std::move(image);
            } catch (const DataError& e) {
                errors[i] = reasonOf(e.what(), file.relative);
                failed[i] = 1;
            }
        },
        progress, 0, total);

    // The set's shape: the policy's size or the first decoded image's; colour when any image is.
    ImageSet set;
    set.channels = channels;
    if (channels == 0) {
        set.channels = 1;
        for (size_t i = 0; i < count; ++i)
            if (!failed[i] && images[i].channels == 3)
                set.channels = 3;
    }
    size_t first = count;
    for (size_t i = 0; i < count && first == count; ++i)
        if (!failed[i])
            first = i;
    if (resize.active()) {
        set.height = resize.height;
        set.width = resize.width;
    } else if (first < count) {
        set.height = images[first].height;
        set.width = images[first].width;
    }

    std::vector<size_t> offsets(count, SIZE_MAX);
    size_t kept = 0;
    for (size_t i = 0; i < count; ++i) {
        const ImageFolderFile& file = part.files[i];
        if (failed[i]) {
            problems.push_back({file.relative, errors[i]});
            continue;
        }
        if (images[i].height != set.height || images[i].width != set.width) {
            problems.push_back({file.relative, "image of " + sizeText(images[i].width, images[i].height) +
                                                   " pixels, the others are " + sizeText(set.width, set.height) +
                                                   " (as " + part.files[first].relative +
                                                   "); set a resize to use images of several sizes"});
            images[i] = {};
            continue;
        }
        offsets[i] = kept++;
        set.labels.push_back(file.label);
        set.sources.push_back(file.relative);
    }

    // Copying into place (with the channel conversion) in parallel too: for large colour images it is
    // as much work as decoding.
    const size_t imageBytes = static_cast<size_t>(set.imageBytes());
    set.pixels.resize(kept * imageBytes);
    parallelFor(
        count, threads,
        [&](size_t i) {
            if (offsets[i] == SIZE_MAX)
                return;
            DecodedImage image = std::move(images[i]);
            if (image.channels != set.channels)
                image = convertChannels(image, set.channels);
            std::memcpy(set.pixels.data() + offsets[i] * imageBytes, image.pixels.data(), imageBytes);
        },
        {}, 0, 0);
    if (progress)
        progress(total, total);
    return set;
}

} // namespace mnist
