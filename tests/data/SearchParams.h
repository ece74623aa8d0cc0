#pragma once
// Search-space parameters for the search tests, one line each.
#include "search/SearchSpace.h"

#include <string>
#include <utility>
#include <vector>

inline mnist::search::Param searchParam(const std::string& key, mnist::search::ParamKind kind, double lo, double hi)
{
    mnist::search::Param p;
    p.key = key;
    p.kind = kind;
    p.lo = lo;
    p.hi = hi;
    return p;
}

inline mnist::search::Param uniform(const std::string& key, double lo, double hi)
{
    return searchParam(key, mnist::search::ParamKind::Uniform, lo, hi);
}

inline mnist::search::Param logUniform(const std::string& key, double lo, double hi)
{
    return searchParam(key, mnist::search::ParamKind::LogUniform, lo, hi);
}

inline mnist::search::Param intUniform(const std::string& key, double lo, double hi)
{
    return searchParam(key, mnist::search::ParamKind::IntUniform, lo, hi);
}

inline mnist::search::Param choice(const std::string& key, std::vector<nlohmann::json> choices)
{
    mnist::search::Param p;
    p.key = key;
    p.kind = mnist::search::ParamKind::Choice;
    p.choices = std::move(choices);
    return p;
}
