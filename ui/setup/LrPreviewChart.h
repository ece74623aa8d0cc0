#pragma once
// The learning rate of every planned iteration (epochs x iterations per epoch), from the same
// core function as `mnist-train --print-lr-schedule`, redrawn whenever the set-up changes.
#include "spec/TrainConfig.h"

#include <QChartView>

#include <cstdint>

class QLineSeries;
class QValueAxis;

namespace studio {

class LrPreviewChart : public QChartView {
    Q_OBJECT
public:
    // At most this many points are drawn, however long the run.
    static constexpr int kMaxDrawnPoints = 2000;
    // Longer schedules are sampled (lrAt at kMaxDrawnPoints steps) instead of computed in full.
    static constexpr int64_t kMaxComputedSteps = 2'000'000;

    explicit LrPreviewChart(QWidget* parent = nullptr);

    // Recomputes the preview for the config's training images (see nominalTrainSize()).
    void setConfig(const mnist::TrainConfig& config);

    int64_t plannedIterations() const { return m_planned; }
    int64_t iterationsPerEpoch() const { return m_iterationsPerEpoch; }
    int drawnPointCount() const;
    // Why nothing is drawn (an invalid schedule), or empty.
    const QString& problem() const { return m_problem; }

private:
    void recompute();

    mnist::TrainConfig m_config;
    int64_t m_planned = 0;
    int64_t m_iterationsPerEpoch = 0;
    QString m_problem;
    QChart* m_chart = nullptr;
    QLineSeries* m_series = nullptr;
    QValueAxis* m_x = nullptr;
    QValueAxis* m_y = nullptr;
};

} // namespace studio
