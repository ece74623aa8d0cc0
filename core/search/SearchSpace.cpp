#include "search/SearchSpace.h"

#include <algorithm>
#include <cmath>

using json = nlohmann::json;

namespace mnist::search {
namespace {

// A whole-number setting's value: v rounded into [ceil(lo), floor(hi)].
json wholeIn(double v, double lo, double hi)
{
    const double low = std::ceil(lo), high = std::floor(hi);
    if (low > high) // no whole number in range: the spec refuses it; stay defined anyway
        return static_cast<int64_t>(std::llround(lo));
    return static_cast<int64_t>(std::llround(std::min(std::max(v, low), high)));
}

size_t indexAt(double u, size_t n)
{
    return std::min(static_cast<size_t>(std::max(u, 0.0) * static_cast<double>(n)), n - 1);
}

} // namespace

double unit(std::mt19937_64& rng)
{
    return static_cast<double>(rng() >> 11) * (1.0 / 9007199254740992.0);
}

json valueAt(const Param& p, double u)
{
    switch (p.kind) {
    case ParamKind::Choice:
        return p.choices.empty() ? json() : p.choices[indexAt(u, p.choices.size())];
    case ParamKind::IntUniform: {
        const double low = std::ceil(p.lo), high = std::floor(p.hi);
        if (low > high)
            return wholeIn(p.lo, p.lo, p.hi);
        return static_cast<int64_t>(low) + static_cast<int64_t>(indexAt(u, static_cast<size_t>(high - low) + 1));
    }
    case ParamKind::Uniform:
    case ParamKind::LogUniform:
        break;
    }
    // The same arithmetic as the random sweeps have always used, so their draws do not move.
    const double v = p.kind == ParamKind::LogUniform ? std::exp(std::log(p.lo) + u * (std::log(p.hi) - std::log(p.lo)))
                                                     : p.lo + u * (p.hi - p.lo);
    return p.integer ? wholeIn(v, p.lo, p.hi) : json(v);
}

json sampleRandom(const Space& space, std::mt19937_64& rng)
{
    json point = json::object();
    for (const Param& p : space)
        point[p.key] = p.kind == ParamKind::Choice && !p.choices.empty() ? p.choices[static_cast<size_t>(rng() % p.choices.size())]
                                                                        : valueAt(p, unit(rng));
    return point;
}

bool modelCoordinate(const Param& p, const json& value, double& x)
{
    if (p.kind == ParamKind::Choice) {
        for (size_t i = 0; i < p.choices.size(); ++i)
            if (p.choices[i] == value) {
                x = static_cast<double>(i);
                return true;
            }
        return false;
    }
    if (!value.is_number())
        return false;
    const double v = value.get<double>();
    if (!std::isfinite(v))
        return false;
    if (p.kind == ParamKind::LogUniform && v <= 0)
        return false;
    const double m = p.kind == ParamKind::LogUniform ? std::log(v) : v;
    const auto [lo, hi] = modelRange(p);
    const double slack = 1e-9 * (hi - lo);
    if (!(m >= lo - slack && m <= hi + slack))
        return false;
    x = std::min(std::max(m, lo), hi);
    return true;
}

std::pair<double, double> modelRange(const Param& p)
{
    switch (p.kind) {
    case ParamKind::Choice:
        return {-0.5, static_cast<double>(p.choices.size()) - 0.5};
    case ParamKind::IntUniform:
        return {std::ceil(p.lo) - 0.5, std::floor(p.hi) + 0.5};
    case ParamKind::LogUniform:
        return {std::log(p.lo), std::log(p.hi)};
    case ParamKind::Uniform:
        break;
    }
    return {p.lo, p.hi};
}

json valueFromModel(const Param& p, double x)
{
    switch (p.kind) {
    case ParamKind::Choice: {
        if (p.choices.empty())
            return json();
        const double last = static_cast<double>(p.choices.size() - 1);
        return p.choices[static_cast<size_t>(std::llround(std::min(std::max(x, 0.0), last)))];
    }
    case ParamKind::IntUniform:
        return wholeIn(x, p.lo, p.hi);
    case ParamKind::LogUniform:
    case ParamKind::Uniform:
        break;
    }
    const double v = p.kind == ParamKind::LogUniform ? std::exp(x) : x;
    return p.integer ? wholeIn(v, p.lo, p.hi) : json(std::min(std::max(v, p.lo), p.hi));
}

} // namespace mnist::search
