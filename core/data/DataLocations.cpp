#include "data/DataLocations.h"

#include "SourceDir.h"
#include "run/RunLayout.h"

#include <filesystem>

namespace fs = std::filesystem;

namespace mnist {

bool runningFromBuildTree()
{
    std::error_code ec;
    const std::string exe = fs::read_symlink("/proc/self/exe", ec).string();
    return !ec && exe.rfind(std::string(MNIST_STUDIO_BINARY_DIR) + "/", 0) == 0;
}

std::string sourceTreeDir()
{
    return MNIST_STUDIO_SOURCE_DIR;
}

std::string userDatasetDir(const std::string& dataset)
{
    return userDataDir() + "/data/" + dataset;
}

std::vector<std::string> dataDirCandidates(const TrainConfig& config)
{
    if (!config.dataDir.empty())
        return {config.dataDir};
    const std::string rel = "data/" + config.dataset;
    std::vector<std::string> out{rel};
    if (runningFromBuildTree())
        out.push_back(sourceTreeDir() + "/" + rel);
    out.push_back(userDatasetDir(config.dataset));
    if (config.dataset == "fashion-mnist")
        out.push_back("/usr/share/datasets/fashion-mnist");
    return out;
}

bool hasIdxFiles(const std::string& folder)
{
    for (const char* prefix : {"train", "t10k"})
        for (const char* kind : {"images-idx3", "labels-idx1"}) {
            bool found = false;
            for (const char* sep : {"-", "."})
                for (const char* ext : {"", ".gz"}) {
                    std::error_code ec;
                    found = found || fs::is_regular_file(fs::path(folder) / (std::string(prefix) + sep + kind + "-ubyte" + ext), ec);
                }
            if (!found)
                return false;
        }
    return true;
}

std::string resolveDataDir(const TrainConfig& config)
{
    const std::vector<std::string> candidates = dataDirCandidates(config);
    if (!config.dataDir.empty())
        return config.dataDir;
    for (const auto& dir : candidates)
        if (hasIdxFiles(dir))
            return dir;
    for (const auto& dir : candidates) {
        std::error_code ec;
        if (fs::is_directory(dir, ec))
            return dir;
    }
    return candidates.front();
}

} // namespace mnist
