#pragma once
// Several recorded runs on one chart: test accuracy (solid, right axis) and valid loss (dashed,
// log scale, left axis) per epoch, one colour per run, the legend naming the runs. Grouped by a
// setting, one colour per value of it instead: the group's mean accuracy with its min-max band
// and its mean valid loss, the legend naming the group and its number of runs.
#include "run/RunIndex.h"

#include <QStringList>
#include <QWidget>

#include <vector>

class QChart;
class QChartView;
class QLogValueAxis;
class QValueAxis;

namespace studio {

class RunComparisonChart : public QWidget {
    Q_OBJECT
public:
    explicit RunComparisonChart(QWidget* parent = nullptr);

    // Replaces the runs shown; damaged runs and runs without a finished epoch are left out.
    void setRuns(const std::vector<mnist::RunRecord>& runs);

    // Groups the runs by the value of a setting (a key of spec/ConfigDiff.h, e.g. "arch"): per
    // epoch the mean and min-max over the group's runs that reached it; "" draws every run.
    void setGroupBy(const QString& key);
    QString groupBy() const { return m_groupBy; }

    // The run names (or "arch=LeNet (3 runs)" per group) the legend shows, in order.
    QStringList legendNames() const;
    // Series drawn: two per run (accuracy and valid loss), three per group (band, mean accuracy,
    // mean valid loss).
    int seriesCount() const;

    QChart* chart() const;
    QChartView* chartView() const { return m_view; }

    // The colour of the n-th run (0-based); repeats after ten.
    static QColor runColor(int n);

private:
    void redraw();

    std::vector<mnist::RunRecord> m_runs;
    QString m_groupBy;
    QChartView* m_view = nullptr;
    QValueAxis* m_epochAxis = nullptr;
    QLogValueAxis* m_lossAxis = nullptr;
    QValueAxis* m_accuracyAxis = nullptr;
};

} // namespace studio
