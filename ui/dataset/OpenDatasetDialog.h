#pragma once
// File ▸ Open dataset…: a folder (image classes, IDX files, an EMNIST release) or a CSV file, its
// kind detected from what it holds (mnist::detectDataKind) or picked by hand when that cannot be
// told, and the datasets opened before, to pick again.
#include "dataset/RecentDatasets.h"

#include <QDialog>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QListWidget;

namespace studio {

class OpenDatasetDialog : public QDialog {
    Q_OBJECT
public:
    // `recent`: the datasets opened before, offered in a list (recentDatasets()).
    explicit OpenDatasetDialog(const QVector<DatasetChoice>& recent, QWidget* parent = nullptr);

    void setPath(const QString& path);
    QString path() const;
    // The kind picked, else the detected one; empty when neither (OK is then off).
    QString kind() const;
    QString detectedKind() const { return m_detected; }
    DatasetChoice choice() const { return {kind(), path()}; }

    QLineEdit* pathEdit() const { return m_path; }
    QComboBox* kindBox() const { return m_kind; }
    QListWidget* recentList() const { return m_recent; }

private:
    void detect();
    void updateOk();

    QString m_detected;
    QLineEdit* m_path = nullptr;
    QComboBox* m_kind = nullptr;
    QLabel* m_detectedLabel = nullptr;
    QListWidget* m_recent = nullptr;
    QDialogButtonBox* m_buttons = nullptr;
};

} // namespace studio
