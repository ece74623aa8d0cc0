#include "spec/Architectures.h"

#include "Error.h"
#include "run/RunLayout.h"
#include "spec/TrainConfig.h"

#include <algorithm>
#include <filesystem>

namespace fs = std::filesystem;

namespace mnist {

namespace {

// The user's valid networks with their specs; read on each call: a few small files, and the
// editor may have saved one since.
std::vector<std::pair<UserArchitecture, NetworkSpec>> readUserArchitectures()
{
    std::vector<std::pair<UserArchitecture, NetworkSpec>> out;
    std::error_code ec;
    const fs::path dir = userArchitecturesDir();
    if (!fs::is_directory(dir, ec))
        return out;
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.path().extension() == ".json")
            files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const fs::path& f : files) {
        UserArchitecture u;
        u.file = f.string();
        u.name = f.stem().string();
        NetworkSpec spec;
        try {
            spec = readNetworkSpecFile(u.file);
            u.name = spec.name;
            if (findBuiltinNetworkSpec(spec.name))
                u.problem = "its name " + spec.name + " is a built-in network's";
            else if (std::any_of(out.begin(), out.end(), [&](const auto& o) { return o.first.name == spec.name; }))
                u.problem = "another file already defines " + spec.name;
        } catch (const std::exception& e) {
            u.problem = e.what();
        }
        out.emplace_back(std::move(u), std::move(spec));
    }
    return out;
}

} // namespace

std::vector<UserArchitecture> listUserArchitectures()
{
    std::vector<UserArchitecture> out;
    for (auto& [u, spec] : readUserArchitectures())
        out.push_back(u);
    return out;
}

std::vector<ArchitectureInfo> architectures()
{
    std::vector<ArchitectureInfo> v;
    for (const NetworkSpec& s : builtinNetworkSpecs())
        v.push_back({s.name, s.description, true});
    for (const auto& [u, spec] : readUserArchitectures())
        if (u.problem.empty())
            v.push_back({spec.name, spec.description, false});
    return v;
}

bool isKnownArchitecture(const std::string& name)
{
    for (const auto& a : architectures())
        if (a.name == name)
            return true;
    return false;
}

std::string architectureNames()
{
    std::string s;
    for (const auto& a : architectures())
        s += (s.empty() ? "" : ", ") + a.name;
    return s;
}

NetworkSpec findNetworkSpec(const std::string& name)
{
    if (const NetworkSpec* s = findBuiltinNetworkSpec(name))
        return *s;
    for (auto& [u, spec] : readUserArchitectures())
        if (u.problem.empty() && spec.name == name)
            return spec;
    throw ConfigError("unknown architecture '" + name + "' (known: " + architectureNames() + ")");
}

namespace {

// The classifier: the last Linear of the forward order (depth first, as the layers run).
LayerSpec* lastLinear(std::vector<LayerSpec>& layers)
{
    for (auto it = layers.rbegin(); it != layers.rend(); ++it) {
        if (it->type == LayerType::Linear)
            return &*it;
        if (LayerSpec* inner = lastLinear(it->layers))
            return inner;
        if (LayerSpec* inner = lastLinear(it->body))
            return inner;
        if (it->type != LayerType::Flatten && it->type != LayerType::Dropout && it->type != LayerType::ReLU &&
            it->type != LayerType::BatchNorm1d && it->type != LayerType::Sequential)
            return nullptr; // a pool or conv after the last Linear: no plain classifier to resize
    }
    return nullptr;
}

} // namespace

NetworkSpec adaptNetworkSpec(const NetworkSpec& spec, const DataShape& data)
{
    NetworkSpec out = spec;
    out.input = data.input();
    if (out.classes != data.classCount()) {
        LayerSpec* classifier = lastLinear(out.layers);
        if (!classifier || classifier->outFeatures != spec.classes)
            throw ConfigError("network '" + spec.name + "' does not end in a Linear layer of " +
                              std::to_string(spec.classes) + " outputs, so it cannot be resized to " +
                              std::to_string(data.classCount()) + " classes");
        classifier->outFeatures = data.classCount();
        out.classes = data.classCount();
    }
    const std::vector<SpecProblem> problems = validateNetworkSpec(out);
    if (!problems.empty())
        throw ConfigError("network '" + spec.name + "' cannot take " + formatShape(out.input) + " images: " +
                          problems.front().path + ": " + problems.front().message);
    return out;
}

NetworkSpec networkSpecFor(const TrainConfig& config)
{
    if (config.archFile.empty() && findBuiltinNetworkSpec(config.arch))
        return config.data == DataShape{} ? *findBuiltinNetworkSpec(config.arch)
                                          : adaptNetworkSpec(*findBuiltinNetworkSpec(config.arch), config.data);
    NetworkSpec spec = config.archFile.empty() ? findNetworkSpec(config.arch) : readNetworkSpecFile(config.archFile);
    if (spec.input != config.data.input() || spec.classes != config.data.classCount())
        throw ConfigError("network '" + spec.name + "' takes " + formatShape(spec.input) + " images in " +
                          std::to_string(spec.classes) + " classes (its \"input\" and \"classes\") but the data (" +
                          config.dataset + ") has " + formatShape(config.data.input()) + " images in " +
                          std::to_string(config.data.classCount()) + " classes; change the spec's input and classes");
    return spec;
}

void nameArchitectureFromFile(TrainConfig& config)
{
    if (config.archFile.empty())
        return;
    try {
        config.arch = readNetworkSpecFile(config.archFile).name;
    } catch (const std::exception&) {
    }
}

} // namespace mnist
