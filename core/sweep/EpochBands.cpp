#include "sweep/EpochBands.h"

#include <cmath>
#include <map>

namespace mnist {

std::vector<EpochBand> epochBands(const std::vector<const std::vector<EpochMetrics>*>& runs,
                                  double EpochMetrics::*figure)
{
    std::map<int64_t, std::vector<double>> byEpoch;
    for (const std::vector<EpochMetrics>* run : runs) {
        if (run == nullptr)
            continue;
        for (const EpochMetrics& m : *run)
            if (std::isfinite(m.*figure))
                byEpoch[m.epoch].push_back(m.*figure);
    }
    std::vector<EpochBand> bands;
    bands.reserve(byEpoch.size());
    for (const auto& [epoch, values] : byEpoch)
        bands.push_back(EpochBand{epoch, spreadOf(values)});
    return bands;
}

} // namespace mnist
