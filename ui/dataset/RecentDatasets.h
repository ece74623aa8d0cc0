#pragma once
// The datasets opened with File ▸ Open dataset…, newest first, kept in the application's settings
// (QSettings) so that they are offered again after a restart.
#include <QString>
#include <QVector>

namespace studio {

struct DatasetChoice {
    QString kind; // data/DataSource.h's kinds
    QString path;
    bool operator==(const DatasetChoice& o) const { return kind == o.kind && path == o.path; }
};

// At most this many are kept.
constexpr int kMaxRecentDatasets = 10;

QVector<DatasetChoice> recentDatasets();
// Puts `choice` first (once), dropping the oldest beyond kMaxRecentDatasets.
void rememberDataset(const DatasetChoice& choice);
// "mnist-like (kind) — /path", for menus and lists.
QString describeChoice(const DatasetChoice& choice);

} // namespace studio
