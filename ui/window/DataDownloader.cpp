#include "window/DataDownloader.h"

#include <QDir>
#include <QFileInfo>
#include <QLocale>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QUrl>

#include <zlib.h>

#include <array>

namespace studio {

// Inflates the download as it arrives, keeping only the IDX header and a byte count: a complete
// gzip stream of a complete IDX file is checked without holding 47 MB in memory.
struct DataDownloader::Inflater {
    z_stream z{};
    bool ok = true;
    bool ended = false;
    QByteArray header; // the first 16 inflated bytes
    quint64 inflated = 0;

    Inflater() { ok = inflateInit2(&z, 16 + MAX_WBITS) == Z_OK; } // 16: gzip wrapper
    ~Inflater() { inflateEnd(&z); }

    void feed(const QByteArray& data)
    {
        if (!ok || ended || data.isEmpty())
            return;
        std::array<unsigned char, 64 * 1024> out{};
        z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.constData()));
        z.avail_in = static_cast<uInt>(data.size());
        while (z.avail_in > 0 && !ended) {
            z.next_out = out.data();
            z.avail_out = static_cast<uInt>(out.size());
            const int rc = inflate(&z, Z_NO_FLUSH);
            const auto produced = static_cast<int>(out.size() - z.avail_out);
            if (header.size() < 16)
                header.append(reinterpret_cast<const char*>(out.data()), std::min<int>(produced, 16 - static_cast<int>(header.size())));
            inflated += static_cast<quint64>(produced);
            if (rc == Z_STREAM_END)
                ended = true;
            else if (rc != Z_OK && rc != Z_BUF_ERROR) {
                ok = false;
                return;
            } else if (rc == Z_BUF_ERROR && produced == 0)
                break;
        }
    }

    // Empty when the stream ended and holds exactly the bytes its IDX header announces.
    QString problem() const
    {
        if (!ok)
            return QStringLiteral("not a valid gzip file");
        if (!ended)
            return QStringLiteral("the gzip stream is incomplete (truncated)");
        auto be32 = [this](int at) {
            quint32 v = 0;
            for (int i = 0; i < 4; ++i)
                v = (v << 8) | static_cast<unsigned char>(header[at + i]);
            return v;
        };
        if (header.size() < 8)
            return QStringLiteral("too short for an IDX file");
        const quint32 magic = be32(0);
        quint64 expected = 0;
        if (magic == 0x00000801)
            expected = 8 + static_cast<quint64>(be32(4));
        else if (magic == 0x00000803 && header.size() >= 16)
            expected = 16 + static_cast<quint64>(be32(4)) * be32(8) * be32(12);
        else
            return QStringLiteral("not an IDX file (magic number %1)").arg(magic, 8, 16, QLatin1Char('0'));
        if (inflated != expected)
            return QStringLiteral("the IDX data holds %1 bytes, its header announces %2").arg(inflated).arg(expected);
        return {};
    }
};

qint64 DatasetSource::totalBytes() const
{
    qint64 n = 0;
    for (const auto& f : files)
        n += f.size;
    return n;
}

