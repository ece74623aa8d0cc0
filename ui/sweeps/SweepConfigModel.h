#pragma once
// The Sweeps tab's configurations, one row per configuration (keyed by its number), seeds pooled:
// the varying settings, then the honest accuracy's mean, std, the finished seeds, min and max, the
// best accuracy and the seconds. Numbers are numbers (a sorted column sorts by value), rounded
// as shown, with more decimals in the tooltip; a figure without a finished run is empty.
#include "shared/KeyedTableModel.h"

namespace mnist {
struct SweepSummary;
}

namespace studio {

class SweepConfigModel : public KeyedTableModel {
    Q_OBJECT
public:
    // data(index, RankRole): the configuration's place in the summary (0: the best).
    static constexpr int RankRole = KeyRole + 1;

    explicit SweepConfigModel(QObject* parent = nullptr);

    // Rows in configuration order; the summary's ranking as RankRole.
    void setSummary(const mnist::SweepSummary& summary);
};

} // namespace studio
