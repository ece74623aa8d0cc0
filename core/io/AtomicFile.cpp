#include "io/AtomicFile.h"

#include "Error.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace mnist {

void writePathAtomically(const std::string& path, const std::function<void(const std::string&)>& write)
{
    const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
    try {
        write(tmp);
    } catch (const IoError&) {
        std::remove(tmp.c_str());
        throw;
    } catch (const std::exception& e) {
        std::remove(tmp.c_str());
        throw IoError("cannot write " + path + ": " + e.what());
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        const std::string why = std::strerror(errno);
        std::remove(tmp.c_str());
        throw IoError("cannot write " + path + ": " + why);
    }
}

void writeFileAtomically(const std::string& path, const std::function<void(std::ostream&)>& write)
{
    writePathAtomically(path, [&](const std::string& tmp) {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out)
            throw IoError("cannot write " + path + ": " + std::strerror(errno));
        write(out);
        out.flush();
        if (!out)
            throw IoError("cannot write " + path + ": write failed (disk full?)");
        out.close();
        if (!out)
            throw IoError("cannot write " + path + ": closing failed (disk full?)");
    });
}

} // namespace mnist
