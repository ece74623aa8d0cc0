#pragma once
// The Sweeps tab's trials, one row per trial of the plan (keyed by its index): its run folder's
// name, settings, seed, state (a failure's or damage's cause as the tooltip, in the problem
// colour), epochs done of planned, and its honest accuracy.
#include "shared/KeyedTableModel.h"

namespace mnist {
struct SweepReading;
}

namespace studio {

class SweepTrialModel : public KeyedTableModel {
    Q_OBJECT
public:
    explicit SweepTrialModel(QObject* parent = nullptr);

    // The trials of `sweep`, in plan order.
    void setSweep(const mnist::SweepReading& sweep);
};

} // namespace studio
