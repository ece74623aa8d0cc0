#include "spec/TrainConfig.h"

#include "Error.h"
#include "AtomicFile.h"
#include "spec/ConfigFields.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <sstream>

namespace mnist {

std::vector<std::string> TrainConfig::validate() const
{
    std::vector<std::string> out;
    for (auto& p : fieldProblems(*this))
        out.push_back(std::move(p.message));
    return out;
}

void throwIfInvalid(const TrainConfig& c)
{
    const auto problems = c.validate();
    if (problems.empty())
        return;
    std::string msg = "invalid configuration:";
    for (const auto& p : problems)
        msg += "\n  " + p;
    throw ConfigError(msg);
}

bool parseImageSize(const std::string& text, int64_t& height, int64_t& width)
{
    height = width = 0;
    if (text.empty())
        return true;
    const auto side = [](const std::string& t, int64_t& v) {
        if (t.empty() || t.size() > 4 || t.find_first_not_of("0123456789") != std::string::npos)
            return false;
        v = std::stoll(t);
        return v >= 1 && v <= 4096;
    };
    const size_t x = text.find_first_of("xX");
    if (x == std::string::npos)
        return side(text, height) && side(text, width);
    return side(text.substr(0, x), height) && side(text.substr(x + 1), width);
}

std::string toJsonText(const TrainConfig& c)
{
    return nlohmann::json(c).dump(2) + "\n";
}

TrainConfig trainConfigFromJsonText(const std::string& text)
{
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const std::exception& e) {
        throw ConfigError(std::string("not valid JSON: ") + e.what());
    }
    return j.get<TrainConfig>();
}

TrainConfig loadTrainConfig(const std::string& path)
{
    std::ifstream in(path);
    if (!in)
        throw ConfigError("config file " + path + " cannot be opened");
    std::stringstream buf;
    buf << in.rdbuf();
    try {
        return trainConfigFromJsonText(buf.str());
    } catch (const ConfigError& e) {
        throw ConfigError(path + ": " + e.what());
    }
}

void saveTrainConfig(const TrainConfig& c, const std::string& path)
{
    const std::string text = toJsonText(c);
    writeFileAtomically(path, [&](std::ostream& out) { out << text; });
}

} // namespace mnist
