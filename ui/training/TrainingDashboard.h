#pragma once
// The live view of a run: per-epoch losses and test accuracy (chart and table), the LR of every
// iteration (current epoch or whole run), the loss of every iteration (raw and smoothed, or its
// min-max envelope) and a progress line. Every point is kept; the charts draw a decimated view and update in place.
#include "training/EpochTableModel.h"
#include "shared/RunSummary.h"
#include "spec/TrainConfig.h"
#include "train/TrainingObserver.h"

#include <QElapsedTimer>
#include <QList>
#include <QPair>
#include <QVector>
#include <QWidget>

class QAreaSeries;
class QChart;
class QChartView;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineSeries;
class QLogValueAxis;
class QProgressBar;
class QTableView;
class QTimer;
class QValueAxis;

namespace studio {

class TrainingDashboard : public QWidget {
    Q_OBJECT
public:
    // At most this many points per series are drawn.
    static constexpr int kMaxDrawnPoints = 2000;
    // The per-iteration charts are redrawn at most every this many ms: on a small machine the
    // GUI thread's drawing competes with the training threads for the cores.
    static constexpr int kRedrawIntervalMs = 1000;
    // The loss envelope's buckets: the run's iterations cut into this many equal runs (fewer while
    // it has fewer iterations), each drawn from its minimum to its maximum loss. A fixed count, so a
    // bucket widens as the run goes on and the band stays a band rather than the raw zig-zag.
    static constexpr int kEnvelopeBuckets = 250;

    // What the loss-per-iteration chart draws: the raw loss and its debiased EMA, the min-max
    // envelope of the raw loss instead, or the envelope and the EMA.
    enum class LossDisplay { Smoothed, Envelope, Both };

    explicit TrainingDashboard(QWidget* parent = nullptr);

    // A new run with this set-up: clears everything.
    void startRun(const mnist::TrainConfig& config);
    void setDataLoading(const QString& folder);
    void setRunInfo(const mnist::RunInfo& info);
    void appendIterations(const QVector<mnist::IterationPoint>& points);
    void appendEpoch(const mnist::EpochMetrics& metrics);
    void setPaused(bool paused);
    void finishRun(const RunSummary& summary);

    // Epochs and per-iteration LRs recorded before this session (a resumed run): shown first, the
    // new points continue after them. Call after startRun(), before the first new point.
    void restoreHistory(const QVector<mnist::EpochMetrics>& epochs, const QVector<double>& lrPerIteration);
    // Shows a recorded run (its metrics.csv and lr.csv) instead of a live one. The loss per
    // iteration is not recorded, so that chart stays empty.
    void showRecordedRun(const QString& name, const mnist::TrainConfig& config, const QVector<mnist::EpochMetrics>& epochs,
                         const QVector<double>& lrPerIteration);

    // Everything received, in order.
    const QVector<mnist::IterationPoint>& iterations() const { return m_points; }
    // LRs of the iterations before this session (restoreHistory(), showRecordedRun()).
    const QVector<double>& historyLr() const { return m_historyLr; }
    const QVector<mnist::EpochMetrics>& epochs() const;
    // The EMA of the iteration losses (TensorBoard's debiased smoothing), one per iteration.
    const QVector<double>& smoothedLoss() const { return m_smoothed; }
    QString progressText() const;

    // What the charts hold (for tests and screenshots).
    int drawnEpochPoints() const;
    int drawnLrPoints() const;
    int drawnLossPoints() const;
    int tableRows() const;
    bool lrShowsWholeRun() const;
    void setLrShowsWholeRun(bool wholeRun);
    LossDisplay lossDisplay() const;
    void setLossDisplay(LossDisplay display);
    // The loss envelope's band (its upper and lower edges: empty unless an envelope is shown) and
    // the smoothed loss's series as drawn.
    QAreaSeries* lossEnvelope() const { return m_lossEnvelope; }
    QLineSeries* smoothedLossSeries() const { return m_lossSmooth; }

    // The charts, for exports.
    QChartView* epochChartView() const { return m_epochView; }
    QChartView* lrChartView() const { return m_lrView; }
    QChartView* lossChartView() const { return m_lossView; }

private:
    QWidget* buildEpochChart();
    QWidget* buildLrChart();
    QWidget* buildLossChart();
    void addEpochRow(const mnist::EpochMetrics& metrics);
    void redrawEpochs();
    void redrawIterations();
    void scheduleIterationRedraw();
    void recomputeSmoothing();
    void showLossSeries();
    void updateProgress();
    void showEpochTip(const QPointF& point, bool state);
    void showIterationTip(const QPointF& point, bool state);
    qint64 activeMs() const;

    mnist::TrainConfig m_config;
    mnist::RunInfo m_info;
    QVector<mnist::IterationPoint> m_points;
    QVector<double> m_historyLr; // iterations 0..size()-1, before m_points
    QVector<double> m_smoothed;
    double m_emaState = 0;
    double m_emaWeight = 0.95;
    int m_epochStart = 0; // index in m_points of the current epoch's first iteration
    EpochTableModel* m_epochModel = nullptr; // the epochs: the table's rows and the charts' points

    enum class State { Idle, Loading, Running, Paused, Finished };
    State m_state = State::Idle;
    QString m_endText;
    QElapsedTimer m_clock;
    qint64 m_pausedMs = 0;
    QElapsedTimer m_pauseClock;
    QList<QPair<qint64, qint64>> m_rateSamples; // (active ms, iterations done)

    QLabel* m_progress = nullptr;
    QProgressBar* m_progressBar = nullptr;
    QTimer* m_tick = nullptr;
    QTimer* m_redrawTimer = nullptr;
    QElapsedTimer m_sinceRedraw;

    QChartView* m_epochView = nullptr;
    QLineSeries* m_trainLoss = nullptr;
    QLineSeries* m_validLoss = nullptr;
    QLineSeries* m_testAccuracy = nullptr;
    QValueAxis* m_epochAxis = nullptr;
    QLogValueAxis* m_trainAxis = nullptr;
    QLogValueAxis* m_validAxis = nullptr;
    QValueAxis* m_accuracyAxis = nullptr;

    QChartView* m_lrView = nullptr;
    QComboBox* m_lrMode = nullptr;
    QLineSeries* m_lrSeries = nullptr;
    QValueAxis* m_lrX = nullptr;
    QValueAxis* m_lrY = nullptr;

    QChartView* m_lossView = nullptr;
    QDoubleSpinBox* m_smoothing = nullptr;
    QComboBox* m_lossDisplay = nullptr;
    QAreaSeries* m_lossEnvelope = nullptr;
    QLineSeries* m_lossRaw = nullptr;
    QLineSeries* m_lossSmooth = nullptr;
    QValueAxis* m_lossX = nullptr;
    QLogValueAxis* m_lossY = nullptr;

    QTableView* m_table = nullptr;
};

} // namespace studio
