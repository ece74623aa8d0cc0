#include "window/RunController.h"

#include "window/TrainingWorker.h"

#include <QThread>

namespace studio {

RunController::RunController(QObject* parent) : QObject(parent)
{
    registerMetaTypes();
}

RunController::~RunController()
{
    stopAndJoin();
}

void RunController::start(const mnist::TrainConfig& config, const QString& runsFolder, const QString& resumeDir)
{
    if (m_thread)
        return;
    m_lastSummary = RunSummary{};
    m_paused = false;
    m_thread = new QThread(this);
    m_thread->setObjectName(QStringLiteral("trainingThread"));
    auto* worker = new TrainingWorker(config, runsFolder);
    if (!resumeDir.isEmpty())
        worker->setResumeFolder(resumeDir);
    worker->moveToThread(m_thread);
    m_worker = worker;

    connect(m_thread, &QThread::started, worker, &TrainingWorker::run);
    connect(worker, &TrainingWorker::runFolderReady, this, &RunController::runFolderReady);
    connect(worker, &TrainingWorker::historyRestored, this, &RunController::historyRestored);
    connect(worker, &TrainingWorker::dataLoading, this, &RunController::dataLoading);
    connect(worker, &TrainingWorker::runStarted, this, &RunController::runStarted);
    connect(worker, &TrainingWorker::iterationsReady, this, &RunController::iterationsReady);
    connect(worker, &TrainingWorker::testPredictionsReady, this, &RunController::testPredictionsReady);
    connect(worker, &TrainingWorker::epochFinished, this, &RunController::epochFinished);
    connect(worker, &TrainingWorker::failed, this, &RunController::failed);
    connect(worker, &TrainingWorker::finished, this, [this](const RunSummary& s) {
        m_lastSummary = s;
        Q_EMIT finished(s);
    });
    // Direct: quit() is thread-safe, and a queued call could not run while the GUI thread waits
    // for the thread in stopAndJoin().
    connect(worker, &TrainingWorker::finished, m_thread, &QThread::quit, Qt::DirectConnection);
    connect(m_thread, &QThread::finished, worker, &QObject::deleteLater);
    connect(m_thread, &QThread::finished, this, &RunController::onThreadFinished);
    m_thread->start();
    Q_EMIT started();
}

void RunController::setPaused(bool paused)
{
    if (!m_worker || paused == m_paused)
        return;
    m_paused = paused;
    m_worker->setPaused(paused);
    Q_EMIT pausedChanged(paused);
}

void RunController::requestStop()
{
    if (m_worker)
        m_worker->requestStop();
}

void RunController::onThreadFinished()
{
    if (!m_thread)
        return; // already joined by stopAndJoin()
    m_thread->wait();
    m_thread->deleteLater();
    m_thread = nullptr;
    m_paused = false;
    Q_EMIT stopped();
}

void RunController::stopAndJoin()
{
    if (!m_thread)
        return;
    if (m_worker)
        m_worker->requestStop();
    m_thread->wait();
    QThread* thread = m_thread;
    m_thread = nullptr;
    thread->disconnect(this);
    delete thread;
    m_paused = false;
}

} // namespace studio
