#include "window/RunSelection.h"

namespace studio {

void RunSelection::setCurrentRun(const QString& dir)
{
    setLatestRun(dir);
    if (dir == m_current)
        return;
    m_current = dir;
    Q_EMIT currentRunChanged(dir);
}

void RunSelection::clearCurrentRun()
{
    if (m_current.isEmpty())
        return;
    m_current.clear();
    Q_EMIT currentRunChanged(QString());
}

void RunSelection::setLatestRun(const QString& dir)
{
    if (dir == m_latest)
        return;
    m_latest = dir;
    Q_EMIT latestRunChanged(dir);
}

void RunSelection::setSelectedRuns(const QStringList& dirs)
{
    if (dirs == m_selected)
        return;
    m_selected = dirs;
    Q_EMIT selectedRunsChanged(dirs);
}

} // namespace studio
