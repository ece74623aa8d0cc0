// The pruners (search/Pruners.h): ASHA's rungs, its pause and promote decisions against a
// hand-worked example, and the median rule's warm-up, startup and comparison.
#include "search/Pruners.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

using namespace mnist::search;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

TrialCurve curve(std::vector<double> losses)
{
    TrialCurve t;
    t.validLoss = std::move(losses);
    return t;
}

// A sweep as the worker sees it: trials report epochs one at a time, ASHA answers.
struct AshaRun {
    AshaOptions options;
    std::vector<TrialCurve> trials;

    // Trial `i` finished an epoch with `loss`: does it go on? A trial that must stop pauses.
    bool report(size_t i, double loss)
    {
        if (i >= trials.size())
            trials.resize(i + 1);
        TrialCurve& t = trials[i];
        t.validLoss.push_back(loss);
        const auto epoch = static_cast<int64_t>(t.validLoss.size());
        const bool goesOn = ashaContinues(options, trials, i, epoch);
        t.paused = !goesOn;
        t.finished = goesOn && epoch == options.maxEpochs;
        return goesOn;
    }

    // The promotion when a slot frees up; the promoted trial is no longer paused.
    int64_t promote(bool draining)
    {
        const int64_t i = ashaPromotion(options, trials, draining);
        if (i >= 0)
            trials[static_cast<size_t>(i)].paused = false;
        return i;
    }
};

} // namespace

TEST_CASE("ASHA's rungs are r, r*eta, ... below the epochs", "[search]")
{
    CHECK(ashaRungs({1, 3, 27}) == std::vector<int64_t>{1, 3, 9});
    CHECK(ashaRungs({2, 2, 16}) == std::vector<int64_t>{2, 4, 8});
    CHECK(ashaRungs({1, 3, 1}).empty());
    CHECK(ashaRungs({1, 3, 2}) == std::vector<int64_t>{1});
    CHECK(ashaRungs({1, 1, 10}).empty()); // no halving without a factor
}

TEST_CASE("A trial's rank at an epoch: ties by index, diverged losses last", "[search]")
{
    const std::vector<TrialCurve> trials{curve({0.5, kNaN}), curve({0.4, 0.3}), curve({0.5}), curve({kInf}), curve({0.2, 0.2})};
    int64_t reached = 0;
    CHECK(rankAtEpoch(trials, 4, 1, &reached) == 0);
    CHECK(reached == 5);
    CHECK(rankAtEpoch(trials, 1, 1, nullptr) == 1);
    CHECK(rankAtEpoch(trials, 0, 1, nullptr) == 2); // ties with trial 2, ranks first by index
    CHECK(rankAtEpoch(trials, 2, 1, nullptr) == 3);
    CHECK(rankAtEpoch(trials, 3, 1, nullptr) == 4);
    CHECK(rankAtEpoch(trials, 0, 2, &reached) == 2); // NaN after 0.2 and 0.3
    CHECK(reached == 3);
    CHECK(rankAtEpoch(trials, 2, 2, &reached) == -1); // never got there
    CHECK(reached == 3);
}

