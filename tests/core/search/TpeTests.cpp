// The TPE sampler (search/Tpe.h): it finds better points than random search on synthetic
// objectives with the same budget, it is deterministic, its startup draws are the priors', and
// every value it proposes is one the space allows.
#include "search/SearchSpace.h"
#include "search/Tpe.h"

#include "data/SearchParams.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <set>

using nlohmann::json;
using namespace mnist::search;

namespace {

using Objective = std::function<double(const json&)>;
using Sampler = std::function<json(const std::vector<Observation>&, std::mt19937_64&)>;

// The best objective one search finds in `budget` trials, one trial at a time.
double bestFound(const Objective& f, const Sampler& sample, uint64_t seed, int budget)
{
    std::mt19937_64 rng(seed);
    std::vector<Observation> history;
    double best = std::numeric_limits<double>::infinity();
    for (int t = 0; t < budget; ++t) {
        Observation o;
        o.params = sample(history, rng);
        o.objective = f(o.params);
        best = std::min(best, o.objective);
        history.push_back(std::move(o));
    }
    return best;
}

struct Match {
    double tpeMean = 0, randomMean = 0;
    int tpeWins = 0;
};

// TPE against random search, 20 seeds, 40 trials each (TPE's first 10 from the priors).
Match tpeAgainstRandom(const Space& space, const Objective& f)
{
    TpeOptions options;
    options.startup = 10;
    const Sampler tpe = [&](const std::vector<Observation>& h, std::mt19937_64& rng) {
        return sampleTpe(space, h, options, rng);
    };
    const Sampler random = [&](const std::vector<Observation>&, std::mt19937_64& rng) { return sampleRandom(space, rng); };
    Match m;
    constexpr int kSeeds = 20;
    for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
        const double byTpe = bestFound(f, tpe, seed, 40);
        const double byRandom = bestFound(f, random, seed, 40);
        m.tpeMean += byTpe / kSeeds;
        m.randomMean += byRandom / kSeeds;
        m.tpeWins += byTpe < byRandom;
    }
    return m;
}

// A history of `n` random points of `space` scored by `f`.
std::vector<Observation> randomHistory(const Space& space, const Objective& f, int n, uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::vector<Observation> history;
    for (int i = 0; i < n; ++i) {
        Observation o;
        o.params = sampleRandom(space, rng);
        o.objective = f(o.params);
        history.push_back(std::move(o));
    }
    return history;
}

} // namespace

TEST_CASE("TPE beats random search on a quadratic with a log-scaled axis", "[search]")
{
    const Space space{logUniform("lr", 1e-5, 1), uniform("x", 0, 1), uniform("y", -2, 2)};
    const Objective f = [](const json& p) {
        const double lr = (std::log10(p["lr"].get<double>()) + 2) / 5; // optimum at 1e-2
        const double x = p["x"].get<double>() - 0.3, y = (p["y"].get<double>() - 0.5) / 4;
        return lr * lr + x * x + y * y;
    };
    const Match m = tpeAgainstRandom(space, f);
    INFO("TPE mean best " << m.tpeMean << ", random " << m.randomMean << ", TPE better in " << m.tpeWins << " of 20");
    CHECK(m.tpeMean < m.randomMean);
    CHECK(m.tpeWins >= 15);
}

TEST_CASE("TPE beats random search on an objective with a categorical setting", "[search]")
{
    const Space space{choice("opt", {"sgd", "adam", "adamw", "rmsprop"}), uniform("x", -1, 1)};
    const Objective f = [](const json& p) {
        const std::string opt = p["opt"].get<std::string>();
        const double offset = opt == "sgd" ? 0.6 : opt == "adam" ? 0.3 : opt == "adamw" ? 0.0 : 0.9;
        const double x = p["x"].get<double>() - 0.2;
        return offset + x * x;
    };
    const Match m = tpeAgainstRandom(space, f);
    INFO("TPE mean best " << m.tpeMean << ", random " << m.randomMean << ", TPE better in " << m.tpeWins << " of 20");
    CHECK(m.tpeMean < m.randomMean);
    CHECK(m.tpeWins >= 15);
}

TEST_CASE("TPE's below set is Optuna's default gamma", "[search]")
{
    CHECK(tpeBelowCount(1) == 1);
    CHECK(tpeBelowCount(10) == 1);
    CHECK(tpeBelowCount(11) == 2);
    CHECK(tpeBelowCount(250) == 25);
    CHECK(tpeBelowCount(1000) == 25);
}

TEST_CASE("TPE draws the same point from the same history and rng state", "[search]")
{
    const Space space{logUniform("lr", 1e-4, 0.1), choice("bs", {64, 128, 256}), uniform("wd", 0, 0.01)};
    const Objective f = [](const json& p) { return std::abs(std::log(p["lr"].get<double>() / 0.003)) + p["wd"].get<double>(); };
    const std::vector<Observation> history = randomHistory(space, f, 20, 7);
    std::mt19937_64 a(42), b(42), c(43);
    const json first = sampleTpe(space, history, {}, a);
    CHECK(first == sampleTpe(space, history, {}, b));
    CHECK(a() == b()); // and it consumed the same draws
    CHECK(first != sampleTpe(space, history, {}, c));
    CHECK(first.size() == 3);
}

