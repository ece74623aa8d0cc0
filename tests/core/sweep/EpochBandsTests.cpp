#include "sweep/EpochBands.h"

#include <catch2/catch.hpp>

#include <limits>
#include <vector>

namespace {

std::vector<mnist::EpochMetrics> accuracies(const std::vector<double>& values)
{
    std::vector<mnist::EpochMetrics> epochs;
    for (size_t i = 0; i < values.size(); ++i) {
        mnist::EpochMetrics m;
        m.epoch = static_cast<int64_t>(i + 1);
        m.testAccuracy = values[i];
        m.validLoss = 0.1 * static_cast<double>(i + 1);
        epochs.push_back(m);
    }
    return epochs;
}

} // namespace

TEST_CASE("Epoch bands pool each epoch over the runs that reached it", "[sweep][bands]")
{
    const auto a = accuracies({90, 95, 97});
    const auto b = accuracies({92, 96});
    const auto c = accuracies({94, 99, 98});
    const auto bands = mnist::epochBands({&a, &b, &c, nullptr}, &mnist::EpochMetrics::testAccuracy);
    REQUIRE(bands.size() == 3);
    CHECK(bands[0].epoch == 1);
    CHECK(bands[0].spread.n == 3);
    CHECK(bands[0].spread.mean == Approx(92));
    CHECK(bands[0].spread.min == 90);
    CHECK(bands[0].spread.max == 94);
    CHECK(bands[1].spread.mean == Approx((95.0 + 96.0 + 99.0) / 3));
    CHECK(bands[1].spread.min == 95);
    CHECK(bands[1].spread.max == 99);
    // b stopped after two epochs: the third is the other two runs' alone.
    CHECK(bands[2].epoch == 3);
    CHECK(bands[2].spread.n == 2);
    CHECK(bands[2].spread.mean == Approx(97.5));
    CHECK(bands[2].spread.min == 97);
    CHECK(bands[2].spread.max == 98);

    const auto loss = mnist::epochBands({&a}, &mnist::EpochMetrics::validLoss);
    REQUIRE(loss.size() == 3);
    CHECK(loss[2].spread.mean == Approx(0.3));
    CHECK(loss[2].spread.min == loss[2].spread.max);
}

TEST_CASE("Epoch bands leave out non-finite values and return nothing for no runs", "[sweep][bands]")
{
    auto a = accuracies({90, 95});
    a[1].testAccuracy = std::numeric_limits<double>::quiet_NaN();
    const auto b = accuracies({92});
    const auto bands = mnist::epochBands({&a, &b}, &mnist::EpochMetrics::testAccuracy);
    // Epoch 2's only value is NaN: no band there rather than a NaN mean.
    REQUIRE(bands.size() == 1);
    CHECK(bands[0].spread.mean == Approx(91));
    CHECK(mnist::epochBands({}, &mnist::EpochMetrics::testAccuracy).empty());
}