DatasetSource standardSource(const QString& dataset)
{
    DatasetSource s;
    s.dataset = dataset;
    // Names, sizes and MD5s of the four files as torchvision's datasets/mnist.py lists them.
    if (dataset == QLatin1String("mnist")) {
        s.title = QStringLiteral("MNIST");
        s.mirrors = {QStringLiteral("https://ossci-datasets.s3.amazonaws.com/mnist/"), QStringLiteral("http://yann.lecun.com/exdb/mnist/")};
        s.files = {{QStringLiteral("train-images-idx3-ubyte.gz"), "f68b3c2dcbeaaa9fbdd348bbdeb94873", 9912422},
                   {QStringLiteral("train-labels-idx1-ubyte.gz"), "d53e105ee54ea40749a09fcbcd1e9432", 28881},
                   {QStringLiteral("t10k-images-idx3-ubyte.gz"), "9fb629c4189551a2d022fa330f9573f3", 1648877},
                   {QStringLiteral("t10k-labels-idx1-ubyte.gz"), "ec29112dd5afa0611ce80d1b7f02629c", 4542}};
    } else if (dataset == QLatin1String("fashion-mnist")) {
        s.title = QStringLiteral("Fashion-MNIST");
        s.mirrors = {QStringLiteral("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/")};
        s.files = {{QStringLiteral("train-images-idx3-ubyte.gz"), "8d4fb7e6c68d591d4c3dfef9ec88bf0d", 26421880},
                   {QStringLiteral("train-labels-idx1-ubyte.gz"), "25c81989df183df01b3e8a0aad5dffbe", 29515},
                   {QStringLiteral("t10k-images-idx3-ubyte.gz"), "bef4ecab320f06d8554ea6380940ec79", 4422102},
                   {QStringLiteral("t10k-labels-idx1-ubyte.gz"), "bb300cfdad3c16e7a12a480ee83cd310", 5148}};
    } else {
        s.title = dataset;
    }
    const QString mirror = qEnvironmentVariable("MNIST_STUDIO_MIRROR_URL");
    if (!mirror.isEmpty())
        s.mirrors = {mirror.endsWith(QLatin1Char('/')) ? mirror : mirror + QLatin1Char('/')};
    return s;
}

DataDownloader::DataDownloader(DatasetSource source, QString targetDir, QObject* parent)
    : QObject(parent), m_source(std::move(source)), m_targetDir(std::move(targetDir)), m_net(new QNetworkAccessManager(this))
{
}

DataDownloader::~DataDownloader()
{
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
    }
    dropPart();
}

void DataDownloader::start()
{
    if (m_state == State::Running)
        return;
    m_state = State::Running;
    m_error.clear();
    m_cancelled = false;
    m_fileIndex = -1;
    m_doneBytes = 0;
    if (!QDir().mkpath(m_targetDir)) {
        fail(tr("The folder %1 cannot be created.").arg(m_targetDir));
        return;
    }
    if (m_source.mirrors.isEmpty() || m_source.files.isEmpty()) {
        fail(tr("There is no known download for %1.").arg(m_source.title));
        return;
    }
    nextFile();
}

void DataDownloader::cancel()
{
    if (m_state != State::Running)
        return;
    m_cancelled = true;
    if (m_reply)
        m_reply->abort(); // finished() follows, from within abort()
    else
        fail(tr("Cancelled."), State::Cancelled);
}

void DataDownloader::nextFile()
{
    ++m_fileIndex;
    if (m_fileIndex >= m_source.files.size()) {
        m_state = State::Finished;
        Q_EMIT finished(true);
        return;
    }
    const DownloadFile& f = m_source.files[m_fileIndex];
    // A file verified by an earlier, interrupted download is not fetched again.
    QFile existing(QDir(m_targetDir).filePath(f.name));
    if (!f.md5.isEmpty() && existing.open(QIODevice::ReadOnly)) {
        QCryptographicHash h(QCryptographicHash::Md5);
        h.addData(&existing);
        if (h.result().toHex() == f.md5) {
            m_doneBytes += existing.size();
            Q_EMIT progress(m_fileIndex, existing.size(), existing.size());
            nextFile();
            return;
        }
    }
    m_mirrorIndex = 0;
    m_mirrorErrors.clear();
    tryMirror();
}

void DataDownloader::tryMirror()
{
    const DownloadFile& f = m_source.files[m_fileIndex];
    if (m_mirrorIndex >= m_source.mirrors.size()) {
        fail(tr("%1 could not be downloaded:\n• %2").arg(f.name, m_mirrorErrors.join(QStringLiteral("\n• "))));
        return;
    }
    m_url = m_source.mirrors[m_mirrorIndex] + f.name;
    m_received = 0;
    m_md5.reset();
    m_inflater = std::make_unique<Inflater>();
    m_part.setFileName(QDir(m_targetDir).filePath(f.name + QStringLiteral(".part")));
    if (!m_part.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        fail(tr("%1 cannot be written: %2").arg(m_part.fileName(), m_part.errorString()));
        return;
    }
    Q_EMIT fileStarted(m_fileIndex, f.name, m_url);
    QNetworkRequest request{QUrl(m_url)};
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
    request.setTransferTimeout(m_stallTimeoutMs);
    m_reply = m_net->get(request);
    connect(m_reply, &QNetworkReply::readyRead, this, &DataDownloader::onReadyRead);
    connect(m_reply, &QNetworkReply::downloadProgress, this, [this](qint64 received, qint64 total) {
        Q_EMIT progress(m_fileIndex, received, total > 0 ? total : -1);
    });
    connect(m_reply, &QNetworkReply::finished, this, &DataDownloader::onReplyFinished);
}

