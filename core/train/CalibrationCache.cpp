#include "train/CalibrationCache.h"

#include "AtomicFile.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace mnist {
namespace {

constexpr const char* kLayouts = "memory_layout";
constexpr const char* kPrecisions = "precision";

// The file as JSON, or an empty object when it is not a calibration file.
nlohmann::json parseFile(const std::string& text)
{
    nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object())
        return nlohmann::json::object();
    return j;
}

bool positiveNumber(const nlohmann::json& v)
{
    return v.is_number() && std::isfinite(v.get<double>()) && v.get<double>() > 0;
}

} // namespace

std::string cpuModelName()
{
    // A virtual machine's name can be as bare as "AMD EPYC" for CPUs generations apart (a Zen 3
    // without AVX-512 and a Zen 5 with it), so the family and model numbers go with it.
    std::ifstream in("/proc/cpuinfo");
    std::string line, name, family, model;
    const auto value = [&] { return line.substr(std::min(line.size(), line.find(':') + 2)); };
    while (std::getline(in, line) && !line.empty()) { // the first processor's block
        if (line.find(':') == std::string::npos)
            continue;
        if (line.rfind("model name", 0) == 0)
            name = value();
        else if (line.rfind("cpu family", 0) == 0)
            family = value();
        else if (line.rfind("model", 0) == 0 && line.find_first_not_of(" \t", 5) == line.find(':'))
            model = value();
    }
    if (name.empty())
        return "unknown";
    return family.empty() || model.empty() ? name : name + " (family " + family + ", model " + model + ")";
}

std::string calibrationFilePath()
{
    if (const char* file = std::getenv("MNIST_STUDIO_CALIBRATION_FILE"); file && *file)
        return file;
    std::filesystem::path base;
    if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg)
        base = xdg;
    else if (const char* home = std::getenv("HOME"); home && *home)
        base = std::filesystem::path(home) / ".config";
    else
        return {};
    return (base / "mnist-studio" / "calibration.json").string();
}

std::optional<LayoutMeasurement> findLayoutMeasurement(const std::string& fileText, const std::string& key)
{
    const nlohmann::json file = parseFile(fileText);
    const auto layouts = file.find(kLayouts);
    if (layouts == file.end() || !layouts->is_object())
        return std::nullopt;
    const auto entry = layouts->find(key);
    if (entry == layouts->end() || !entry->is_object())
        return std::nullopt;
    const auto cl = entry->find("channels_last"), clMs = entry->find("channels_last_ms"), ctMs = entry->find("contiguous_ms");
    if (cl == entry->end() || !cl->is_boolean() || clMs == entry->end() || !positiveNumber(*clMs) || ctMs == entry->end() ||
        !positiveNumber(*ctMs))
        return std::nullopt;
    return LayoutMeasurement{cl->get<bool>(), clMs->get<double>(), ctMs->get<double>()};
}

std::string withLayoutMeasurement(const std::string& fileText, const std::string& key, const LayoutMeasurement& m)
{
    nlohmann::json file = parseFile(fileText);
    if (!file.contains(kLayouts) || !file[kLayouts].is_object())
        file[kLayouts] = nlohmann::json::object();
    file[kLayouts][key] = {{"channels_last", m.channelsLast}, {"channels_last_ms", m.channelsLastMs}, {"contiguous_ms", m.contiguousMs}};
    return file.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::optional<PrecisionMeasurement> findPrecisionMeasurement(const std::string& fileText, const std::string& key)
{
    const nlohmann::json file = parseFile(fileText);
    const auto section = file.find(kPrecisions);
    if (section == file.end() || !section->is_object())
        return std::nullopt;
    const auto entry = section->find(key);
    if (entry == section->end() || !entry->is_object())
        return std::nullopt;
    const auto chosen = entry->find("chosen"), times = entry->find("ms_per_step");
    if (chosen == entry->end() || !chosen->is_string() || times == entry->end() || !times->is_object())
        return std::nullopt;
    PrecisionMeasurement m;
    m.chosen = chosen->get<std::string>();
    bool chosenTimed = false;
    for (auto it = times->begin(); it != times->end(); ++it) {
        const std::string& name = it.key();
        if ((name != "fp32" && name != "bf16" && name != "fp16") || !positiveNumber(it.value()))
            return std::nullopt;
        m.msPerStep.emplace_back(name, it.value().get<double>());
        chosenTimed = chosenTimed || name == m.chosen;
    }
    if (!chosenTimed)
        return std::nullopt;
    // JSON keeps an object's keys sorted; the measurement reads back in one order: fp32, bf16, fp16.
    const auto rank = [](const std::string& name) { return name == "fp32" ? 0 : name == "bf16" ? 1 : 2; };
    std::stable_sort(m.msPerStep.begin(), m.msPerStep.end(),
                     [&](const auto& a, const auto& b) { return rank(a.first) < rank(b.first); });
    return m;
}

std::string withPrecisionMeasurement(const std::string& fileText, const std::string& key, const PrecisionMeasurement& m)
{
    nlohmann::json file = parseFile(fileText);
    if (!file.contains(kPrecisions) || !file[kPrecisions].is_object())
        file[kPrecisions] = nlohmann::json::object();
    nlohmann::json times = nlohmann::json::object();
    for (const auto& [name, ms] : m.msPerStep)
        times[name] = ms;
    file[kPrecisions][key] = {{"chosen", m.chosen}, {"ms_per_step", times}};
    return file.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string readCalibrationText(const std::string& path)
{
    if (path.empty())
        return {};
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return {};
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void updateCalibrationFile(const std::string& path, const std::function<std::string(const std::string&)>& update)
{
    if (path.empty())
        return;
    try {
        std::filesystem::create_directories(std::filesystem::path(path).parent_path());
        const std::string updated = update(readCalibrationText(path));
        writeFileAtomically(path, [&](std::ostream& out) { out << updated; });
    } catch (const std::exception&) {
        // measured again next time
    }
}

} // namespace mnist
