#include "UiTestSupport.h"

#include "LocalHttpServer.h"

#include "window/DataDownloader.h"
#include "window/DownloadDialog.h"

#include "data/DataLocations.h"
#include "data/IdxReader.h"

#include <catch2/catch.hpp>

#include <QApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTimer>

#include <filesystem>

using studio::DataDownloader;
using uitest::LocalHttpServer;

namespace {

constexpr int kTimeoutMs = 20'000;
const char* const kNames[] = {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                              "t10k-labels-idx1-ubyte.gz"};

// The four gzipped IDX files of a small synthetic dataset, with their MD5s: what a mirror serves.
struct Mirror {
    TempDir src;
    studio::DatasetSource source;
    QHash<QString, QByteArray> bodies;
    Mirror()
    {
        fixtures::writeSyntheticDataset(src.path().string(), 300, 60, true);
        source.dataset = QStringLiteral("mnist");
        source.title = QStringLiteral("MNIST");
        for (const char* name : kNames) {
            const auto bytes = fixtures::readBytes(src.file(name));
            const QByteArray body(reinterpret_cast<const char*>(bytes.data()), static_cast<int>(bytes.size()));
            bodies.insert(QString::fromLatin1(name), body);
            source.files.push_back({QString::fromLatin1(name), QCryptographicHash::hash(body, QCryptographicHash::Md5).toHex(), body.size()});
        }
    }
    // Serves every file under /prefix/ as `mode`, with `alter` applied to the bodies.
    void serve(LocalHttpServer& server, const QString& prefix, LocalHttpServer::Mode mode,
               const std::function<QByteArray(QByteArray)>& alter = {}) const
    {
        for (const char* name : kNames) {
            QByteArray body = bodies.value(QString::fromLatin1(name));
            if (alter)
                body = alter(body);
            server.route(QStringLiteral("/%1/%2").arg(prefix, QString::fromLatin1(name)).toUtf8(), {body, mode});
        }
    }
};

bool runToEnd(DataDownloader& d)
{
    QSignalSpy done(&d, &DataDownloader::finished);
    d.start();
    if (done.isEmpty())
        REQUIRE(done.wait(kTimeoutMs));
    return done.at(0).at(0).toBool();
}

QStringList filesIn(const TempDir& dir)
{
    return QDir(QString::fromStdString(dir.path().string())).entryList(QDir::Files | QDir::Hidden);
}

} // namespace

TEST_CASE("the downloader fetches, verifies and stores the four files where the core reads them", "[ui][download]")
{
    Mirror mirror;
    LocalHttpServer server;
    mirror.serve(server, QStringLiteral("good"), LocalHttpServer::Mode::Ok);
    mirror.source.mirrors = {server.url(QStringLiteral("good"))};
    TempDir target;
    DataDownloader d(mirror.source, QString::fromStdString(target.path().string()));
    QSignalSpy progress(&d, &DataDownloader::progress);
    REQUIRE(runToEnd(d));
    CHECK(d.state() == DataDownloader::State::Finished);
    CHECK(d.errorText().isEmpty());
    CHECK(progress.count() >= 4);
    QStringList expected;
    for (const char* n : kNames)
        expected << QString::fromLatin1(n);
    expected.sort();
    CHECK(filesIn(target) == expected); // no .part left behind
    // Stored as served (gzipped, checksums intact) and readable by the core.
    for (const char* n : kNames)
        CHECK(fixtures::readBytes(target.file(n)) == fixtures::readBytes(mirror.src.file(n)));
    CHECK(mnist::hasIdxFiles(target.path().string()));
    CHECK(mnist::readIdxImages(target.file("train-images-idx3-ubyte.gz")).count == 300);
    CHECK(mnist::readIdxLabels(target.file("t10k-labels-idx1-ubyte.gz")).size() == 60);

    // A second download finds the verified files and fetches nothing.
    const int before = server.requestCount();
    DataDownloader again(mirror.source, QString::fromStdString(target.path().string()));
    REQUIRE(runToEnd(again));
    CHECK(server.requestCount() == before);
}

