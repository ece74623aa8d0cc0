#include "run/RunLayout.h"

#include <cstdlib>
#include <filesystem>

namespace fs = std::filesystem;

namespace mnist {

std::string RunLayout::file(const char* name) const
{
    return (fs::path(m_dir) / name).string();
}

bool RunLayout::exists(const char* name) const
{
    std::error_code ec;
    return fs::exists(fs::path(m_dir) / name, ec);
}

std::string RunLayout::weightsToUse() const
{
    for (const char* name : {kModelWeights, kBestWeights})
        if (exists(name))
            return file(name);
    return {};
}

bool RunLayout::isRunFolder() const
{
    return exists(kConfig) || exists(kMetrics);
}

bool RunLayout::hasModel() const
{
    return exists(kModelWeights);
}

bool RunLayout::isFinished() const
{
    return hasModel() && exists(kSummary);
}

std::string userDataDir()
{
    if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg)
        return std::string(xdg) + "/mnist-studio";
    const char* home = std::getenv("HOME");
    return std::string(home && *home ? home : ".") + "/.local/share/mnist-studio";
}

std::string defaultRunsDir()
{
    if (const char* dir = std::getenv("MNIST_STUDIO_RUNS_DIR"); dir && *dir)
        return dir;
    return userDataDir() + "/runs";
}

std::string userArchitecturesDir()
{
    return userDataDir() + "/architectures";
}

} // namespace mnist
