#pragma once
// One slice plot (as Optuna's plot_slice): every trial's objective against its value of one
// setting, coloured by state, diverged trials at the top edge. The x axis is logarithmic when the
// values are all positive and span more than two decades; text values (and switches) are placed
// evenly, sorted, each labelled.
#include "sweeps/TrialChart.h"

#include <QStringList>

namespace studio {

class SliceChart : public TrialChart {
    Q_OBJECT
public:
    explicit SliceChart(const QString& setting, QWidget* parent = nullptr);

    const QString& setting() const { return m_setting; }
    // The text values along a categorical x axis (empty for a numeric one).
    const QStringList& categories() const { return m_categories; }

protected:
    void fill() override;

private:
    QString m_setting;
    QStringList m_categories;
};

} // namespace studio
