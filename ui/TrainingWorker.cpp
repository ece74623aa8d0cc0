#include "TrainingWorker.h"

#include "CoreBridge.h"
#include "Error.h"
#include "data/Dataset.h"
#include "io/Checkpoint.h"
#include "io/RunFolder.h"
#include "optim/LrScheduler.h"
#include "train/Trainer.h"

#include <QDir>
#include <QFileInfo>
#include <QElapsedTimer>
#include <QThread>

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

int TrainingWorker::automaticThreads()
{
    return std::max(1, QThread::idealThreadCount() - 1);
}

void TrainingWorker::run()
{
    RunSummary summary;
    WorkerObserver observer(*this);
    // "All cores" leaves one to the window: the GUI thread (and the display server) drawing the
    // charts next to a full OpenMP team makes small networks several times slower on few cores.
    if (m_config.threads == 0)
        m_config.threads = automaticThreads();
    bool recording = false; // a run folder exists, so an error after this point leaves a resumable run
    // Nothing may escape into Qt's event loop: every error becomes failed().
    try {
        mnist::Trainer trainer(m_config); // validates and checks the device before loading data
        const std::string folder = mnist::resolveDataDir(m_config);
        Q_EMIT dataLoading(QString::fromStdString(folder));
        mnist::DataSplits data;
        try {
            data = mnist::loadSplits(folder, m_config.trainFraction);
        } catch (const mnist::DataError& e) {
            throw mnist::DataError(explainDataProblem(m_config, e.what()));
        }
        if (m_stop.stopRequested()) {
            summary.stopped = true;
            Q_EMIT finished(summary);
            return;
        }

        std::unique_ptr<mnist::RunFolder> record;
        std::unique_ptr<mnist::RunRecorder> recorder;
        if (!m_resumeFolder.isEmpty()) {
            // As mnist-train --resume does: the checkpoint decides where the run goes on from.
            const std::string dir = m_resumeFolder.toStdString();
            const std::string checkpoint = dir + "/checkpoint.pt";
            const mnist::CheckpointState saved = mnist::readCheckpointSummary(checkpoint);
            if (saved.epoch >= m_config.epochs)
                throw mnist::ConfigError(dir + " already finished " + std::to_string(saved.epoch) + " of its " +
                                         std::to_string(m_config.epochs) + " epochs: nothing to resume");
            record = std::make_unique<mnist::RunFolder>(dir, m_config, mnist::RunFolder::Mode::Resume);
            const int64_t iters = mnist::iterationsPerEpoch(data.train.size(), m_config.batchSize);
            const std::vector<double> lrs = mnist::lrSequence(m_config.scheduler, m_config.lr, iters * m_config.epochs, saved.step);
            record->rewriteHistory(saved.metrics, lrs);
            trainer.setResumeCheckpoint(checkpoint);
            trainer.setCheckpointDir(dir);
            recorder = std::make_unique<mnist::RunRecorder>(*record, &observer);
            Q_EMIT runFolderReady(m_resumeFolder);
            Q_EMIT historyRestored(QVector<mnist::EpochMetrics>(saved.metrics.begin(), saved.metrics.end()),
                                   QVector<double>(lrs.begin(), lrs.end()));
        } else if (!m_runFolder.isEmpty()) {
            const QString base = QDir(m_runFolder).filePath(QString::fromStdString(mnist::defaultRunName(m_config.arch)));
            QString dir = base;
            for (int k = 2; QFileInfo::exists(dir); ++k)
                dir = base + QLatin1Char('-') + QString::number(k);
            record = std::make_unique<mnist::RunFolder>(dir.toStdString(), m_config);
            trainer.setCheckpointDir(dir.toStdString());
            recorder = std::make_unique<mnist::RunRecorder>(*record, &observer);
            Q_EMIT runFolderReady(dir);
        }
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
        if (record && !result.epochs.empty() && result.model)
            record->writeModel(*result.model);

        summary.stopped = result.stopped;
        summary.epochsDone = static_cast<int64_t>(result.epochs.size());
        summary.bestTestAccuracy = result.bestTestAccuracy;
        summary.bestEpoch = result.bestEpoch;
        summary.finalTestAccuracy = result.finalTestAccuracy;
        summary.trainImagesPerSecond = result.trainImagesPerSecond;
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
