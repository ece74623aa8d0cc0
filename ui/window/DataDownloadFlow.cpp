#include "window/DataDownloadFlow.h"

#include "window/DataDownloader.h"
#include "window/DownloadDialog.h"

#include "data/DataLocations.h"

#include <QDir>
#include <QFileDialog>
#include <QMessageBox>
#include <QObject>
#include <QPushButton>
#include <QUrl>

namespace studio {

bool dataMissing(const mnist::TrainConfig& c)
{
    if (!c.dataDir.empty() || (c.dataset != "mnist" && c.dataset != "fashion-mnist"))
        return false;
    return !mnist::hasIdxFiles(mnist::resolveDataDir(c));
}

DataOffer offerDataDownload(const QString& dataset, QWidget* parent)
{
    const DatasetSource source = standardSource(dataset);
    const QString target = QString::fromStdString(mnist::userDatasetDir(dataset.toStdString()));
    QMessageBox box(QMessageBox::Question, QObject::tr("%1 is missing").arg(source.title),
                    QObject::tr("%1 is not on this computer.").arg(source.title), QMessageBox::NoButton, parent);
    box.setObjectName(QStringLiteral("dataMissingDialog"));
    box.setInformativeText(QObject::tr("Download it (%1) from %2 into %3, or choose a folder that holds its four IDX files "
                                       "(train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, "
                                       "t10k-labels-idx1-ubyte; plain or .gz).")
                               .arg(formatBytes(source.totalBytes()), QUrl(source.mirrors.value(0)).host(), target));
    QPushButton* download =
        box.addButton(QObject::tr("Download (%1)").arg(formatBytes(source.totalBytes())), QMessageBox::AcceptRole);
    download->setObjectName(QStringLiteral("dataDownloadButton"));
    download->setEnabled(!source.mirrors.isEmpty());
    QPushButton* choose = box.addButton(QObject::tr("Choose folder…"), QMessageBox::ActionRole);
    choose->setObjectName(QStringLiteral("dataChooseFolderButton"));
    box.addButton(QMessageBox::Cancel);
    box.setDefaultButton(download);
    box.exec();

    DataOffer out;
    if (box.clickedButton() == download) {
        DataDownloader downloader(source, target);
        DownloadDialog dialog(&downloader, parent);
        downloader.start();
        if (downloader.state() == DataDownloader::State::Running)
            dialog.exec();
        if (downloader.state() == DataDownloader::State::Finished) {
            out.outcome = DataOffer::Outcome::Downloaded;
            out.folder = target;
            out.message = QObject::tr("%1 downloaded into %2").arg(source.title, target);
        } else if (downloader.state() == DataDownloader::State::Failed) {
            out.outcome = DataOffer::Outcome::Failed;
            out.message = QObject::tr("%1 could not be downloaded. %2").arg(source.title, downloader.errorText());
        } else {
            out.message = QObject::tr("Download cancelled");
        }
        return out;
    }
    if (box.clickedButton() == choose) {
        const QString dir = QFileDialog::getExistingDirectory(parent, QObject::tr("Folder with %1").arg(source.title));
        if (dir.isEmpty())
            return out;
        if (!mnist::hasIdxFiles(dir.toStdString())) {
            out.outcome = DataOffer::Outcome::Failed;
            out.message = QObject::tr("%1 does not hold the four IDX files of %2.").arg(dir, source.title);
            return out;
        }
        out.outcome = DataOffer::Outcome::FolderChosen;
        out.folder = QDir(dir).absolutePath();
    }
    return out;
}

} // namespace studio
