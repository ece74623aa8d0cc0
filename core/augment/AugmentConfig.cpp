#include "augment/AugmentConfig.h"

#include <nlohmann/json.hpp>

#include <cmath>

namespace mnist {
namespace {

std::string num(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

void checkRange(std::vector<std::string>& p, const char* what, double lo, double hi, double min, double max, bool minOpen)
{
    if (!std::isfinite(lo) || !std::isfinite(hi) || (minOpen ? lo <= min : lo < min) || hi > max)
        p.push_back(std::string(what) + " must lie in " + (minOpen ? "(" : "[") + num(min) + ", " + num(max) + "] (got " +
                    num(lo) + ", " + num(hi) + ")");
    if (lo > hi)
        p.push_back(std::string(what) + ": minimum " + num(lo) + " exceeds maximum " + num(hi));
}

} // namespace

std::vector<std::string> AugmentConfig::validate() const
{
    std::vector<std::string> p;
    if (crop) {
        checkRange(p, "crop scale", cropScaleMin, cropScaleMax, 0.0, 4.0, true);
        checkRange(p, "crop ratio", cropRatioMin, cropRatioMax, 0.0, 100.0, true);
    }
    if (rotate && (!std::isfinite(degrees) || degrees < 0 || degrees > 180))
        p.push_back("rotation degrees must lie in [0, 180] (got " + num(degrees) + ")");
    if (erase) {
        if (!std::isfinite(eraseP) || eraseP < 0 || eraseP > 1)
            p.push_back("erasing probability must lie in [0, 1] (got " + num(eraseP) + ")");
        checkRange(p, "erasing scale", eraseScaleMin, eraseScaleMax, 0.0, 1.0, true);
        checkRange(p, "erasing ratio", eraseRatioMin, eraseRatioMax, 0.0, 100.0, true);
    }
    if (normalize) {
        if (!std::isfinite(mean))
            p.push_back("normalize mean must be a number");
        if (!std::isfinite(std) || std <= 0)
            p.push_back("normalize std must be positive (got " + num(std) + ")");
    }
    return p;
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
    j = nlohmann::json::object();
    if (c.crop)
        j["random_resized_crop"] = {{"scale", {c.cropScaleMin, c.cropScaleMax}}, {"ratio", {c.cropRatioMin, c.cropRatioMax}}};
    if (c.rotate)
        j["random_rotation"] = {{"degrees", c.degrees}, {"interpolation", c.rotateBilinear ? "bilinear" : "nearest"}};
    if (c.erase)
        j["random_erasing"] = {{"p", c.eraseP}, {"scale", {c.eraseScaleMin, c.eraseScaleMax}},
                               {"ratio", {c.eraseRatioMin, c.eraseRatioMax}}};
    if (c.normalize)
        j["normalize"] = {{"mean", c.mean}, {"std", c.std}};
}

void from_json(const nlohmann::json& j, AugmentConfig& c)
{
    c = AugmentConfig{};
    const auto pair = [](const nlohmann::json& v, double& a, double& b) {
        const auto x = v.get<std::vector<double>>();
        if (x.size() != 2)
            throw std::invalid_argument("expected two numbers [min, max]");
        a = x[0];
        b = x[1];
    };
    // Unknown keys are refused: a misspelt transform must not be silently dropped.
    const auto only = [](const nlohmann::json& v, std::initializer_list<const char*> keys) {
        for (auto it = v.begin(); it != v.end(); ++it) {
            bool known = false;
            for (const char* k : keys)
                known = known || it.key() == k;
            if (!known)
                throw std::invalid_argument("unknown key '" + it.key() + "'");
        }
    };
    for (auto it = j.begin(); it != j.end(); ++it) {
        const auto& v = it.value();
        if (it.key() == "random_resized_crop") {
            only(v, {"scale", "ratio"});
            c.crop = true;
            if (v.contains("scale")) pair(v.at("scale"), c.cropScaleMin, c.cropScaleMax);
            if (v.contains("ratio")) pair(v.at("ratio"), c.cropRatioMin, c.cropRatioMax);
        } else if (it.key() == "random_rotation") {
            only(v, {"degrees", "interpolation"});
            c.rotate = true;
            if (v.contains("degrees")) c.degrees = v.at("degrees").get<double>();
            if (v.contains("interpolation")) {
                const auto mode = v.at("interpolation").get<std::string>();
                if (mode != "nearest" && mode != "bilinear")
                    throw std::invalid_argument("interpolation must be nearest or bilinear");
                c.rotateBilinear = mode == "bilinear";
            }
        } else if (it.key() == "random_erasing") {
            only(v, {"p", "scale", "ratio"});
            c.erase = true;
            if (v.contains("p")) c.eraseP = v.at("p").get<double>();
            if (v.contains("scale")) pair(v.at("scale"), c.eraseScaleMin, c.eraseScaleMax);
            if (v.contains("ratio")) pair(v.at("ratio"), c.eraseRatioMin, c.eraseRatioMax);
        } else if (it.key() == "normalize") {
            only(v, {"mean", "std"});
            c.normalize = true;
            if (v.contains("mean")) c.mean = v.at("mean").get<double>();
            if (v.contains("std")) c.std = v.at("std").get<double>();
        } else {
            throw std::invalid_argument("unknown augmentation '" + it.key() +
                                        "' (known: random_resized_crop, random_rotation, random_erasing, normalize)");
        }
    }
}

} // namespace mnist
