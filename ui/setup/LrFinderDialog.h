#pragma once
// The LR range test of the set-up (the core's train/LrFinder.h) in a dialog: the test runs off the
// GUI thread with a progress bar and Cancel, then the smoothed loss is drawn against the LR on a
// log axis with the suggestion marked. "Use suggested" (Enter) or a click on the chart picks an
// LR; Esc closes.
#include "spec/TrainConfig.h"

#include <QDialog>

#include <memory>

class QChart;
class QChartView;
class QLabel;
class QLineSeries;
class QLogValueAxis;
class QProgressBar;
class QPushButton;
class QScatterSeries;
class QTimer;
class QValueAxis;

namespace studio {

class LrFinderDialog : public QDialog {
    Q_OBJECT
public:
    // Starts the test of `config` at once; `maxIterations` 0 trains up to one epoch.
    explicit LrFinderDialog(const mnist::TrainConfig& config, qint64 maxIterations = 0, QWidget* parent = nullptr);
    // Stops the test and waits for it: nothing outlives the dialog.
    ~LrFinderDialog() override;

    bool isRunning() const;
    // The suggested LR once the test has ended with one; 0 before.
    double suggestedLr() const { return m_suggested; }
    int pointCount() const;
    // The set-up field the chosen LR goes into ("lr", or "scheduler.max_lr" for one-cycle).
    QString targetField() const { return m_targetField; }
    QString statusText() const;
    QChartView* chartView() const { return m_view; }

    // Picks `lr` (clamped to the tested range), as a click on the chart does: emits lrChosen()
    // and closes the dialog.
    void chooseLr(double lr);

public Q_SLOTS:
    void reject() override; // Cancel / Esc: stops a running test first

Q_SIGNALS:
    // The test ended (finished, diverged, stopped or failed) and its curve is drawn.
    void testEnded();
    void lrChosen(double lr);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    struct Test;
    void finish();
    void showCurve();

    std::unique_ptr<Test> m_test;
    QString m_targetField;
    double m_suggested = 0;
    QString m_status;

    QLabel* m_statusLabel = nullptr;
    QProgressBar* m_progress = nullptr;
    QChart* m_chart = nullptr;
    QChartView* m_view = nullptr;
    QLineSeries* m_curve = nullptr;
    QScatterSeries* m_mark = nullptr;
    QLogValueAxis* m_x = nullptr;
    QValueAxis* m_y = nullptr;
    QPushButton* m_use = nullptr;
    QPushButton* m_cancel = nullptr;
    QTimer* m_poll = nullptr;
};

} // namespace studio