void DataDownloader::onReadyRead()
{
    if (m_reply)
        consume(m_reply);
}

void DataDownloader::consume(QNetworkReply* reply)
{
    // An error page's body must not be mistaken for data.
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status != 0 && status != 200)
        return;
    const QByteArray chunk = reply->readAll();
    if (chunk.isEmpty())
        return;
    m_received += chunk.size();
    m_md5.addData(chunk);
    m_inflater->feed(chunk);
    if (m_part.write(chunk) != chunk.size() && reply->isRunning())
        reply->abort(); // reported as a write error in onReplyFinished
}

QString DataDownloader::checkComplete(qint64 announced)
{
    const DownloadFile& f = m_source.files[m_fileIndex];
    if (announced >= 0 && m_received != announced)
        return tr("truncated: %1 of %2 bytes arrived").arg(m_received).arg(announced);
    if (!f.md5.isEmpty()) {
        const QByteArray got = m_md5.result().toHex();
        if (got != f.md5)
            return tr("checksum mismatch: MD5 %1, expected %2").arg(QString::fromLatin1(got), QString::fromLatin1(f.md5));
    }
    return m_inflater->problem();
}

void DataDownloader::onReplyFinished()
{
    QNetworkReply* reply = m_reply;
    if (!reply)
        return;
    reply->deleteLater();
    m_reply = nullptr;
    if (!m_cancelled)
        consume(reply); // what arrived with the end of the transfer
    if (m_cancelled) {
        dropPart();
        fail(tr("Cancelled."), State::Cancelled);
        return;
    }
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const qint64 announced = reply->header(QNetworkRequest::ContentLengthHeader).isValid()
                                 ? reply->header(QNetworkRequest::ContentLengthHeader).toLongLong()
                                 : -1;
    QString reason;
    if (status != 0 && status != 200)
        reason = tr("HTTP %1 %2").arg(status).arg(reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString());
    else if (m_part.error() != QFileDevice::NoError)
        reason = tr("writing %1 failed: %2").arg(m_part.fileName(), m_part.errorString());
    else if (reply->error() != QNetworkReply::NoError && m_received != announced)
        reason = announced >= 0 ? tr("truncated: %1 of %2 bytes arrived (%3)").arg(m_received).arg(announced).arg(reply->errorString())
                                : reply->errorString();
    else if (reply->error() != QNetworkReply::NoError)
        reason = reply->errorString();
    else
        reason = checkComplete(announced);
    if (reason.isEmpty()) {
        m_part.close();
        const QString final = QDir(m_targetDir).filePath(m_source.files[m_fileIndex].name);
        QFile::remove(final);
        if (!m_part.rename(final)) {
            reason = tr("renaming %1 failed: %2").arg(m_part.fileName(), m_part.errorString());
        } else {
            m_doneBytes += m_received;
            m_received = 0;
            nextFile();
            return;
        }
    }
    dropPart();
    m_mirrorErrors << tr("%1: %2").arg(m_url, reason);
    Q_EMIT mirrorFailed(m_url, reason);
    ++m_mirrorIndex;
    tryMirror();
}

void DataDownloader::dropPart()
{
    if (m_part.isOpen())
        m_part.close();
    if (!m_part.fileName().isEmpty() && m_part.fileName().endsWith(QLatin1String(".part")))
        QFile::remove(m_part.fileName());
    m_received = 0;
}

void DataDownloader::fail(const QString& reason, State state)
{
    dropPart();
    m_state = state;
    m_error = reason;
    Q_EMIT finished(false);
}

} // namespace studio
