#pragma once
// File systems that even root cannot write past, for the fault tests: a tmpfs of a few hundred KiB
// (disk full) and a read-only bind mount (unwritable run folder). Permission bits do not stop root,
// and the tests run as root here and in CI. Mounting needs CAP_SYS_ADMIN; where it is refused,
// available() is false and why() says so, and the tests call fixtures::skipTest() (data/SkipTest.h)
// so that CTest shows them skipped, after whatever weaker check they can still make.
#include <cstddef>
#include <string>

namespace fixtures {

// A tmpfs of `bytes` mounted on `dir` (created if missing) for the object's lifetime.
class SmallTmpfs {
public:
    SmallTmpfs(const std::string& dir, size_t bytes);
    ~SmallTmpfs();
    SmallTmpfs(const SmallTmpfs&) = delete;
    SmallTmpfs& operator=(const SmallTmpfs&) = delete;

    bool available() const { return m_mounted; }
    const std::string& why() const { return m_why; }
    // Grows or shrinks it in place (the files stay); false when the kernel refuses.
    bool resize(size_t bytes);

private:
    std::string m_dir;
    bool m_mounted = false;
    std::string m_why;
};

// `dir` bind-mounted read-only onto itself until setWritable() or destruction. Files a process
// already has open for writing stay writable through their descriptors; every new file, rename or
// removal in `dir` fails with EROFS.
class ReadOnlyBind {
public:
    explicit ReadOnlyBind(const std::string& dir);
    ~ReadOnlyBind();
    ReadOnlyBind(const ReadOnlyBind&) = delete;
    ReadOnlyBind& operator=(const ReadOnlyBind&) = delete;

    bool available() const { return m_mounted; }
    const std::string& why() const { return m_why; }
    void setWritable(); // unmounts: the folder is writable again

private:
    std::string m_dir;
    bool m_mounted = false;
    std::string m_why;
};

} // namespace fixtures
