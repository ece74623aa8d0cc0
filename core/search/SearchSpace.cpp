#include "search/SearchSpace.h"

#include <algorithm>
#include <cmath>

namespace mnist::search {

double unit(std::mt19937_64& rng)
{
    return static_cast<double>(rng() >> 11) * (1.0 / 9007199254740992.0);
}

nlohmann::json valueAt(const Param& p, double u)
{
    u = std::min(std::max(u, 0.0), std::nextafter(1.0, 0.0));
    switch (p.kind) {
    case ParamKind::Choice:
        return p.choices[std::min(p.choices.size() - 1, static_cast<size_t>(u * static_cast<double>(p.choices.size())))];
    case ParamKind::IntUniform: {
        const double lo = std::ceil(p.lo), hi = std::floor(p.hi);
        return static_cast<int64_t>(std::min(hi, lo + std::floor(u * (hi - lo + 1))));
    }
    case ParamKind::Uniform:
    case ParamKind::LogUniform:
        break;
    }
    const double v = p.kind == ParamKind::LogUniform ? std::exp(std::log(p.lo) + u * (std::log(p.hi) - std::log(p.lo)))
                                                     : p.lo + u * (p.hi - p.lo);
    if (p.integer)
        return static_cast<int64_t>(std::llround(std::min(std::max(v, std::ceil(p.lo)), std::floor(p.hi))));
    return v;
}

nlohmann::json sampleRandom(const Space& space, std::mt19937_64& rng)
{
    nlohmann::json point = nlohmann::json::object();
    for (const Param& p : space)
        point[p.key] = valueAt(p, unit(rng));
    return point;
}

} // namespace mnist::search
