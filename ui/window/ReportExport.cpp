#include "window/ReportExport.h"

#include <QCoreApplication>
#include <QDir>

namespace studio {

ReportExport::ReportExport(QObject* parent) : QObject(parent)
{
    connect(&m_watcher, &QFutureWatcher<CallOutcome<mnist::RunsReportResult>>::finished, this, [this] {
        const CallOutcome<mnist::RunsReportResult> out = m_watcher.result();
        QStringList notes;
        for (const std::string& note : out.value.notes)
            notes << QString::fromStdString(note);
        Q_EMIT finished(m_path, notes, out.ok ? QString() : out.error);
    });
}

ReportExport::~ReportExport()
{
    m_watcher.waitForFinished();
}

bool ReportExport::isBusy() const
{
    return m_watcher.isRunning();
}

bool ReportExport::start(const QStringList& runDirs, const QString& path, const mnist::TrainConfig& machine)
{
    if (isBusy())
        return false;
    mnist::RunsReportRequest request;
    for (const QString& dir : runDirs)
        request.runDirs.push_back(QDir(dir).absolutePath().toStdString());
    request.outPath = path.toStdString();
    mnist::TrainConfig settings = machine;
    settings.dataDir.clear(); // the set-up's data is not the runs'
    request.machine = settings;
    request.version = QCoreApplication::applicationVersion().toStdString();
    m_path = path;
    m_watcher.setFuture(runInBackground([request] { return mnist::writeRunsReport(request); }));
    return true;
}

} // namespace studio
