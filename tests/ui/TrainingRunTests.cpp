#include "UiTestSupport.h"

#include "setup/ConfigPanel.h"
#include "shared/CoreBridge.h"
#include "window/MetaTypes.h"
#include "training/TrainingDashboard.h"
#include "window/TrainingWorker.h"

#include "run/RunIndex.h"
#include "optim/LrScheduler.h"

#include "run/RunFiles.h"

#include <catch2/catch.hpp>

#include <QComboBox>
#include <QElapsedTimer>
#include <QFile>
#include <QPointer>
#include <QPushButton>
#include <QSignalSpy>
#include <QThread>

#include <atomic>
#include <filesystem>
#include <vector>

using studio::MainWindow;
using studio::RunSummary;

namespace {

constexpr int kRunTimeoutMs = 180'000;

RunSummary summaryOf(const QSignalSpy& spy)
{
    REQUIRE(spy.count() == 1);
    return spy.at(0).at(0).value<RunSummary>();
}

} // namespace

TEST_CASE("A short run goes through the worker thread and the dashboard receives every epoch and every LR",
          "[ui][training]")
{
    uitest::TinyDataset data(200, 50);
    mnist::TrainConfig c = data.config(2, 32);
    c.scheduler.type = "cosine";
    c.scheduler.tMax = 7; // rises again within the run, so every LR differs from its neighbours
    c.threads = 0;        // automatic: all cores, and config.json says 0
    TempDir runs;

    auto w = uitest::makeWindow();
    w->setRunsFolder(QString::fromStdString(runs.path().string()));
    w->configPanel()->setConfig(c);
    QSignalSpy finished(w.get(), &MainWindow::trainingFinished);
    REQUIRE(w->trainButton()->isEnabled());
    QTest::mouseClick(w->trainButton(), Qt::LeftButton);
    CHECK(w->isTraining());
    CHECK_FALSE(w->trainButton()->isEnabled());
    CHECK(w->stopButton()->isEnabled());
    // The GUI thread is not the one training: it keeps handling events until the end.
    REQUIRE(uitest::arrived(finished, kRunTimeoutMs));
    const RunSummary s = summaryOf(finished);
    INFO(w->errorText().toStdString());
    REQUIRE_FALSE(s.failed);
    CHECK_FALSE(s.stopped);
    CHECK(s.epochsDone == 2);
    CHECK_FALSE(w->isTraining());
    CHECK(w->trainButton()->isEnabled());

    studio::TrainingDashboard* dash = w->dashboard();
    const int64_t perEpoch = studio::iterationsPerEpoch(160, 32); // train = first 80% of 200
    REQUIRE(perEpoch == 5);
    const auto& points = dash->iterations();
    REQUIRE(points.size() == perEpoch * 2);
    const auto expected = mnist::lrSequence(c.scheduler, c.lr, perEpoch * 2, perEpoch * 2);
    for (int i = 0; i < points.size(); ++i) {
        CHECK(points[i].step == i);
        CHECK(points[i].epoch == 1 + i / perEpoch);
        CHECK(points[i].iteration == i % perEpoch);
        CHECK(points[i].lr == Approx(expected[static_cast<size_t>(i)]).epsilon(1e-12));
        CHECK(std::isfinite(points[i].loss));
    }
    REQUIRE(dash->epochs().size() == 2);
    CHECK(dash->epochs()[0].epoch == 1);
    CHECK(dash->epochs()[1].epoch == 2);
    CHECK(dash->tableRows() == 2);
    CHECK(dash->drawnEpochPoints() == 2);
    CHECK(dash->lrShowsWholeRun());
    CHECK(dash->drawnLrPoints() == perEpoch * 2);
    CHECK(dash->drawnLossPoints() == perEpoch * 2);
    dash->setLrShowsWholeRun(false); // the notebook's view: the last epoch only
    CHECK(dash->drawnLrPoints() == perEpoch);
    CHECK(dash->progressText().contains(QStringLiteral("Finished 2 epochs")));
    CHECK(dash->progressText().contains(QStringLiteral("best test accuracy")));
    CHECK(w->errorText().isEmpty());

    // The run was recorded like the CLI's.
    std::vector<std::filesystem::path> folders;
    for (const auto& e : std::filesystem::directory_iterator(runs.path()))
        folders.push_back(e.path());
    REQUIRE(folders.size() == 1);
    for (const char* f : {"config.json", "metrics.csv", "lr.csv", "model.safetensors", "summary.json"})
        CHECK(std::filesystem::exists(folders[0] / f));
    // summary.json says the run finished, so mnist-train --resume and --list-runs see it as such.
    const mnist::RunSummary summary = mnist::readRunSummary((folders[0] / "summary.json").string());
    CHECK_FALSE(summary.stopped);
    CHECK(summary.epochCount == 2);
    CHECK(summary.finalTestAccuracy == Approx(dash->epochs()[1].testAccuracy));
    CHECK(mnist::readRun(folders[0].string()).state == mnist::RunState::Finished);
    // config.json keeps what was asked for: automatic threads stay 0, not the count they became.
    CHECK(mnist::loadTrainConfig((folders[0] / "config.json").string()).threads == 0);
}

