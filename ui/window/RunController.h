#pragma once
// The run in progress: owns its QThread and TrainingWorker, starts, pauses, stops and joins it,
// and re-emits the worker's signals so that views connect to one object that outlives each run
// (qBittorrent's TorrentCreator pattern: long work off the GUI thread, success or failure signals).
#include "window/MetaTypes.h"
#include "shared/RunSummary.h"
#include "spec/TrainConfig.h"

#include <QObject>
#include <QPointer>
#include <QString>
#include <QVector>

#include <memory>

class QThread;

namespace studio {

class TrainingWorker;

class RunController : public QObject {
    Q_OBJECT
public:
    explicit RunController(QObject* parent = nullptr);
    ~RunController() override; // stops and joins a run still going

    bool isRunning() const { return m_thread != nullptr; }
    bool isPaused() const { return m_paused; }
    // How the last run ended (default-constructed before any run ends).
    const RunSummary& lastSummary() const { return m_lastSummary; }

    // Starts a run of `config` recorded under `runsFolder` (empty: not recorded), or continues the
    // run in `resumeDir` when given. Ignored while a run is going.
    void start(const mnist::TrainConfig& config, const QString& runsFolder, const QString& resumeDir = {});
    void setPaused(bool paused);
    // Asks the run to stop after the current iteration; finished() follows.
    void requestStop();
    // Stops the run and waits for its thread; for closing the window.
    void stopAndJoin();

Q_SIGNALS:
    void started();
    void runFolderReady(const QString& dir);
    void historyRestored(const QVector<mnist::EpochMetrics>& epochs, const QVector<double>& lrPerIteration);
    void dataLoading(const QString& folder);
    void runStarted(const mnist::RunInfo& info);
    void iterationsReady(const QVector<mnist::IterationPoint>& points);
    void testPredictionsReady(qint64 epoch, const std::shared_ptr<const mnist::TestPredictions>& predictions);
    void epochFinished(const mnist::EpochMetrics& metrics);
    void failed(const QString& message);
    // The worker's last word, on the GUI thread; the thread may still be winding down.
    void finished(const studio::RunSummary& summary);
    // The thread has ended: isRunning() is false from here on.
    void stopped();
    void pausedChanged(bool paused);

private:
    void onThreadFinished();

    QThread* m_thread = nullptr;
    QPointer<TrainingWorker> m_worker;
    RunSummary m_lastSummary;
    bool m_paused = false;
};

} // namespace studio
