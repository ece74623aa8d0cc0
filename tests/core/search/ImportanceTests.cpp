// Parameter importance (search/Importance.h): fANOVA's main effects over a random forest put the
// settings that matter first, in order, with shares summing to 1.
#include "search/Importance.h"

#include "data/SearchParams.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <functional>
#include <limits>

using nlohmann::json;
using namespace mnist::search;

namespace {

// `n` points drawn from the priors, scored by `f` plus uniform noise of +-noise.
std::vector<Observation> observe(const Space& space, const std::function<double(const json&)>& f, int n,
                                 double noise = 1e-3, uint64_t seed = 1)
{
    std::mt19937_64 rng(seed);
    std::vector<Observation> out;
    for (int i = 0; i < n; ++i) {
        Observation o;
        o.params = sampleRandom(space, rng);
        o.objective = f(o.params) + noise * (2 * unit(rng) - 1);
        out.push_back(std::move(o));
    }
    return out;
}

double sum(const std::map<std::string, double>& shares)
{
    double s = 0;
    for (const auto& [key, share] : shares)
        s += share;
    return s;
}

} // namespace

TEST_CASE("Importance puts the one setting the objective depends on first", "[search]")
{
    const Space space{uniform("dropout", 0, 0.5), logUniform("lr", 1e-4, 1e-1), uniform("wd", 0, 1e-3)};
    const auto f = [](const json& p) {
        const double x = std::log10(p["lr"].get<double>()) + 2.5;
        return x * x;
    };
    const std::map<std::string, double> shares = paramImportance(space, observe(space, f, 60));
    INFO("dropout " << shares.at("dropout") << ", lr " << shares.at("lr") << ", wd " << shares.at("wd"));
    REQUIRE(shares.size() == 3);
    CHECK(shares.at("lr") > 0.8);
    CHECK(shares.at("lr") > shares.at("dropout"));
    CHECK(shares.at("lr") > shares.at("wd"));
    CHECK(sum(shares) == Approx(1.0));
}

TEST_CASE("Importance ranks a strong and a weak setting in order, shares summing to 1", "[search]")
{
    const Space space{uniform("a", 0, 1), uniform("strong", 0, 1), uniform("weak", 0, 1)};
    const auto f = [](const json& p) { return 4 * p["strong"].get<double>() + 1.5 * p["weak"].get<double>(); };
    const std::map<std::string, double> shares = paramImportance(space, observe(space, f, 80));
    INFO("a " << shares.at("a") << ", strong " << shares.at("strong") << ", weak " << shares.at("weak"));
    CHECK(shares.at("strong") > shares.at("weak"));
    CHECK(shares.at("weak") > shares.at("a"));
    CHECK(shares.at("weak") > 0.05);
    CHECK(sum(shares) == Approx(1.0));
    for (const auto& [key, share] : shares) {
        CHECK(share >= 0);
        CHECK(share <= 1);
    }
}

TEST_CASE("Importance finds a relevant categorical setting among numbers", "[search]")
{
    const Space space{uniform("x", 0, 1), choice("optimizer", {"sgd", "adam", "adamw", "rmsprop"}), intUniform("layers", 1, 5)};
    const auto f = [](const json& p) {
        const std::string o = p["optimizer"].get<std::string>();
        return o == "sgd" ? 0.6 : o == "adam" ? 0.1 : o == "adamw" ? 0.0 : 0.9;
    };
    const std::map<std::string, double> shares = paramImportance(space, observe(space, f, 60));
    INFO("x " << shares.at("x") << ", optimizer " << shares.at("optimizer") << ", layers " << shares.at("layers"));
    CHECK(shares.at("optimizer") > 0.8);
    CHECK(sum(shares) == Approx(1.0));
}

TEST_CASE("Importance is all 0 for a constant objective or too few finite observations", "[search]")
{
    const Space space{uniform("a", 0, 1), uniform("b", 0, 1)};
    const auto constant = [](const json&) { return 0.25; };
    std::map<std::string, double> shares = paramImportance(space, observe(space, constant, 30, 0.0));
    REQUIRE(shares.size() == 2);
    CHECK(shares.at("a") == 0);
    CHECK(shares.at("b") == 0);

    std::vector<Observation> one = observe(space, [](const json& p) { return p["a"].get<double>(); }, 5);
    for (size_t i = 1; i < one.size(); ++i)
        one[i].objective = std::numeric_limits<double>::infinity();
    shares = paramImportance(space, one);
    CHECK(shares.at("a") == 0);
    CHECK(shares.at("b") == 0);
    CHECK(paramImportance(space, {}).size() == 2);
}

TEST_CASE("Importance counts diverged trials as the worst and is deterministic", "[search]")
{
    const Space space{uniform("a", 0, 1), uniform("b", 0, 1)};
    // Diverges when a is large: the objective depends on a alone.
    const auto f = [](const json& p) {
        const double a = p["a"].get<double>();
        return a > 0.7 ? std::numeric_limits<double>::infinity() : a;
    };
    const std::vector<Observation> obs = observe(space, f, 50, 0.0);
    const std::map<std::string, double> shares = paramImportance(space, obs);
    CHECK(shares.at("a") > 0.8);
    CHECK(sum(shares) == Approx(1.0));
    CHECK(paramImportance(space, obs) == shares);
    ImportanceOptions other;
    other.seed = 5;
    CHECK(paramImportance(space, obs, other) != shares);
}
