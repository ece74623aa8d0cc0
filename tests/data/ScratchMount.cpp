#include "data/ScratchMount.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sys/mount.h>

namespace fixtures {

SmallTmpfs::SmallTmpfs(const std::string& dir, size_t bytes) : m_dir(dir)
{
    std::filesystem::create_directories(dir);
    const std::string options = "size=" + std::to_string(bytes);
    if (::mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) == 0)
        m_mounted = true;
    else
        m_why = std::string("mount -t tmpfs refused: ") + std::strerror(errno);
}

SmallTmpfs::~SmallTmpfs()
{
    if (m_mounted)
        ::umount2(m_dir.c_str(), MNT_DETACH); // detached: a test that failed midway may hold files open
}

bool SmallTmpfs::resize(size_t bytes)
{
    const std::string options = "size=" + std::to_string(bytes);
    return m_mounted && ::mount("tmpfs", m_dir.c_str(), "tmpfs", MS_REMOUNT | MS_NOSUID | MS_NODEV, options.c_str()) == 0;
}

ReadOnlyBind::ReadOnlyBind(const std::string& dir) : m_dir(dir)
{
    if (::mount(dir.c_str(), dir.c_str(), nullptr, MS_BIND, nullptr) != 0) {
        m_why = std::string("mount --bind refused: ") + std::strerror(errno);
        return;
    }
    // A bind mount takes its read-only flag only from a remount.
    if (::mount(nullptr, dir.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) != 0) {
        m_why = std::string("remount read-only refused: ") + std::strerror(errno);
        ::umount2(dir.c_str(), MNT_DETACH);
        return;
    }
    m_mounted = true;
}

ReadOnlyBind::~ReadOnlyBind()
{
    setWritable();
}

void ReadOnlyBind::setWritable()
{
    if (m_mounted)
        ::umount2(m_dir.c_str(), MNT_DETACH);
    m_mounted = false;
}

} // namespace fixtures
