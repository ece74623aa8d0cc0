#include "TestPaths.h"
#include "Error.h"
#include "optim/LrScheduler.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>

using Catch::Matchers::Contains;

namespace {

// PyTorch's argument names -> our config.
mnist::SchedulerConfig fromReferenceCase(const nlohmann::json& c)
{
    nlohmann::json j = c.at("params");
    j.erase("cycle_momentum"); // always off here; Adam has no momentum to cycle
    j["type"] = c.at("scheduler");
    return j.get<mnist::SchedulerConfig>();
}

double relErr(double a, double b)
{
    if (a == b)
        return 0;
    return std::abs(a - b) / std::max(std::abs(a), std::abs(b));
}

} // namespace

TEST_CASE("Every reference schedule equals torch.optim.lr_scheduler at every iteration", "[optim][scheduler]")
{
    std::ifstream in(std::string(MNIST_REFERENCE_DIR) + "/lr_schedules.json");
    REQUIRE(in);
    const auto ref = nlohmann::json::parse(in);
    REQUIRE(ref.at("cases").size() >= 6);
    for (const auto& c : ref.at("cases")) {
        INFO(c.at("name").get<std::string>());
        const auto expected = c.at("lr").get<std::vector<double>>();
        REQUIRE(expected.size() == c.at("iterations").get<size_t>());
        const auto got = mnist::lrSequence(fromReferenceCase(c), c.at("optimizer_lr").get<double>(),
                                           static_cast<int64_t>(expected.size()), static_cast<int64_t>(expected.size()));
        double worst = 0;
        size_t worstAt = 0;
        for (size_t i = 0; i < expected.size(); ++i)
            if (relErr(got[i], expected[i]) > worst) {
                worst = relErr(got[i], expected[i]);
                worstAt = i;
            }
        INFO("worst relative error " << worst << " at iteration " << worstAt);
        CHECK(worst <= 1e-6);
    }
}

TEST_CASE("Schedulers follow PyTorch's definitions beyond the notebook's cases", "[optim][scheduler]")
{
    mnist::SchedulerConfig s;
    SECTION("cosine rises again past T_max instead of staying at eta_min")
    {
        s.type = "cosine";
        s.tMax = 10;
        s.etaMin = 1e-4;
        auto f = mnist::makeSchedule(s, 1e-2, 0);
        CHECK(f->lrAt(0) == Approx(1e-2));
        CHECK(f->lrAt(10) == Approx(1e-4));
        CHECK(f->lrAt(15) == Approx(f->lrAt(5)));
        CHECK(f->lrAt(20) == Approx(1e-2));
    }
    SECTION("cyclic starts at base_lr whatever the optimizer's LR, with an asymmetric cycle")
    {
        s.type = "cyclic";
        s.baseLr = 0.001;
        s.maxLr = 0.005;
        s.stepSizeUp = 4;
        s.stepSizeDown = 2;
        auto f = mnist::makeSchedule(s, 123.0, 0);
        CHECK(f->lrAt(0) == Approx(0.001));
        CHECK(f->lrAt(2) == Approx(0.003));
        CHECK(f->lrAt(4) == Approx(0.005));
        CHECK(f->lrAt(5) == Approx(0.003));
        CHECK(f->lrAt(6) == Approx(0.001));
    }
    SECTION("cyclic exp_range scales the height by gamma^iteration")
    {
        s.type = "cyclic";
        s.baseLr = 0.001;
        s.maxLr = 0.005;
        s.stepSizeUp = 4;
        s.mode = "exp_range";
        s.gamma = 0.9;
        auto f = mnist::makeSchedule(s, 1.0, 0);
        CHECK(f->lrAt(4) == Approx(0.001 + 0.004 * std::pow(0.9, 4)));
        CHECK(f->lrAt(12) == Approx(0.001 + 0.004 * std::pow(0.9, 12)));
    }
    SECTION("warm restarts with T_mult 3 restart at 0, 2, 8, 26")
    {
        s.type = "warm-restarts";
        s.t0 = 2;
        s.tMult = 3;
        auto f = mnist::makeSchedule(s, 1.0, 0);
        for (int64_t restart : {0, 2, 8, 26})
            CHECK(f->lrAt(restart) == Approx(1.0));
        CHECK(f->lrAt(8 + 9) == Approx(0.5));
        CHECK(f->lrAt(25) > 0); // never reaches eta_min
    }
    SECTION("one-cycle warms up to max_lr then anneals to max_lr / div / final_div")
    {
        s.type = "one-cycle";
        s.maxLr = 0.1;
        s.pctStart = 0.25;
        s.divFactor = 10;
        s.finalDivFactor = 100;
        auto f = mnist::makeSchedule(s, 1.0, 100);
        CHECK(f->lrAt(0) == Approx(0.01));
        CHECK(f->lrAt(24) == Approx(0.1));
        CHECK(f->lrAt(99) == Approx(0.0001));
        CHECK(f->lrAt(12) == Approx(0.1 + (0.01 - 0.1) / 2 * (std::cos(M_PI * 12 / 24.0) + 1)));
        s.anneal = "linear";
        auto lin = mnist::makeSchedule(s, 1.0, 100);
        CHECK(lin->lrAt(12) == Approx(0.01 + (0.1 - 0.01) * 12 / 24.0));
        CHECK_THROWS_AS(f->lrAt(101), mnist::ConfigError);
    }
    SECTION("step and exponential decay from the optimizer's LR")
    {
        s.type = "step";
        s.stepSize = 3;
        s.gamma = 0.5;
        auto st = mnist::makeSchedule(s, 0.8, 0);
        CHECK(st->lrAt(2) == Approx(0.8));
        CHECK(st->lrAt(3) == Approx(0.4));
        CHECK(st->lrAt(7) == Approx(0.2));
        s.type = "exponential";
        s.gamma = 0.9;
        auto ex = mnist::makeSchedule(s, 0.8, 0);
        CHECK(ex->lrAt(3) == Approx(0.8 * 0.729));
    }
    SECTION("none keeps the optimizer's LR")
    {
        auto f = mnist::makeSchedule(s, 0.003, 0);
        CHECK(f->lrAt(0) == 0.003);
        CHECK(f->lrAt(100000) == 0.003);
    }
}

