#include "window/DownloadDialog.h"

#include "window/DataDownloader.h"
#include "shared/StatusStyle.h"
#include "shared/NumberFormat.h"

#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>

namespace studio {

QString formatBytes(qint64 bytes)
{
    if (bytes < 1000)
        return QStringLiteral("%1 B").arg(bytes);
    if (bytes < 1000 * 1000)
        return formatReal(static_cast<double>(bytes) / 1e3, 1) + QStringLiteral(" kB");
    return formatReal(static_cast<double>(bytes) / 1e6, 1) + QStringLiteral(" MB");
}

DownloadDialog::DownloadDialog(DataDownloader* downloader, QWidget* parent) : QDialog(parent), m_downloader(downloader)
{
    setObjectName(QStringLiteral("downloadDialog"));
    const DatasetSource& source = downloader->source();
    setWindowTitle(tr("Downloading %1").arg(source.title));
    setMinimumWidth(520);
    auto* layout = new QVBoxLayout(this);
    auto* into = new QLabel(tr("Into %1").arg(downloader->targetDir()), this);
    into->setWordWrap(true);
    into->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(into);
    m_file = new QLabel(this);
    m_file->setObjectName(QStringLiteral("downloadFile"));
    m_file->setWordWrap(true);
    layout->addWidget(m_file);
    m_fileBar = new QProgressBar(this);
    m_fileBar->setObjectName(QStringLiteral("downloadFileBar"));
    layout->addWidget(m_fileBar);
    layout->addWidget(new QLabel(tr("All %1 files:").arg(source.files.size()), this));
    m_totalBar = new QProgressBar(this);
    m_totalBar->setObjectName(QStringLiteral("downloadTotalBar"));
    // Per mille of the expected total: QProgressBar's int range cannot hold bytes of big files.
    m_totalBar->setRange(0, 1000);
    layout->addWidget(m_totalBar);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("downloadStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_status);
    m_log = new QPlainTextEdit(this);
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(200);
    m_log->setFixedHeight(90);
    m_log->hide(); // shown when a mirror fails
    layout->addWidget(m_log);
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setObjectName(QStringLiteral("downloadCancel"));
    layout->addWidget(m_cancel, 0, Qt::AlignRight);
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        if (m_downloader->state() == DataDownloader::State::Running)
            m_downloader->cancel();
        else
            done(m_downloader->state() == DataDownloader::State::Finished ? QDialog::Accepted : QDialog::Rejected);
    });

    const qint64 total = std::max<qint64>(1, source.totalBytes());
    connect(downloader, &DataDownloader::fileStarted, this, [this, total](int index, const QString& name, const QString& url) {
        m_file->setText(tr("File %1 of %2: %3\nfrom %4").arg(index + 1).arg(m_downloader->source().files.size()).arg(name, url));
        m_fileBar->setRange(0, 0);
        m_totalBar->setValue(static_cast<int>(std::min<qint64>(1000, 1000 * m_downloader->bytesDone() / total)));
    });
    connect(downloader, &DataDownloader::progress, this, [this, total](int index, qint64 received, qint64 fileTotal) {
        const qint64 expected = fileTotal > 0 ? fileTotal : m_downloader->source().files.value(index).size;
        if (expected > 0) {
            m_fileBar->setRange(0, 1000);
            m_fileBar->setValue(static_cast<int>(std::min<qint64>(1000, 1000 * received / expected)));
        }
        m_status->setText(tr("%1 of %2").arg(formatBytes(received), expected > 0 ? formatBytes(expected) : tr("unknown size")));
        m_totalBar->setValue(static_cast<int>(std::min<qint64>(1000, 1000 * m_downloader->bytesDone() / total)));
    });
    connect(downloader, &DataDownloader::mirrorFailed, this, [this](const QString& url, const QString& reason) {
        m_log->show();
        m_log->appendPlainText(tr("%1: %2").arg(url, reason));
    });
    connect(downloader, &DataDownloader::finished, this, &DownloadDialog::onFinished);
}

void DownloadDialog::onFinished(bool ok)
{
    m_fileBar->setRange(0, 1000);
    if (ok) {
        m_fileBar->setValue(1000);
        m_totalBar->setValue(1000);
        m_status->setText(tr("%1 is ready in %2.").arg(m_downloader->source().title, m_downloader->targetDir()));
        m_cancel->setText(tr("Close"));
        accept(); // nothing left to read: the caller goes on
        return;
    }
    markProblem(m_status, true);
    m_status->setText(m_downloader->state() == DataDownloader::State::Cancelled
                          ? tr("Cancelled: no partial file was kept.")
                          : tr("The download failed; no partial file was kept.\n%1").arg(m_downloader->errorText()));
    m_cancel->setText(tr("Close"));
}

QString DownloadDialog::statusText() const
{
    return m_status->text();
}

QString DownloadDialog::fileText() const
{
    return m_file->text();
}

} // namespace studio
