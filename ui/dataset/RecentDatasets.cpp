#include "dataset/RecentDatasets.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>

namespace studio {

namespace {
const char* const kGroup = "recentDatasets";
}

QVector<DatasetChoice> recentDatasets()
{
    QSettings settings;
    QVector<DatasetChoice> out;
    const int n = settings.beginReadArray(QLatin1String(kGroup));
    for (int i = 0; i < n; ++i) {
        settings.setArrayIndex(i);
        DatasetChoice c{settings.value(QStringLiteral("kind")).toString(),
                        settings.value(QStringLiteral("path")).toString()};
        if (!c.kind.isEmpty() && !c.path.isEmpty() && !out.contains(c))
            out.append(c);
    }
    settings.endArray();
    return out;
}

void rememberDataset(const DatasetChoice& choice)
{
    QVector<DatasetChoice> list = recentDatasets();
    list.removeAll(choice);
    list.prepend(choice);
    if (list.size() > kMaxRecentDatasets)
        list.resize(kMaxRecentDatasets);
    QSettings settings;
    settings.remove(QLatin1String(kGroup));
    settings.beginWriteArray(QLatin1String(kGroup), static_cast<int>(list.size()));
    for (int i = 0; i < list.size(); ++i) {
        settings.setArrayIndex(i);
        settings.setValue(QStringLiteral("kind"), list[i].kind);
        settings.setValue(QStringLiteral("path"), list[i].path);
    }
    settings.endArray();
}

QString describeChoice(const DatasetChoice& choice)
{
    return QStringLiteral("%1 (%2) — %3")
        .arg(QFileInfo(choice.path).fileName(), choice.kind, QDir::toNativeSeparators(choice.path));
}

} // namespace studio