TEST_CASE("Invalid scheduler parameters are refused in words", "[optim][scheduler]")
{
    mnist::SchedulerConfig s;
    auto expectProblem = [&](const std::string& words) {
        CHECK_THROWS_WITH(mnist::makeSchedule(s, 1e-3, 1000), Contains(words));
    };
    SECTION("cosine") { s.type = "cosine"; s.tMax = 0; expectProblem("T_max"); s.tMax = 5; s.etaMin = -1; expectProblem("eta_min"); }
    SECTION("cyclic")
    {
        s.type = "cyclic";
        s.stepSizeUp = 0;
        expectProblem("step_size_up");
        s.stepSizeUp = 10;
        s.stepSizeDown = -1;
        expectProblem("step_size_down");
        s.stepSizeDown = 0;
        s.baseLr = 0.1;
        s.maxLr = 0.01;
        expectProblem("must not exceed max_lr");
        s.baseLr = 0.001;
        s.mode = "sawtooth";
        expectProblem("mode");
        s.mode = "exp_range";
        s.gamma = 0;
        expectProblem("gamma");
    }
    SECTION("warm restarts")
    {
        s.type = "warm-restarts";
        s.t0 = 0;
        expectProblem("T_0");
        s.t0 = 10;
        s.tMult = 0;
        expectProblem("T_mult");
        s.tMult = 1.5;
        expectProblem("integer");
    }
    SECTION("one-cycle")
    {
        s.type = "one-cycle";
        s.pctStart = 1.2;
        expectProblem("pct_start");
        s.pctStart = 0.3;
        s.anneal = "cubic";
        expectProblem("anneal");
        s.anneal = "cos";
        s.divFactor = 0;
        expectProblem("div_factor");
    }
    SECTION("step and exponential") { s.type = "step"; s.stepSize = 0; expectProblem("step_size"); s.type = "exponential"; s.gamma = -0.5; expectProblem("gamma"); }
    SECTION("unknown type") { s.type = "linear-warmup"; expectProblem("unknown"); }
    SECTION("learning rate") { CHECK_THROWS_WITH(mnist::makeSchedule(s, 0.0, 10), Contains("learning rate")); }
}