TEST_CASE("The worker hands iteration points over in batches, none dropped", "[ui][training]")
{
    uitest::TinyDataset data(400, 50);
    const mnist::TrainConfig c = data.config(3, 8); // 40 iterations an epoch
    studio::registerMetaTypes();
    QThread thread;
    auto* worker = new studio::TrainingWorker(c, QString(), 200);
    worker->moveToThread(&thread);
    QObject::connect(&thread, &QThread::started, worker, &studio::TrainingWorker::run);
    QObject::connect(worker, &studio::TrainingWorker::finished, &thread, &QThread::quit, Qt::DirectConnection);
    QObject::connect(&thread, &QThread::finished, worker, &QObject::deleteLater);
    QSignalSpy batches(worker, &studio::TrainingWorker::iterationsReady);
    QSignalSpy epochs(worker, &studio::TrainingWorker::epochFinished);
    QSignalSpy started(worker, &studio::TrainingWorker::runStarted);
    QSignalSpy finished(worker, &studio::TrainingWorker::finished);
    QElapsedTimer clock;
    clock.start();
    thread.start();
    REQUIRE(uitest::arrived(finished, kRunTimeoutMs));
    const qint64 elapsedMs = clock.elapsed();
    REQUIRE(thread.wait(10'000));

    REQUIRE(started.count() == 1);
    const auto info = started.at(0).at(0).value<mnist::RunInfo>();
    CHECK(info.trainSize == 320);
    CHECK(info.iterationsPerEpoch == 40);
    int64_t next = 0;
    for (const auto& args : batches) {
        for (const auto& p : args.at(0).value<QVector<mnist::IterationPoint>>())
            CHECK(p.step == next++);
    }
    CHECK(next == 120);
    CHECK(epochs.count() == 3);
    // One batch per 200 ms at most, plus the flush that ends each epoch.
    CHECK(batches.count() <= 3 + 1 + elapsedMs / 200);
    CHECK(batches.count() < 120);
}

TEST_CASE("Stop ends a run early and the thread is joined", "[ui][training]")
{
    uitest::TinyDataset data(200, 50);
    auto w = uitest::makeWindow();
    w->configPanel()->setConfig(data.config(1000, 16));
    QSignalSpy finished(w.get(), &MainWindow::trainingFinished);
    QTest::mouseClick(w->trainButton(), Qt::LeftButton);
    REQUIRE(QTest::qWaitFor([&] { return !w->dashboard()->iterations().isEmpty(); }, kRunTimeoutMs));

    SECTION("while running")
    {
        QTest::mouseClick(w->stopButton(), Qt::LeftButton);
    }
    SECTION("while paused")
    {
        QTest::mouseClick(w->pauseButton(), Qt::LeftButton);
        CHECK(w->pauseButton()->isChecked());
        CHECK(w->pauseButton()->text() == QStringLiteral("Resume"));
        CHECK(w->dashboard()->progressText().contains(QStringLiteral("paused")));
        QTest::mouseClick(w->stopButton(), Qt::LeftButton);
    }
    REQUIRE(uitest::arrived(finished, kRunTimeoutMs));
    const RunSummary s = summaryOf(finished);
    CHECK(s.stopped);
    CHECK_FALSE(s.failed);
    CHECK(s.epochsDone < 1000);
    CHECK_FALSE(w->isTraining());
    CHECK(w->trainButton()->isEnabled());
    CHECK_FALSE(w->pauseButton()->isChecked());
    CHECK(w->dashboard()->progressText().contains(QStringLiteral("Stopped after")));
    // The thread object goes once its deferred deletion runs.
    CHECK(QTest::qWaitFor([&] { return w->findChild<QThread*>(QStringLiteral("trainingThread")) == nullptr; }, 5000));
}

TEST_CASE("Pause holds the run between iterations and Resume continues it", "[ui][training]")
{
    uitest::TinyDataset data(200, 50);
    auto w = uitest::makeWindow();
    w->configPanel()->setConfig(data.config(1000, 16));
    QSignalSpy finished(w.get(), &MainWindow::trainingFinished);
    QTest::mouseClick(w->trainButton(), Qt::LeftButton);
    REQUIRE(QTest::qWaitFor([&] { return !w->dashboard()->iterations().isEmpty(); }, kRunTimeoutMs));
    QTest::mouseClick(w->pauseButton(), Qt::LeftButton);
    // Whatever was in flight arrives; after that nothing more while paused.
    QTest::qWait(1000);
    const auto held = w->dashboard()->iterations().size();
    QTest::qWait(1000);
    CHECK(w->dashboard()->iterations().size() == held);
    QTest::mouseClick(w->pauseButton(), Qt::LeftButton);
    CHECK_FALSE(w->pauseButton()->isChecked());
    CHECK(QTest::qWaitFor([&] { return w->dashboard()->iterations().size() > held; }, kRunTimeoutMs));
    QTest::mouseClick(w->stopButton(), Qt::LeftButton);
    REQUIRE(uitest::arrived(finished, kRunTimeoutMs));
}

TEST_CASE("Closing the window during a run stops it and joins the thread", "[ui][training]")
{
    uitest::TinyDataset data(200, 50);
    TempDir runs;
    auto w = uitest::makeWindow();
    w->setRunsFolder(QString::fromStdString(runs.path().string()));
    w->configPanel()->setConfig(data.config(1000, 16));
    QTest::mouseClick(w->trainButton(), Qt::LeftButton);
    REQUIRE(QTest::qWaitFor([&] { return !w->dashboard()->iterations().isEmpty(); }, kRunTimeoutMs));
    SECTION("close")
    {
        REQUIRE(w->close());
        CHECK_FALSE(w->isTraining());
    }
    SECTION("destroy")
    {
        // The destructor stops and joins too: the thread has ended (not merely been abandoned) and
        // its object is gone by the time the window is.
        QPointer<QThread> thread = w->findChild<QThread*>(QStringLiteral("trainingThread"));
        REQUIRE(thread);
        std::atomic<bool> threadEnded{false};
        QObject::connect(thread, &QThread::finished, thread, [&] { threadEnded = true; }, Qt::DirectConnection);
        w.reset();
        CHECK(threadEnded);
        CHECK(thread.isNull());
    }
    // The run stopped: it recorded at most a few of its 1000 epochs, and nothing writes to its
    // folder any more.
    std::vector<std::filesystem::path> dirs;
    for (const auto& e : std::filesystem::directory_iterator(runs.path()))
        dirs.push_back(e.path());
    REQUIRE(dirs.size() == 1);
    const mnist::RunRecord record = mnist::readRun(dirs[0].string());
    CHECK_FALSE(record.damaged);
    CHECK(record.epochs.size() < 1000);
    const auto sizes = [&] {
        std::vector<std::uintmax_t> out;
        for (const auto& e : std::filesystem::directory_iterator(dirs[0]))
            out.push_back(e.is_regular_file() ? e.file_size() : 0);
        return out;
    };
    const auto before = sizes();
    QTest::qWait(500);
    CHECK(sizes() == before);
}

TEST_CASE("A run whose data is missing ends with a message saying where the data is expected", "[ui][training]")
{
    TempDir empty;
    auto w = uitest::makeWindow();
    mnist::TrainConfig c;
    c.device = "cpu";
    c.epochs = 1;
    SECTION("MNIST folder without files")
    {
        c.dataset = "mnist";
        c.dataDir = empty.path().string();
    }
    SECTION("IDX folder that does not exist")
    {
        c.dataset = "idx";
        c.dataDir = (empty.path() / "nowhere").string();
    }
    w->configPanel()->setConfig(c);
    QSignalSpy finished(w.get(), &MainWindow::trainingFinished);
    QTest::mouseClick(w->trainButton(), Qt::LeftButton);
    REQUIRE(uitest::arrived(finished, kRunTimeoutMs));
    CHECK(summaryOf(finished).failed);
    const QString error = w->errorText();
    INFO(error.toStdString());
    CHECK(error.contains(QString::fromStdString(c.dataDir)));
    CHECK(error.contains(QStringLiteral("train-images")));
    if (c.dataset == "mnist") {
        CHECK(error.contains(QStringLiteral("download MNIST into")));
        CHECK(error.contains(QStringLiteral("fetch-data.sh")));
    }
    CHECK_FALSE(w->isTraining());
    CHECK(w->trainButton()->isEnabled());
    CHECK(w->dashboard()->progressText().startsWith(QStringLiteral("Failed")));
}

TEST_CASE("A CUDA device that is not there is refused at the field and by the worker", "[ui][training]")
{
    uitest::TinyDataset data(200, 50);
    mnist::TrainConfig c = data.config(1, 32);
    c.device = "cuda:99"; // absent on every machine
    auto w = uitest::makeWindow();
    w->configPanel()->setConfig(c);
    CHECK_FALSE(w->trainButton()->isEnabled());
    CHECK(w->configPanel()->problems().join(QLatin1Char(' ')).contains(QStringLiteral("cuda:99 is not present")));
    CHECK(w->configPanel()->findChild<QComboBox*>(QStringLiteral("device"))->property("invalid").toBool());

    // A config that reaches the worker anyway (e.g. from a file) fails with the core's reason.
    studio::registerMetaTypes();
    QThread thread;
    auto* worker = new studio::TrainingWorker(c);
    worker->moveToThread(&thread);
    QObject::connect(&thread, &QThread::started, worker, &studio::TrainingWorker::run);
    QObject::connect(worker, &studio::TrainingWorker::finished, &thread, &QThread::quit, Qt::DirectConnection);
    QObject::connect(&thread, &QThread::finished, worker, &QObject::deleteLater);
    QSignalSpy failed(worker, &studio::TrainingWorker::failed);
    QSignalSpy finished(worker, &studio::TrainingWorker::finished);
    thread.start();
    REQUIRE(uitest::arrived(finished, kRunTimeoutMs));
    REQUIRE(thread.wait(10'000));
    REQUIRE(failed.count() == 1);
    const QString message = failed.at(0).at(0).toString();
    INFO(message.toStdString());
    CHECK(message.contains(QStringLiteral("cuda"), Qt::CaseInsensitive));
    CHECK(summaryOf(finished).failed);
}
