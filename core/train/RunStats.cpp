#include "train/RunStats.h"

#include <cmath>

namespace mnist {
namespace {

// `a` beats the best so far `b`: strictly better (so ties keep the first epoch), or a number where
// `b` was NaN (which compares false with everything and would otherwise stick).
bool beats(double a, double b, bool higherIsBetter)
{
    if (std::isnan(b))
        return !std::isnan(a);
    return higherIsBetter ? a > b : a < b;
}

} // namespace

RunStats computeRunStats(const std::vector<EpochMetrics>& epochs)
{
    RunStats s;
    const EpochMetrics* best = nullptr;
    const EpochMetrics* bestValid = nullptr;
    for (const EpochMetrics& m : epochs) {
        if (!best || beats(m.testAccuracy, best->testAccuracy, true))
            best = &m;
        if (!bestValid || beats(m.validLoss, bestValid->validLoss, false))
            bestValid = &m;
        s.seconds += m.seconds;
    }
    if (best) {
        s.bestEpoch = best->epoch;
        s.bestTestAccuracy = best->testAccuracy;
    }
    if (bestValid) {
        s.bestValidEpoch = bestValid->epoch;
        s.testAccuracyAtBestValid = bestValid->testAccuracy;
        s.bestValidLoss = bestValid->validLoss;
    }
    if (!epochs.empty())
        s.finalTestAccuracy = epochs.back().testAccuracy;
    return s;
}

} // namespace mnist
