#include "train/EarlyStopping.h"

#include <cmath>
#include <cstdio>

namespace mnist {

bool EarlyStopping::add(const EpochMetrics& m)
{
    // A NaN loss never improves (the trainer refuses one anyway); the first finite loss always does.
    const bool improved = std::isfinite(m.validLoss) && (!m_any || m.validLoss < m_best - m_minDelta);
    if (improved) {
        m_any = true;
        m_best = m.validLoss;
        m_bestEpoch = m.epoch;
        m_sinceBest = 0;
    } else {
        ++m_sinceBest;
    }
    return triggered();
}

EarlyStop earlyStopAt(const std::vector<EpochMetrics>& epochs, int64_t patience, double minDelta)
{
    EarlyStopping rule(patience, minDelta);
    for (const EpochMetrics& m : epochs)
        if (rule.add(m))
            return {m.epoch, rule.bestEpoch()};
    return {};
}

std::string describeEarlyStop(const EarlyStop& stop, int64_t patience, double minDelta)
{
    char delta[32];
    std::snprintf(delta, sizeof delta, "%g", minDelta);
    return "early stopping ended the run after epoch " + std::to_string(stop.epoch) + ": no valid loss below epoch " +
           std::to_string(stop.bestEpoch) + "'s by more than " + delta + " for " + std::to_string(patience) +
           (patience == 1 ? " epoch" : " epochs");
}

} // namespace mnist
