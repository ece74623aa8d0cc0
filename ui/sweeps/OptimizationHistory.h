#pragma once
// The optimization history of a sweep (as Optuna's plot_optimization_history): each trial's
// objective (its last epoch's valid loss) against when it got there, a marker per trial coloured
// by its state (diverged ones at the top edge, as a triangle: +inf cannot be plotted), and the
// best finished trial so far as a step line. Time in minutes once the sweep is long; a log y axis
// when the losses span more than a decade.
#include "sweeps/TrialChart.h"

namespace studio {

class OptimizationHistory : public TrialChart {
    Q_OBJECT
public:
    explicit OptimizationHistory(QWidget* parent = nullptr);

    static QString bestSeriesName();

protected:
    void fill() override;
};

} // namespace studio
