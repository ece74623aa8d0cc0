#include "run/PretrainedModel.h"

#include "Error.h"
#include "JsonInteger.h"
#include "data/DataLocations.h"
#include "AtomicFile.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace fs = std::filesystem;
using nlohmann::json;

namespace mnist {
namespace {

// The record's key `key` of the JSON type the reader expects, or a ConfigError naming both.
const json& member(const json& j, const char* key, json::value_t type, const std::string& name)
{
    const auto it = j.find(key);
    if (it == j.end())
        throw ConfigError(name + ": missing key '" + key + "'");
    const bool ok = type == json::value_t::number_float ? it->is_number() : it->type() == type ||
                    (type == json::value_t::number_unsigned && it->is_number_integer());
    if (!ok)
        throw ConfigError(name + ": key '" + key + "' has the wrong type (" + it->type_name() + ")");
    return *it;
}

} // namespace

PretrainedModel parsePretrainedRecord(const std::string& text, const std::string& name)
{
    json j;
    try {
        j = json::parse(text);
    } catch (const json::exception& e) {
        throw ConfigError(name + ": not JSON: " + e.what());
    }
    if (!j.is_object())
        throw ConfigError(name + ": a pretrained model's record must be a JSON object");
    PretrainedModel m;
    m.name = member(j, "name", json::value_t::string, name).get<std::string>();
    m.weightsPath = member(j, "weights", json::value_t::string, name).get<std::string>();
    if (m.weightsPath.empty() || m.weightsPath.find('/') != std::string::npos)
        throw ConfigError(name + ": 'weights' must be a file name beside the record (got '" + m.weightsPath + "')");
    // Before the config is read, which would open the file: a path of the machine it was made on.
    if (const json& c = member(j, "config", json::value_t::object, name);
        c.contains("arch_file") && !(c["arch_file"].is_string() && c["arch_file"].get<std::string>().empty()))
        throw ConfigError(name + ": config: 'arch_file' must be empty: a shipped model names a built-in network by 'arch'");
    try {
        m.config = member(j, "config", json::value_t::object, name).get<TrainConfig>();
    } catch (const std::exception& e) {
        if (std::string(e.what()).rfind(name, 0) == 0)
            throw;
        throw ConfigError(name + ": config: " + e.what());
    }
    if (const auto problems = m.config.validate(); !problems.empty())
        throw ConfigError(name + ": config: " + problems.front());
    const std::string arch = member(j, "arch", json::value_t::string, name).get<std::string>();
    if (arch != m.config.arch)
        throw ConfigError(name + ": 'arch' (" + arch + ") is not the config's arch (" + m.config.arch + ")");
    m.seed = m.config.seed;
    try {
        m.epoch = jsonInteger<int64_t>(member(j, "epoch", json::value_t::number_unsigned, name));
        m.testCorrect = jsonInteger<int64_t>(member(j, "test_correct", json::value_t::number_unsigned, name));
        m.testTotal = jsonInteger<int64_t>(member(j, "test_total", json::value_t::number_unsigned, name));
    } catch (const std::logic_error& e) { // invalid_argument, out_of_range
        throw ConfigError(name + ": " + e.what());
    }
    m.epochRule = member(j, "epoch_rule", json::value_t::string, name).get<std::string>();
    m.validLoss = member(j, "valid_loss", json::value_t::number_float, name).get<double>();
    m.testAccuracy = member(j, "test_acc", json::value_t::number_float, name).get<double>();
    if (auto it = j.find("trained_on"); it != j.end() && it->is_string())
        m.trainedOn = it->get<std::string>();
    if (m.epoch < 1 || m.epoch > m.config.epochs)
        throw ConfigError(name + ": 'epoch' " + std::to_string(m.epoch) + " is not an epoch of the run (1.." +
                          std::to_string(m.config.epochs) + ")");
    if (m.testTotal < 1 || m.testCorrect < 0 || m.testCorrect > m.testTotal)
        throw ConfigError(name + ": 'test_correct' must lie in 0..'test_total' (" + std::to_string(m.testCorrect) + " of " +
                          std::to_string(m.testTotal) + ")");
    if (!std::isfinite(m.validLoss) || !(std::abs(m.testAccuracy - 100.0 * m.testCorrect / m.testTotal) < 1e-6))
        throw ConfigError(name + ": 'test_acc' must be 100 * test_correct / test_total and 'valid_loss' finite");
    return m;
}

PretrainedModel readPretrainedRecord(const std::string& recordPath)
{
    std::ifstream in(recordPath, std::ios::binary);
    if (!in)
        throw ConfigError(recordPath + ": cannot be read");
    std::stringstream ss;
    ss << in.rdbuf();
    PretrainedModel m = parsePretrainedRecord(ss.str(), recordPath);
    m.recordPath = recordPath;
    m.weightsPath = (fs::path(recordPath).parent_path() / m.weightsPath).string();
    return m;
}

std::string pretrainedRecordText(const PretrainedModel& m)
{
    json normalization = nullptr;
    if (m.config.augment.normalize)
        normalization = {{"mean", m.config.augment.mean}, {"std", m.config.augment.std}};
    json j = {{"name", m.name},
              {"arch", m.config.arch},
              {"arch_spec", "resources/architectures/" + m.config.arch + ".json"},
              {"weights", fs::path(m.weightsPath).filename().string()},
              {"seed", m.seed},
              {"epoch", m.epoch},
              {"epoch_rule", m.epochRule},
              {"valid_loss", m.validLoss},
              {"test_acc", m.testAccuracy},
              {"test_correct", m.testCorrect},
              {"test_total", m.testTotal},
              {"input", "1 x 28 x 28 grey levels in [0, 1], white digit on black as MNIST"},
              {"normalization", normalization},
              {"trained_on", m.trainedOn},
              {"config", m.config}};
    return j.dump(2) + "\n";
}

void writePretrainedRecord(const PretrainedModel& model, const std::string& recordPath)
{
    const std::string text = pretrainedRecordText(model);
    writeFileAtomically(recordPath, [&](std::ostream& out) { out << text; });
}

std::vector<std::string> pretrainedModelDirs()
{
    std::vector<std::string> out;
    // Set, it is the only place: a test or a user pins exactly which models exist.
    if (const char* env = std::getenv("MNIST_STUDIO_MODELS_DIR"); env && *env)
        return {env};
    if (runningFromBuildTree())
        out.push_back(sourceTreeDir() + "/resources/models");
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec)
        out.push_back((exe.parent_path().parent_path() / "share/mnist-studio/models").lexically_normal().string());
    return out;
}

std::vector<std::string> pretrainedRecordPaths()
{
    for (const std::string& dir : pretrainedModelDirs()) {
        std::vector<std::string> records;
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(dir, ec)) {
            const fs::path p = entry.path();
            if (p.extension() == ".json" && fs::is_regular_file(fs::path(p).replace_extension(".safetensors"), ec))
                records.push_back(p.string());
        }
        if (!records.empty()) {
            std::sort(records.begin(), records.end());
            return records;
        }
    }
    return {};
}

std::optional<PretrainedModel> findPretrainedModel(const std::string& name)
{
    for (const std::string& path : pretrainedRecordPaths())
        if (name.empty() || fs::path(path).stem().string() == name)
            return readPretrainedRecord(path);
    return std::nullopt;
}

} // namespace mnist
