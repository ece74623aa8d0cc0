#pragma once
// Downloads MNIST or Fashion-MNIST into a folder: the four .gz files one after another, each from
// the first mirror that delivers it whole (HTTP 200, the announced length, torchvision's MD5, and
// a gzip stream that inflates to a complete IDX file). Each file is written as NAME.part and
// renamed only once verified; a failure, a cancel or a bad file removes the .part. The files are
// kept gzipped: the MD5s stay checkable, they take 11 MB instead of 55 MB, and the core reads .gz.
#include <QByteArray>
#include <QCryptographicHash>
#include <QFile>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <QVector>

#include <memory>

class QNetworkAccessManager;
class QNetworkReply;

namespace studio {

struct DownloadFile {
    QString name;   // e.g. "train-images-idx3-ubyte.gz", appended to a mirror's URL
    QByteArray md5; // lower-case hex; empty: not checked (the gzip/IDX check still applies)
    qint64 size = 0; // expected bytes, for the progress display before the server says
};

struct DatasetSource {
    QString dataset;     // "mnist" or "fashion-mnist"
    QString title;       // "MNIST"
    QStringList mirrors; // base URLs ending in '/', tried in order
    QVector<DownloadFile> files;
    qint64 totalBytes() const;
};

// torchvision's mirrors and MD5s for "mnist" or "fashion-mnist" (empty mirrors for any other
// name). $MNIST_STUDIO_MIRROR_URL, when set, replaces the mirrors (the checksums stay).
DatasetSource standardSource(const QString& dataset);

class DataDownloader : public QObject {
    Q_OBJECT
public:
    enum class State { Idle, Running, Finished, Failed, Cancelled };

    // Downloads `source` into `targetDir` (created when missing) when start() is called.
    DataDownloader(DatasetSource source, QString targetDir, QObject* parent = nullptr);
    ~DataDownloader() override;

    void start();
    // Aborts the transfer in progress; finished(false) follows with state() Cancelled.
    void cancel();

    State state() const { return m_state; }
    // Why it failed, per mirror tried ("…: HTTP 404 Not Found"; "checksum mismatch"; "truncated");
    // "Cancelled." after cancel().
    QString errorText() const { return m_error; }
    const DatasetSource& source() const { return m_source; }
    QString targetDir() const { return m_targetDir; }
    int currentFile() const { return m_fileIndex; }
    QString currentUrl() const { return m_url; }
    qint64 bytesDone() const { return m_doneBytes + m_received; } // over all files so far

    // Gives up on a mirror that sends nothing for this long (default 30 s).
    void setStallTimeout(int ms) { m_stallTimeoutMs = ms; }

Q_SIGNALS:
    void fileStarted(int index, const QString& name, const QString& url);
    void progress(int fileIndex, qint64 received, qint64 total); // total -1: unknown
    // A mirror failed for one file; the next is tried when there is one.
    void mirrorFailed(const QString& url, const QString& reason);
    void finished(bool ok);

private:
    struct Inflater;
    void nextFile();
    void tryMirror();
    void onReadyRead();
    void consume(QNetworkReply* reply);
    void onReplyFinished();
    // Ends the current attempt: removes the .part; returns the reason for the error text.
    void dropPart();
    void fail(const QString& reason, State state = State::Failed);
    QString checkComplete(qint64 announced);

    DatasetSource m_source;
    QString m_targetDir;
    QNetworkAccessManager* m_net = nullptr;
    QPointer<QNetworkReply> m_reply;
    State m_state = State::Idle;
    QString m_error;
    QStringList m_mirrorErrors; // of the current file
    int m_fileIndex = -1;
    int m_mirrorIndex = 0;
    QString m_url;
    QFile m_part;
    QCryptographicHash m_md5{QCryptographicHash::Md5};
    std::unique_ptr<Inflater> m_inflater;
    qint64 m_received = 0;
    qint64 m_doneBytes = 0;
    bool m_cancelled = false;
    int m_stallTimeoutMs = 30000;
};

} // namespace studio
