#pragma once
// File ▸ Export report…: the core's HTML report of runs (core/report/RunsReport.h), written on
// the thread pool, since it evaluates each run's weights on its test set.
#include "shared/BackgroundCall.h"

#include "report/RunsReport.h"

#include <QFutureWatcher>
#include <QObject>
#include <QStringList>

namespace studio {

class ReportExport : public QObject {
    Q_OBJECT
public:
    explicit ReportExport(QObject* parent = nullptr);
    ~ReportExport() override; // waits for a report being written

    // Writes the report of `runDirs` to `path` in the background, evaluating with `machine`'s
    // device and threads (each run's own data). False, and nothing started, while one is being
    // written.
    bool start(const QStringList& runDirs, const QString& path, const mnist::TrainConfig& machine);
    bool isBusy() const;

Q_SIGNALS:
    // `error` is empty when the report was written; `notes` say what it lacks per run.
    void finished(const QString& path, const QStringList& notes, const QString& error);

private:
    QFutureWatcher<CallOutcome<mnist::RunsReportResult>> m_watcher;
    QString m_path;
};

} // namespace studio