TEST_CASE("TPE's startup draws are the priors' draws", "[search]")
{
    const Space space{logUniform("lr", 1e-4, 0.1), choice("bs", {64, 128, 256})};
    const Objective f = [](const json& p) { return p["lr"].get<double>(); };
    TpeOptions options;
    options.startup = 5;
    for (int n : {0, 1, 4}) {
        const std::vector<Observation> history = randomHistory(space, f, n, 3);
        std::mt19937_64 a(9), b(9);
        CHECK(sampleTpe(space, history, options, a) == sampleRandom(space, b));
        CHECK(a() == b());
    }
    // From the startup count on, it models the history: the point differs from the prior's.
    const std::vector<Observation> history = randomHistory(space, f, 5, 3);
    std::mt19937_64 a(9), b(9);
    CHECK(sampleTpe(space, history, options, a) != sampleRandom(space, b));
}

TEST_CASE("TPE's values stay in range, whole numbers whole and choices among the choices", "[search]")
{
    Param batches = uniform("batch", 16, 500.5);
    batches.integer = true;
    Param logWhole = logUniform("width", 3.5, 300);
    logWhole.integer = true;
    const Param layers = intUniform("layers", 1, 6);
    const Space space{uniform("drop", 0, 0.5), logUniform("lr", 1e-5, 1), batches, logWhole, layers,
                      choice("act", {"relu", 1.5, json::array({1, 2}), nullptr})};
    // Best near the edges of the ranges, so that the estimators put mass at the bounds.
    const Objective f = [](const json& p) {
        return p["drop"].get<double>() * -1 + p["lr"].get<double>() + p["batch"].get<double>() / 500 -
               p["layers"].get<double>() + (p["act"].is_null() ? 0 : 1);
    };
    std::vector<Observation> history = randomHistory(space, f, 12, 5);
    history[3].objective = std::numeric_limits<double>::infinity(); // a diverged trial
    history[4].objective = std::numeric_limits<double>::quiet_NaN();
    std::mt19937_64 rng(11);
    std::set<int64_t> layerValues;
    for (int i = 0; i < 200; ++i) {
        const json p = sampleTpe(space, history, {}, rng);
        INFO(p.dump());
        REQUIRE(p["drop"].is_number_float());
        CHECK(p["drop"].get<double>() >= 0);
        CHECK(p["drop"].get<double>() <= 0.5);
        CHECK(p["lr"].get<double>() >= 1e-5);
        CHECK(p["lr"].get<double>() <= 1);
        REQUIRE(p["batch"].is_number_integer());
        CHECK(p["batch"].get<int64_t>() >= 16);
        CHECK(p["batch"].get<int64_t>() <= 500);
        REQUIRE(p["width"].is_number_integer());
        CHECK(p["width"].get<int64_t>() >= 4);
        CHECK(p["width"].get<int64_t>() <= 300);
        REQUIRE(p["layers"].is_number_integer());
        CHECK(p["layers"].get<int64_t>() >= 1);
        CHECK(p["layers"].get<int64_t>() <= 6);
        layerValues.insert(p["layers"].get<int64_t>());
        CHECK(std::find(space[5].choices.begin(), space[5].choices.end(), p["act"]) != space[5].choices.end());
        Observation o;
        o.params = p;
        o.objective = f(p);
        history.push_back(o);
    }
    CHECK(layerValues.count(6) == 1); // the best end of the range is reached
}

TEST_CASE("Prior draws: int_uniform gives each whole number an equal share, values at quantiles", "[search]")
{
    const Param layers = intUniform("layers", 1, 3);
    CHECK(valueAt(layers, 0.0) == 1);
    CHECK(valueAt(layers, 0.33) == 1);
    CHECK(valueAt(layers, 0.34) == 2);
    CHECK(valueAt(layers, 0.999) == 3);
    CHECK(valueAt(logUniform("lr", 1e-4, 1e-2), 0.5).get<double>() == Approx(1e-3));
    CHECK(valueAt(choice("c", {"a", "b"}), 0.6) == "b");
    Param whole = uniform("w", 2.5, 5.5);
    whole.integer = true;
    CHECK(valueAt(whole, 0.0) == 3);
    CHECK(valueAt(whole, 0.99) == 5);
    // The model scale round-trips, and values outside the space are refused.
    double x = 0;
    CHECK(modelCoordinate(logUniform("lr", 1e-4, 1e-2), 1e-3, x));
    CHECK(x == Approx(std::log(1e-3)));
    CHECK_FALSE(modelCoordinate(logUniform("lr", 1e-4, 1e-2), 0.5, x));
    CHECK_FALSE(modelCoordinate(choice("c", {"a", "b"}), "z", x));
    CHECK(modelCoordinate(choice("c", {"a", "b"}), "b", x));
    CHECK(x == 1);
    CHECK(valueFromModel(layers, 2.6) == 3);
    CHECK(valueFromModel(layers, 9.0) == 3);
}
