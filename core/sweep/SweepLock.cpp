#include "sweep/SweepLock.h"

#include "Error.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace mnist {
namespace {

namespace fs = std::filesystem;

std::string lockPath(const std::string& sweepDir, const std::string& name)
{
    const fs::path dir = fs::path(sweepDir) / "locks";
    std::error_code ec;
    fs::create_directories(dir, ec);
    return (dir / (name + ".lock")).string();
}

int openLock(const std::string& path)
{
    return ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
}

} // namespace

SweepLock::SweepLock(const std::string& sweepDir)
{
    const std::string path = lockPath(sweepDir, "sweep");
    m_fd = openLock(path);
    if (m_fd < 0)
        throw IoError(path + ": cannot be opened: " + std::strerror(errno));
    while (::flock(m_fd, LOCK_EX) != 0) {
        if (errno != EINTR) {
            const int err = errno;
            ::close(m_fd);
            throw IoError(path + ": cannot be locked: " + std::strerror(err));
        }
    }
}

SweepLock::~SweepLock()
{
    if (m_fd >= 0)
        ::close(m_fd); // closing the only descriptor releases the lock
}

TrialLease TrialLease::tryTake(const std::string& sweepDir, const std::string& runName)
{
    TrialLease lease;
    const int fd = openLock(lockPath(sweepDir, runName));
    if (fd < 0)
        return lease;
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        ::close(fd);
        return lease;
    }
    lease.m_fd = fd;
    return lease;
}

TrialLease::~TrialLease()
{
    release();
}

TrialLease::TrialLease(TrialLease&& other) noexcept : m_fd(other.m_fd)
{
    other.m_fd = -1;
}

TrialLease& TrialLease::operator=(TrialLease&& other) noexcept
{
    if (this != &other) {
        release();
        m_fd = other.m_fd;
        other.m_fd = -1;
    }
    return *this;
}

void TrialLease::passOn() const
{
    if (m_fd >= 0)
        ::fcntl(m_fd, F_SETFD, 0);
}

void TrialLease::release()
{
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
}

bool trialLeaseHeld(const std::string& sweepDir, const std::string& runName)
{
    const std::string path = (fs::path(sweepDir) / "locks" / (runName + ".lock")).string();
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false; // never leased
    const bool held = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    ::close(fd);
    return held;
}

} // namespace mnist
