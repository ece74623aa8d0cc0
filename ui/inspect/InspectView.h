#pragma once
// The Inspect tab: a look inside a run's network. For one test image (chosen by index): the image
// and its saliency map (|d logit / d input|, in red), the predicted probabilities, the first
// convolution's filters, and the activation maps of every layer with a spatial output (click one
// to enlarge it). From the run's layers.csv: each layer's weight or gradient norm per epoch (log
// scale), and a histogram of one layer's weights at one epoch. Works for any network, on a
// finished run (model.safetensors) or one in progress (best.safetensors, refreshed each epoch).
// Inspection runs on the thread pool; the window never waits on it.
#include "shared/CoreBridge.h"
#include "train/TrainingObserver.h"

#include <QFutureWatcher>
#include <QWidget>

#include <cstdint>
#include <vector>

class QChart;
class QChartView;
class QComboBox;
class QGridLayout;
class QLabel;
class QPushButton;
class QSpinBox;
class QVBoxLayout;

namespace studio {

template <class T>
struct CallOutcome;

class InspectView : public QWidget {
    Q_OBJECT
public:
    explicit InspectView(QWidget* parent = nullptr);
    ~InspectView() override;

    // The run to inspect (empty: none). Reads its layers.csv now and inspects the image when the
    // tab is visible (or at once with `inspectNow`).
    void setRun(const QString& dir, bool inspectNow = false);
    const QString& run() const { return m_dir; }
    // A finished epoch of the shown run: its statistics and its weights again, now when the tab is
    // visible, else when it is next shown.
    void runAdvanced();

    // A test image by index, or -1: the drawn digit given to setDrawnImage().
    void setImageIndex(int index);
    int imageIndex() const;
    // A preprocessed 28 x 28 digit from the Draw a digit tab (bytes, 0 = background). It becomes
    // image -1 ("drawn digit" in the index field, one step below test image 0) and is chosen.
    void setDrawnImage(const std::vector<uint8_t>& pixels);
    void inspect();

    QString statusText() const;
    const InspectResult* result() const { return m_hasResult ? &m_result : nullptr; }
    // As last read: a hidden tab reads a grown layers.csv again when it is shown.
    const std::vector<mnist::EpochLayerStats>& layerStats() const { return m_stats; }
    QChart* layerChart() const;
    QChart* histogramChart() const;
    QLabel* enlargedMap() const { return m_enlarged; }

Q_SIGNALS:
    void inspected(bool ok);

protected:
    void showEvent(QShowEvent* event) override;

private:
    void buildUi();
    void onInspected();
    void showResult();
    void reloadStats();
    void fillLayerChart();
    void fillHistogram();
    void enlarge(const InspectPicture& picture, const QString& caption);

    QString m_dir;
    QString m_inspectedDir; // the run the inspection in flight is of
    QSpinBox* m_index = nullptr;
    QPushButton* m_inspect = nullptr;
    QLabel* m_status = nullptr;
    QLabel* m_image = nullptr;
    QLabel* m_saliency = nullptr;
    QLabel* m_probabilities = nullptr;
    QLabel* m_filtersTitle = nullptr;
    QGridLayout* m_filters = nullptr;
    QVBoxLayout* m_maps = nullptr;
    QLabel* m_enlarged = nullptr;
    QLabel* m_enlargedCaption = nullptr;
    QComboBox* m_quantity = nullptr;
    QChartView* m_layerChart = nullptr;
    QComboBox* m_histogramLayer = nullptr;
    QSpinBox* m_histogramEpoch = nullptr;
    QChartView* m_histogramChart = nullptr;

    QFutureWatcher<CallOutcome<InspectResult>>* m_watcher = nullptr;
    bool m_pending = false; // another inspection asked for while one runs
    bool m_stale = true;    // the shown maps are not of the current run, weights and image
    bool m_statsStale = false; // layers.csv grew while the tab was hidden
    bool m_hasResult = false;
    InspectResult m_result;
    std::vector<uint8_t> m_drawn; // empty until a digit is drawn and sent here
    std::vector<mnist::EpochLayerStats> m_stats;
    QString m_statsProblem;
};

} // namespace studio