TEST_CASE("a corrupt file fails its checksum and leaves nothing behind", "[ui][download]")
{
    Mirror mirror;
    LocalHttpServer server;
    mirror.serve(server, QStringLiteral("corrupt"), LocalHttpServer::Mode::Ok, [](QByteArray b) {
        b[b.size() / 2] = static_cast<char>(b[b.size() / 2] ^ 0x5a);
        return b;
    });
    mirror.source.mirrors = {server.url(QStringLiteral("corrupt"))};
    TempDir target;
    DataDownloader d(mirror.source, QString::fromStdString(target.path().string()));
    CHECK_FALSE(runToEnd(d));
    CHECK(d.state() == DataDownloader::State::Failed);
    INFO(d.errorText().toStdString());
    CHECK(d.errorText().contains(QStringLiteral("checksum mismatch")));
    CHECK(d.errorText().contains(QStringLiteral("train-images-idx3-ubyte.gz")));
    CHECK(filesIn(target).isEmpty());

    SECTION("without a checksum, the gzip and IDX check still refuses it")
    {
        for (auto& f : mirror.source.files)
            f.md5.clear();
        mirror.serve(server, QStringLiteral("cut"), LocalHttpServer::Mode::Ok, [](QByteArray b) { return b.left(b.size() - 40); });
        mirror.source.mirrors = {server.url(QStringLiteral("cut"))};
        DataDownloader unchecked(mirror.source, QString::fromStdString(target.path().string()));
        CHECK_FALSE(runToEnd(unchecked));
        INFO(unchecked.errorText().toStdString());
        CHECK(unchecked.errorText().contains(QStringLiteral("incomplete")));
        CHECK(filesIn(target).isEmpty());
    }
}

TEST_CASE("a transfer cut short of its Content-Length is reported as truncated, with no file left", "[ui][download]")
{
    Mirror mirror;
    LocalHttpServer server;
    mirror.serve(server, QStringLiteral("short"), LocalHttpServer::Mode::Truncated);
    mirror.source.mirrors = {server.url(QStringLiteral("short"))};
    TempDir target;
    DataDownloader d(mirror.source, QString::fromStdString(target.path().string()));
    CHECK_FALSE(runToEnd(d));
    CHECK(d.state() == DataDownloader::State::Failed);
    INFO(d.errorText().toStdString());
    CHECK(d.errorText().contains(QStringLiteral("truncated")));
    CHECK(filesIn(target).isEmpty());
}

TEST_CASE("a 404 names the status and falls through to the next mirror", "[ui][download]")
{
    Mirror mirror;
    LocalHttpServer server;
    mirror.serve(server, QStringLiteral("good"), LocalHttpServer::Mode::Ok);
    TempDir target;

    SECTION("the only mirror answers 404: the download fails and says so")
    {
        mirror.source.mirrors = {server.url(QStringLiteral("gone"))};
        DataDownloader d(mirror.source, QString::fromStdString(target.path().string()));
        CHECK_FALSE(runToEnd(d));
        INFO(d.errorText().toStdString());
        CHECK(d.errorText().contains(QStringLiteral("HTTP 404")));
        CHECK(d.errorText().contains(server.url(QStringLiteral("gone"))));
        CHECK(filesIn(target).isEmpty());
    }
    SECTION("a second mirror delivers")
    {
        mirror.source.mirrors = {server.url(QStringLiteral("gone")), server.url(QStringLiteral("good"))};
        DataDownloader d(mirror.source, QString::fromStdString(target.path().string()));
        QSignalSpy failed(&d, &DataDownloader::mirrorFailed);
        REQUIRE(runToEnd(d));
        CHECK(failed.count() == 4); // once per file
        CHECK(failed.at(0).at(1).toString().contains(QStringLiteral("HTTP 404")));
        CHECK(filesIn(target).size() == 4);
        CHECK(mnist::hasIdxFiles(target.path().string()));
    }
}

