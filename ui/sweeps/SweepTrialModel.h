#pragma once
// The Sweeps tab's trials, one row per trial of the plan (keyed by its index): its run folder's
// name, settings, seed, state (a failure's or damage's cause as the tooltip, in the problem
// colour; "pruned at epoch 3" and "diverged at epoch 2" from the search's results), epochs done
// of planned, and its honest accuracy.
#include "shared/KeyedTableModel.h"

#include <vector>

namespace mnist {
struct SweepReading;
struct TrialResult;
}

namespace studio {

class SweepTrialModel : public KeyedTableModel {
    Q_OBJECT
public:
    explicit SweepTrialModel(QObject* parent = nullptr);

    // The trials of `sweep`, in plan order; `results` (the summary's, by trial index; may be
    // empty) name the trials the pruner stopped and those that diverged.
    void setSweep(const mnist::SweepReading& sweep, const std::vector<mnist::TrialResult>& results = {});
};

} // namespace studio