// The hand-worked example: 7 trials of 9 epochs, r = 1, eta = 3, so the rungs are 1 and 3. The
// losses arrive in this order (n: trials that reached the rung; top: floor(n / 3) go on):
//
//  step  event                 rung  n  top  ranks at the rung (loss)                decision
//  1     T0 epoch 1: 0.50      1     1  0    T0                                      T0 pauses;        promotion: none
//  2     T1 epoch 1: 0.40      1     2  0    T1 T0                                   T1 pauses;        promotion: none
//  3     T2 epoch 1: 0.60      1     3  1    T1 T0 T2                                T2 pauses;        promotion: T1 (rank 0 of 3 at rung 1)
//  4     T1 epoch 2: 0.30      -                                                     T1 goes on (no rung)
//        T1 epoch 3: 0.25      3     1  0    T1                                      T1 pauses;        promotion: none
//  5     T3 epoch 1: 0.30      1     4  1    T3 T1 T0 T2                             T3 goes on
//        T3 epoch 2: 0.25      -                                                     T3 goes on
//        T3 epoch 3: 0.20      3     2  0    T3 T1                                   T3 pauses;        promotion: none
//  6     T4 epoch 1: 0.45      1     5  1    T3 T1 T4 T0 T2                          T4 pauses;        promotion: none
//  7     T5 epoch 1: 0.70      1     6  2    T3 T1 T4 T0 T2 T5                       T5 pauses;        promotion: none (T4 is 3rd; T3, T1 went on)
//  8     T6 epoch 1: 0.42      1     7  2    T3 T1 T6 T4 T0 T2 T5                    T6 pauses;        promotion: none
//  9     no trial left to start, none running: draining
//                              3     2  0->1 T3 T1                                   promotion: T3 (without draining: none)
//  10    T3 epochs 4..9        -                                                     T3 goes on, finishes
//        draining              3     2  1    T3 (finished) T1                        promotion: none; the search is over
TEST_CASE("ASHA pauses and promotes as the hand-worked example does", "[search]")
{
    AshaRun run;
    run.options = {1, 3, 9};
    run.trials.resize(7);
    // 1-3
    CHECK_FALSE(run.report(0, 0.50));
    CHECK(run.promote(false) == -1);
    CHECK_FALSE(run.report(1, 0.40));
    CHECK(run.promote(false) == -1);
    CHECK_FALSE(run.report(2, 0.60));
    CHECK(run.promote(false) == 1);
    // 4
    CHECK(run.report(1, 0.30));
    CHECK_FALSE(run.report(1, 0.25));
    CHECK(run.promote(false) == -1);
    // 5
    CHECK(run.report(3, 0.30));
    CHECK(run.report(3, 0.25));
    CHECK_FALSE(run.report(3, 0.20));
    CHECK(run.promote(false) == -1);
    // 6-8
    CHECK_FALSE(run.report(4, 0.45));
    CHECK(run.promote(false) == -1);
    CHECK_FALSE(run.report(5, 0.70));
    CHECK(run.promote(false) == -1);
    CHECK_FALSE(run.report(6, 0.42));
    CHECK(run.promote(false) == -1);
    for (size_t i = 0; i < 7; ++i) {
        INFO("T" << i);
        CHECK(run.trials[i].paused);
    }
    // 9: draining promotes the best at rung 3 though floor(2 / 3) is 0.
    CHECK(ashaPromotion(run.options, run.trials, false) == -1);
    CHECK(run.promote(true) == 3);
    // 10
    for (double loss : {0.19, 0.18, 0.17, 0.16, 0.15, 0.14})
        CHECK(run.report(3, loss));
    CHECK(run.trials[3].finished);
    CHECK(run.promote(true) == -1);
}

TEST_CASE("ASHA never promotes a diverged trial and goes on between rungs", "[search]")
{
    AshaOptions options{1, 2, 8}; // rungs 1, 2, 4
    std::vector<TrialCurve> trials{curve({kNaN}), curve({0.9}), curve({0.8, 0.7, 0.6})};
    trials[0].paused = true;
    trials[1].paused = true;
    CHECK(ashaContinues(options, trials, 2, 3)); // 3 is no rung
    // Rung 1: n = 3, top 1: trial 2 (0.8) is first and went on; trial 1 is second.
    CHECK(ashaPromotion(options, trials, false) == -1);
    trials.push_back(curve({1.0}));
    trials.back().paused = true;
    // n = 4, top 2: trial 1 now qualifies.
    CHECK(ashaPromotion(options, trials, false) == 1);

    // Draining, a lone trial at a rung is promoted, unless its loss diverged there.
    std::vector<TrialCurve> lone{curve({0.5})};
    lone[0].paused = true;
    CHECK(ashaPromotion(options, lone, false) == -1);
    CHECK(ashaPromotion(options, lone, true) == 0);
    lone[0].validLoss[0] = kNaN;
    CHECK(ashaPromotion(options, lone, true) == -1);
}

TEST_CASE("The median rule prunes a trial worse than the others' median, after warm-up and startup", "[search]")
{
    MedianOptions options;
    options.warmupEpochs = 1;
    options.startupTrials = 3;
    std::vector<TrialCurve> trials{curve({1.0, 1.0}), curve({2.0, 2.0}), curve({3.0, 3.0}), curve({9.0, 2.5}),
                                   curve({0.1, 1.5})};
    // Epoch 1 is warm-up: even the worst trial goes on.
    CHECK_FALSE(medianPrunes(options, trials, 3, 1));
    // Epoch 2: others of trial 3 are 1, 2, 3, 1.5: median 1.75; 2.5 is worse.
    CHECK(medianPrunes(options, trials, 3, 2));
    // Trial 4 (1.5) against 1, 2, 3, 2.5: median 2.25.
    CHECK_FALSE(medianPrunes(options, trials, 4, 2));
    // Trial 1 (2.0) against 1, 3, 2.5, 1.5: median 2.0, not worse: equal goes on.
    CHECK_FALSE(medianPrunes(options, trials, 1, 2));
    // A diverged loss is worse than any median.
    trials.push_back(curve({1.0, kNaN}));
    CHECK(medianPrunes(options, trials, 5, 2));

    // Startup: with two other trials at the epoch nothing is pruned.
    const std::vector<TrialCurve> few{curve({1.0, 1.0}), curve({2.0, 2.0}), curve({5.0, 5.0}), curve({0.5})};
    CHECK_FALSE(medianPrunes(options, few, 2, 2));
    options.startupTrials = 2;
    CHECK(medianPrunes(options, few, 2, 2));
    CHECK_FALSE(medianPrunes(options, few, 2, 3)); // not reached
}
