#include "AtomicFile.h"

#include "Error.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

namespace mnist {
namespace {

// Below this a checkpoint no longer fits; the threshold only phrases a failure, never causes one.
constexpr unsigned long long kNearlyFullBytes = 1024 * 1024;

std::string folderOf(const std::string& path)
{
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    return parent.empty() ? std::string(".") : parent.string();
}

std::string freeSpace(const struct statvfs& fs)
{
    const unsigned long long bytes = static_cast<unsigned long long>(fs.f_bavail) * fs.f_frsize;
    return std::to_string(bytes / 1024) + " KiB free";
}

// fsync() of a file or a folder; the errno of the failure, or 0.
int syncPath(const std::string& path, bool folder)
{
    const int fd = ::open(path.c_str(), folder ? (O_RDONLY | O_DIRECTORY) : O_RDONLY);
    if (fd < 0)
        return errno;
    const int rc = ::fsync(fd);
    const int saved = errno;
    ::close(fd);
    // Some file systems cannot sync a folder (EINVAL); the rename is then as durable as they allow.
    return rc == 0 || (folder && (saved == EINVAL || saved == EROFS)) ? 0 : saved;
}

} // namespace

std::string writeFailureReason(const std::string& path, int savedErrno)
{
    const std::string folder = folderOf(path);
    struct statvfs fs {};
    const bool haveFs = ::statvfs(folder.c_str(), &fs) == 0;
    const int statErrno = errno;
    if (savedErrno == ENOSPC || savedErrno == EDQUOT)
        return std::string(savedErrno == ENOSPC ? "no space left on device" : "disk quota exceeded") +
               (haveFs ? " (" + freeSpace(fs) + ")" : "");
    if (savedErrno == EROFS || (haveFs && (fs.f_flag & ST_RDONLY)))
        return "read-only file system";
    if (!haveFs)
        return "folder " + folder + " is not there (" + std::strerror(savedErrno ? savedErrno : statErrno) + ")";
    if (savedErrno == EFBIG)
        return "file too large (file size limit reached)";
    if (savedErrno != 0 && savedErrno != EINTR)
        return std::strerror(savedErrno);
    // LibTorch's writer and iostreams do not always leave errno behind: judge by the disk.
    if (static_cast<unsigned long long>(fs.f_bavail) * fs.f_frsize < kNearlyFullBytes)
        return "no space left on device (" + freeSpace(fs) + ")";
    if (::access(folder.c_str(), W_OK) != 0)
        return std::strerror(errno);
    return "write failed";
}

void writePathAtomically(const std::string& path, const std::function<void(const std::string&)>& write)
{
    const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
    errno = 0;
    try {
        write(tmp);
    } catch (const IoError&) {
        std::remove(tmp.c_str()); // the writer's own words already say what is wrong
        throw;
    } catch (const std::exception& e) {
        const int saved = errno;
        // Diagnosed before the temporary file goes: on a full disk, removing it frees the space.
        std::string why = writeFailureReason(path, saved);
        if (why == "write failed")
            why += std::string(" (") + std::string(e.what()).substr(0, 300) + ")";
        std::remove(tmp.c_str());
        throw IoError("cannot write " + path + ": " + why);
    }
    // The data reaches the disk before the rename makes it the file, and the rename reaches the
    // disk before we return: a power cut leaves the old file or the new one, never an empty one.
    if (const int err = syncPath(tmp, false); err != 0) {
        const std::string why = writeFailureReason(path, err);
        std::remove(tmp.c_str());
        throw IoError("cannot write " + path + ": " + why);
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        const std::string why = writeFailureReason(path, errno);
        std::remove(tmp.c_str());
        throw IoError("cannot write " + path + ": " + why);
    }
    if (const int err = syncPath(folderOf(path), true); err != 0)
        throw IoError("cannot write " + path + ": " + writeFailureReason(path, err));
}

void writeFileAtomically(const std::string& path, const std::function<void(std::ostream&)>& write)
{
    writePathAtomically(path, [&](const std::string& tmp) {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out)
            throw std::runtime_error("cannot create the file");
        write(out);
        out.flush();
        if (!out)
            throw std::runtime_error("write failed");
        out.close();
        if (!out)
            throw std::runtime_error("closing failed");
    });
}

} // namespace mnist
