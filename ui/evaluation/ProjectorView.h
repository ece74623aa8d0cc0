#pragma once
// The Projector tab: a run's test images as points in 2-D, by PCA or t-SNE of the network's
// penultimate features (inspect/Projection.h), coloured by true class with the misclassified ones
// ringed. Hovering a point shows its image; clicking it opens the image in the Inspect tab. The
// projection runs on the thread pool with a progress bar; Stop (or Esc) ends it.
#include "inspect/Projection.h"
#include "shared/BackgroundCall.h"

#include <QFutureWatcher>
#include <QWidget>

#include <atomic>
#include <memory>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTimer;

namespace studio {

class ProjectionScatter;

class ProjectorView : public QWidget {
    Q_OBJECT
public:
    explicit ProjectorView(QWidget* parent = nullptr);
    ~ProjectorView() override;

    // The run folder to project (empty: none). A new run clears the picture of the last one.
    void setRun(const QString& dir);
    const QString& run() const { return m_dir; }

    // With it on (the window's tab), a run shown without a picture of its own is projected by PCA
    // at once (seconds); t-SNE always waits for Run.
    void setAutoProject(bool on) { m_autoProject = on; }

    void setMethod(mnist::ProjectionMethod method);
    void setImageCount(int count);
    void setPerplexity(double perplexity);
    // Projects the run's first test images as the controls say (Run); stop() ends it (Stop, Esc).
    void start();
    void stop();
    bool isBusy() const { return m_watcher.isRunning(); }

    // The projection shown; nullptr before one.
    const mnist::Projection* projection() const;
    QString statusText() const;
    ProjectionScatter* scatter() const { return m_scatter; }
    QProgressBar* progressBar() const { return m_progress; }
    QPushButton* runButton() const { return m_run; }
    QPushButton* stopButton() const { return m_stop; }

Q_SIGNALS:
    // After every projection (ok = false: it failed or was stopped; the status line says which).
    void projected(bool ok);
    // A point was clicked: inspect test image `imageIndex` of run `runDir`.
    void inspectRequested(const QString& runDir, int imageIndex);

protected:
    void keyPressEvent(QKeyEvent* event) override;
    void showEvent(QShowEvent* event) override;

private:
    // What the pool thread and the window share while a projection runs.
    struct Shared {
        mnist::StopToken stop;
        std::atomic<int64_t> done{0};
        std::atomic<int64_t> total{0};
        std::atomic<bool> tsne{false}; // the t-SNE step (else the features)
    };
    struct Outcome {
        mnist::Projection projection;
        std::string dataset;
    };
    void buildUi();
    void onFinished();
    void showProgress();
    void showStatus(const QString& text, bool problem);
    void updateControls();
    void projectIfWanted();

    QString m_dir;
    bool m_autoProject = false;
    QString m_projectedDir; // the run of the projection in flight or shown
    std::shared_ptr<Shared> m_shared;
    QFutureWatcher<CallOutcome<Outcome>> m_watcher;
    QTimer* m_progressTimer = nullptr;
    std::shared_ptr<const mnist::Projection> m_projection;

    QComboBox* m_method = nullptr;
    QSpinBox* m_count = nullptr;
    QDoubleSpinBox* m_perplexity = nullptr;
    QPushButton* m_run = nullptr;
    QPushButton* m_stop = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_status = nullptr;
    ProjectionScatter* m_scatter = nullptr;
};

} // namespace studio
