#pragma once
// Runs one training run on the thread it is moved to and re-emits the core's observer events as
// queued Qt signals. Iteration points are handed over in batches, at most ~30 a second, and none
// is dropped; the GUI thread never waits on the run.
#include "window/MetaTypes.h"
#include "train/StopToken.h"
#include "spec/TrainConfig.h"

#include <QObject>
#include <QString>
#include <QVector>

namespace studio {

class TrainingWorker : public QObject {
    Q_OBJECT
public:
    // `runFolder`: where to record the run (config.json, metrics.csv, lr.csv, the model); empty
    // records nothing. `minBatchIntervalMs`: the shortest time between two iterationsReady().
    explicit TrainingWorker(mnist::TrainConfig config, QString runFolder = {}, int minBatchIntervalMs = 100,
                            QObject* parent = nullptr);

    // Thread-safe; may be called from any thread while run() executes.
    void requestStop();
    void setPaused(bool paused);

    // Continue the run recorded in `runDir` from its checkpoint.pt instead of starting a new one
    // (the config must be that run's, possibly with more epochs); the folder's CSV files are cut
    // back to the checkpoint and grow from there. Call before run().
    void setResumeFolder(const QString& runDir) { m_resumeFolder = runDir; }

public Q_SLOTS:
    // Loads the data and trains; returns when the run ends. Emits finished() last, always.
    void run();

Q_SIGNALS:
    void dataLoading(const QString& folder);
    void runStarted(const mnist::RunInfo& info);
    // The folder this run is recorded in (a new one, or the resumed one).
    void runFolderReady(const QString& dir);
    // A resumed run's earlier epochs and the LR of each iteration they covered, before runStarted().
    void historyRestored(const QVector<mnist::EpochMetrics>& epochs, const QVector<double>& lrPerIteration);
    void iterationsReady(const QVector<mnist::IterationPoint>& points);
    // The test set's per-image predictions after `epoch`, just before epochFinished().
    void testPredictionsReady(qint64 epoch, const std::shared_ptr<const mnist::TestPredictions>& predictions);
    void epochFinished(const mnist::EpochMetrics& metrics);
    void failed(const QString& message);
    void finished(const studio::RunSummary& summary);

private:
    friend class WorkerObserver;

    mnist::TrainConfig m_config;
    QString m_runFolder;
    QString m_resumeFolder;
    int m_minBatchIntervalMs;
    mnist::StopToken m_stop;
};

} // namespace studio
