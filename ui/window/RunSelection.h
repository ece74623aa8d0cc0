#pragma once
// Which runs the views are about, in one place (as Tiled's DocumentManager says which document is
// current): the run being recorded now, the latest run of this session (recorded, resumed or
// opened), and the ones selected in the Runs tab. Views subscribe to its signals.
#include <QObject>
#include <QString>
#include <QStringList>

namespace studio {

class RunSelection : public QObject {
    Q_OBJECT
public:
    explicit RunSelection(QObject* parent = nullptr) : QObject(parent) {}

    // The folder the run in progress records to; empty when none is (or it is not recorded).
    const QString& currentRun() const { return m_current; }
    // The folder of the latest run of this session; empty before the first.
    const QString& latestRun() const { return m_latest; }
    // The run folders selected in the Runs tab.
    const QStringList& selectedRuns() const { return m_selected; }
    // The run whose model the views use: the one recording now, else the latest.
    const QString& modelRun() const { return m_current.isEmpty() ? m_latest : m_current; }

    // A run starts recording to `dir` (it also becomes the latest).
    void setCurrentRun(const QString& dir);
    // The run in progress ended; it stays the latest.
    void clearCurrentRun();
    // A recorded run was opened on the dashboard.
    void setLatestRun(const QString& dir);
    void setSelectedRuns(const QStringList& dirs);

Q_SIGNALS:
    void currentRunChanged(const QString& dir);
    void latestRunChanged(const QString& dir);
    void selectedRunsChanged(const QStringList& dirs);

private:
    QString m_current;
    QString m_latest;
    QStringList m_selected;
};

} // namespace studio
