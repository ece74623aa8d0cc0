#pragma once
// What a dataset holds before anything is trained on it: its name, format, image size and
// channels, the train/valid/test split sizes a run would use, images per class as a bar chart, a
// few sample images of every class, and each file that could not be read with the reason. The
// source is read on the thread pool (a large image folder takes seconds); the view shows the
// progress, never freezes the window, and shows an unreadable source's error in place.
#include "data/DataSource.h"

#include <QFutureWatcher>
#include <QImage>
#include <QString>
#include <QTimer>
#include <QWidget>

#include <mutex>
#include <string>
#include <memory>
#include <vector>

class QLabel;
class QProgressBar;
class QTableWidget;

class QChart;
class QChartView;

namespace studio {

class DatasetView : public QWidget {
    Q_OBJECT
public:
    // Sample images shown per class.
    static constexpr int SamplesPerClass = 4;

    explicit DatasetView(QWidget* parent = nullptr);
    ~DatasetView() override;

    // Reads `location` as `kind` (data/DataSource.h) and shows it; splits as `trainFraction` says,
    // resizes every image as `imageSize` does (the set-up's image_size: "", "N" or "HxW"). A newer
    // call supersedes a running one.
    void open(const QString& kind, const QString& location, double trainFraction = 0.8,
              const QString& imageSize = QString());

    bool isLoading() const { return m_watcher.isRunning(); }
    // The last source read; null before one or after an error.
    const mnist::DatasetDescription* description() const { return m_description.get(); }
    QString statusText() const;
    QString summaryText() const;
    QTableWidget* sampleTable() const { return m_samples; }
    QTableWidget* problemTable() const { return m_problems; }
    QChart* classChart() const { return m_chart; }
    // The sample image at (class, k), null when there is none.
    QImage sampleImage(int label, int k) const;

Q_SIGNALS:
    // A read finished: ok, or the status line says why not.
    void loaded(bool ok);

private:
    struct Outcome {
        bool ok = false;
        QString error;
        std::shared_ptr<const mnist::DatasetDescription> description;
        std::vector<std::vector<QImage>> samples; // by class
        bool fromCache = false;
    };
    struct Request {
        QString kind, location;
        double trainFraction = 0.8;
        QString imageSize;
    };
    void start(const Request& request);
    void onFinished();
    void present(const Outcome& out);
    void clearViews();
    void showProgress();

    QFutureWatcher<Outcome> m_watcher;
    std::unique_ptr<Request> m_pending;
    // What the reader reports from its thread; the GUI thread reads it on a timer, so the reader
    // never touches a widget (nor a view that may be gone).
    struct Progress {
        std::mutex mutex;
        std::string what;
        int64_t done = 0, total = 0;
    };
    std::shared_ptr<Progress> m_progressState;
    QTimer m_progressTimer;
    std::shared_ptr<const mnist::DatasetDescription> m_description;
    std::vector<std::vector<QImage>> m_sampleImages;

    QLabel* m_status = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_summary = nullptr;
    QChart* m_chart = nullptr;
    QChartView* m_chartView = nullptr;
    QTableWidget* m_samples = nullptr;
    QTableWidget* m_problems = nullptr;
};

} // namespace studio