TEST_CASE("cancelling a slow download in its dialog leaves no partial file and says cancelled", "[ui][download]")
{
    Mirror mirror;
    LocalHttpServer server;
    mirror.serve(server, QStringLiteral("slow"), LocalHttpServer::Mode::Slow);
    mirror.source.mirrors = {server.url(QStringLiteral("slow"))};
    TempDir target;
    DataDownloader d(mirror.source, QString::fromStdString(target.path().string()));
    studio::DownloadDialog dialog(&d);
    dialog.show();
    REQUIRE(QTest::qWaitForWindowExposed(&dialog));
    QSignalSpy done(&d, &DataDownloader::finished);
    d.start();
    // Some bytes arrive (and land in the .part file), then the user cancels.
    REQUIRE(QTest::qWaitFor([&] { return d.bytesDone() > 2048; }, kTimeoutMs));
    CHECK(filesIn(target).contains(QStringLiteral("train-images-idx3-ubyte.gz.part")));
    CHECK(dialog.fileText().contains(QStringLiteral("train-images-idx3-ubyte.gz")));
    CHECK(dialog.fileBar()->value() > 0);
    QTest::mouseClick(dialog.cancelButton(), Qt::LeftButton);
    if (done.isEmpty())
        REQUIRE(done.wait(kTimeoutMs));
    CHECK_FALSE(done.at(0).at(0).toBool());
    CHECK(d.state() == DataDownloader::State::Cancelled);
    CHECK(d.errorText().contains(QStringLiteral("Cancelled")));
    CHECK(dialog.statusText().contains(QStringLiteral("Cancelled")));
    CHECK(filesIn(target).isEmpty());
    CHECK(dialog.cancelButton()->text() == QStringLiteral("Close"));
}

TEST_CASE("a missing dataset is offered for download, with the size, a folder choice and Cancel", "[ui][download]")
{
    auto w = uitest::makeWindow();
    QString text, info;
    QStringList buttons;
    // The question is modal: read it and answer Cancel from inside its event loop.
    QTimer::singleShot(0, w.get(), [&] {
        if (!QTest::qWaitFor([] { return QApplication::activeModalWidget() != nullptr; }, 5000))
            return;
        auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
        if (!box)
            return;
        text = box->text();
        info = box->informativeText();
        for (QAbstractButton* b : box->buttons())
            buttons << b->text();
        box->button(QMessageBox::Cancel)->click();
    });
    CHECK_FALSE(w->offerDataDownload(QStringLiteral("fashion-mnist")));
    CHECK(text == QStringLiteral("Fashion-MNIST is not on this computer."));
    CHECK(info.contains(QString::fromStdString(mnist::userDatasetDir("fashion-mnist"))));
    CHECK(buttons.filter(QStringLiteral("Download (30.")).size() == 1);
    CHECK(buttons.contains(QStringLiteral("Choose folder…")));
    CHECK_FALSE(w->isTraining());
}

TEST_CASE("the standard sources are torchvision's mirrors, and the mirror override replaces them", "[ui][download]")
{
    const auto mnist = studio::standardSource(QStringLiteral("mnist"));
    REQUIRE(mnist.mirrors.size() == 2);
    CHECK(mnist.mirrors[0] == QStringLiteral("https://ossci-datasets.s3.amazonaws.com/mnist/"));
    CHECK(mnist.files.size() == 4);
    CHECK(mnist.files[0].md5 == QByteArray("f68b3c2dcbeaaa9fbdd348bbdeb94873"));
    CHECK(mnist.totalBytes() > 11'000'000);
    CHECK(studio::standardSource(QStringLiteral("fashion-mnist")).files[3].md5 == QByteArray("bb300cfdad3c16e7a12a480ee83cd310"));
    qputenv("MNIST_STUDIO_MIRROR_URL", "http://127.0.0.1:9/mirror");
    const auto local = studio::standardSource(QStringLiteral("mnist"));
    qunsetenv("MNIST_STUDIO_MIRROR_URL");
    CHECK(local.mirrors == QStringList{QStringLiteral("http://127.0.0.1:9/mirror/")});
    CHECK(local.files[0].md5 == mnist.files[0].md5);
}
