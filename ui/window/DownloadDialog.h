#pragma once
// The progress of a dataset download: the file being fetched and from where, its bytes and the
// whole download's, mirrors that failed, and Cancel (Close once it has ended). The dialog owns
// nothing but its widgets; the downloader may be shared with whoever started it.
#include <QDialog>

class QLabel;
class QProgressBar;
class QPushButton;
class QPlainTextEdit;

namespace studio {

class DataDownloader;

class DownloadDialog : public QDialog {
    Q_OBJECT
public:
    // Shows `downloader`'s progress; start() it after (or before) constructing the dialog.
    explicit DownloadDialog(DataDownloader* downloader, QWidget* parent = nullptr);

    QString statusText() const;
    QString fileText() const;
    QPushButton* cancelButton() const { return m_cancel; }
    QProgressBar* fileBar() const { return m_fileBar; }
    QProgressBar* totalBar() const { return m_totalBar; }

private:
    void onFinished(bool ok);

    DataDownloader* m_downloader;
    QLabel* m_file = nullptr;
    QLabel* m_status = nullptr;
    QProgressBar* m_fileBar = nullptr;
    QProgressBar* m_totalBar = nullptr;
    QPlainTextEdit* m_log = nullptr;
    QPushButton* m_cancel = nullptr;
};

// "12.3 MB"-style sizes for the download texts (decimal units, as the servers count).
QString formatBytes(qint64 bytes);

} // namespace studio
