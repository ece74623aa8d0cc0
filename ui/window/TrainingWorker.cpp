#include "window/TrainingWorker.h"

#include "shared/CoreBridge.h"
#include "Error.h"
#include "data/Dataset.h"
#include "run/RunLifecycle.h"
#include "train/Trainer.h"

#include <QElapsedTimer>

#include <algorithm>

#include <memory>

namespace studio {

// The core's observer on the worker thread: collects iteration points and emits them in batches.
class WorkerObserver : public mnist::TrainingObserver {
public:
    explicit WorkerObserver(TrainingWorker& worker) : m_worker(worker) { m_sinceEmit.start(); }

    void onRunStarted(const mnist::RunInfo& info) override
    {
        m_pending.reserve(static_cast<int>(std::min<int64_t>(info.iterationsPerEpoch, 4096)));
        Q_EMIT m_worker.runStarted(info);
    }

    void onIteration(const mnist::IterationPoint& p) override
    {
        m_pending.push_back(p);
        // A pause blocks the trainer before the next iteration: hand over what is there first.
        if (m_sinceEmit.elapsed() >= m_worker.m_minBatchIntervalMs || m_worker.m_stop.paused())
            flush();
    }

    // The evaluation tab follows the run epoch by epoch from the trainer's own test pass.
    bool wantsTestPredictions() const override { return true; }
    void onTestPredictions(int64_t epoch, const mnist::TestPredictions& p) override
    {
        Q_EMIT m_worker.testPredictionsReady(epoch, std::make_shared<const mnist::TestPredictions>(p));
    }

    void onEpoch(const mnist::EpochMetrics& m) override
    {
        // Every point of the epoch reaches the GUI before the epoch's metrics.
        flush();
        Q_EMIT m_worker.epochFinished(m);
    }

    void flush()
    {
        if (m_pending.isEmpty())
            return;
        Q_EMIT m_worker.iterationsReady(m_pending);
        m_pending.clear();
        m_sinceEmit.restart();
    }

private:
    TrainingWorker& m_worker;
    QVector<mnist::IterationPoint> m_pending;
    QElapsedTimer m_sinceEmit;
};

TrainingWorker::TrainingWorker(mnist::TrainConfig config, QString runFolder, int minBatchIntervalMs, QObject* parent)
    : QObject(parent), m_config(std::move(config)), m_runFolder(std::move(runFolder)),
      m_minBatchIntervalMs(minBatchIntervalMs)
{
    registerMetaTypes();
}

void TrainingWorker::requestStop()
{
    m_stop.requestStop();
}

void TrainingWorker::setPaused(bool paused)
{
    m_stop.setPaused(paused);
}

void TrainingWorker::run()
{
    RunSummary summary;
    WorkerObserver observer(*this);
    bool recording = false; // a run folder exists, so an error after this point leaves a resumable run
    // Nothing may escape into Qt's event loop: every error becomes failed().
    try {
        static_cast<void>(mnist::Trainer(m_config)); // validates and checks the device before loading data
        const std::string folder = mnist::resolveDataDir(m_config);
        Q_EMIT dataLoading(QString::fromStdString(folder));
        mnist::DataSplits data;
        try {
            data = mnist::loadData(m_config);
        } catch (const mnist::DataError& e) {
            throw mnist::DataError(explainDataProblem(m_config, e.what()));
        }
        mnist::applyDataShape(m_config, data);
        mnist::Trainer trainer(m_config);
        if (m_stop.stopRequested()) {
            summary.stopped = true;
            Q_EMIT finished(summary);
            return;
        }

        std::unique_ptr<mnist::RunFolder> record;
        if (!m_resumeFolder.isEmpty()) {
            // The same rules as mnist-train --resume: the checkpoint decides where the run goes on from.
            const mnist::ResumePlan plan = mnist::planResume(m_resumeFolder.toStdString(), m_config, data.train.size());
            record = mnist::resumeRecording(plan, m_config, trainer);
            Q_EMIT runFolderReady(m_resumeFolder);
            Q_EMIT historyRestored(QVector<mnist::EpochMetrics>(plan.saved.metrics.begin(), plan.saved.metrics.end()),
                                   QVector<double>(plan.lrPerIteration.begin(), plan.lrPerIteration.end()));
        } else if (!m_runFolder.isEmpty()) {
            const std::string dir = mnist::uniqueRunDir(m_runFolder.toStdString(), m_config.arch);
            record = mnist::startRecording(dir, m_config, trainer);
            Q_EMIT runFolderReady(QString::fromStdString(dir));
        }
        std::unique_ptr<mnist::RunRecorder> recorder;
        if (record)
            recorder = std::make_unique<mnist::RunRecorder>(*record, &observer);
        recording = record != nullptr;
        mnist::TrainingObserver& sink = recorder ? static_cast<mnist::TrainingObserver&>(*recorder) : observer;

        mnist::TrainResult result;
        try {
            result = trainer.run(data, sink, m_stop);
        } catch (...) {
            observer.flush(); // the points before the failure are still worth showing
            throw;
        }
        observer.flush();
        if (record)
            mnist::finishRecording(*record, m_config, result);

        summary.stopped = result.stopped;
        summary.epochsDone = static_cast<int64_t>(result.epochs.size());
        summary.finalTestAccuracy = result.stats.finalTestAccuracy;
        if (result.earlyStop.happened())
            summary.earlyStop = QString::fromStdString(
                mnist::describeEarlyStop(result.earlyStop, m_config.earlyStopPatience, m_config.earlyStopMinDelta));
    } catch (const mnist::ConfigError& e) {
        summary.failed = true;
        Q_EMIT failed(QStringLiteral("The set-up cannot be run: %1").arg(QString::fromStdString(e.what())));
    } catch (const mnist::DataError& e) {
        summary.failed = true;
        Q_EMIT failed(QString::fromStdString(e.what()));
    } catch (const mnist::TrainingError& e) {
        summary.failed = true;
        Q_EMIT failed(QStringLiteral("Training stopped: %1").arg(QString::fromStdString(e.what())));
    } catch (const mnist::IoError& e) {
        summary.failed = true;
        Q_EMIT failed(QStringLiteral("The run could not be recorded: %1.%2")
                          .arg(QString::fromStdString(e.what()),
                               recording ? QStringLiteral(" Training stopped; the epochs up to the last checkpoint are kept: "
                                                          "resume the run from the Runs tab once this is fixed.")
                                         : QString()));
    } catch (const std::exception& e) {
        summary.failed = true;
        Q_EMIT failed(QStringLiteral("Training failed: %1").arg(QString::fromStdString(e.what())));
    } catch (...) {
        summary.failed = true;
        Q_EMIT failed(QStringLiteral("Training failed with an unknown error."));
    }
    Q_EMIT finished(summary);
}

} // namespace studio
