#include "spec/AugmentConfig.h"

#include "spec/ConfigFields.h"

#include <nlohmann/json.hpp>

namespace mnist {
std::vector<std::string> AugmentConfig::validate() const
{
    TrainConfig t;
    t.augment = *this;
    std::vector<std::string> out;
    for (auto& p : fieldProblems(t, "augment"))
        out.push_back(std::move(p.message));
    return out;
}

AugmentConfig notebookAugmentation()
{
    AugmentConfig c;
    c.crop = true;
    c.cropScaleMin = 0.8;
    c.cropScaleMax = 1.2;
    c.rotate = true;
    c.degrees = 30;
    return c;
}

AugmentConfig lightAugmentation()
{
    AugmentConfig c;
    c.crop = true;
    c.cropScaleMin = 0.85;
    c.cropScaleMax = 1.0;
    c.cropRatioMin = 0.9;
    c.cropRatioMax = 1.1;
    c.rotate = true;
    c.degrees = 12;
    return c;
}

void to_json(nlohmann::json& j, const AugmentConfig& c)
{
    TrainConfig t;
    t.augment = c;
    j = nlohmann::json(t).at("augment");
}

void from_json(const nlohmann::json& j, AugmentConfig& c)
{
    c = nlohmann::json{{"augment", j}}.get<TrainConfig>().augment;
}

} // namespace mnist
