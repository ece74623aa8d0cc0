#pragma once
// Intermediate values (as Optuna's plot_intermediate_values): every trial's valid loss per epoch
// as a line coloured by its state, a pruned trial's line ending at its rung with a square marker,
// ASHA's rungs as dashed vertical lines, and the best trial's line drawn thick on top.
#include "sweeps/TrialChart.h"

namespace studio {

class IntermediateValues : public TrialChart {
    Q_OBJECT
public:
    explicit IntermediateValues(QWidget* parent = nullptr);

    // The trial drawn thick: the finished trial with the lowest objective (else any trial's
    // lowest); -1 when none has an epoch.
    int bestTrial() const { return m_best; }
    static QString prunedEndsName();  // the series of the pruned trials' end markers
    static QString rungSeriesName(int64_t epoch); // a rung's guide line

protected:
    void fill() override;

private:
    int m_best = -1;
};

} // namespace studio
