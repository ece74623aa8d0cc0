#pragma once
// Several recorded runs on one chart: test accuracy (solid, right axis) and valid loss (dashed,
// log scale, left axis) per epoch, one colour per run, the legend naming the runs.
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

    // The run names the legend shows, in order.
    QStringList legendNames() const;
    // Series drawn: two per run (accuracy and valid loss).
    int seriesCount() const;

    QChart* chart() const;
    QChartView* chartView() const { return m_view; }

    // The colour of the n-th run (0-based); repeats after ten.
    static QColor runColor(int n);

private:
    QChartView* m_view = nullptr;
    QValueAxis* m_epochAxis = nullptr;
    QLogValueAxis* m_lossAxis = nullptr;
    QValueAxis* m_accuracyAxis = nullptr;
};

} // namespace studio
