// The GUI under faults and over a long session: a full disk reported in the window, damaged run
// folders next to good ones, and 50 epochs through the worker with flat memory and a responsive
// event loop.
#include "UiTestSupport.h"

#include "setup/ConfigPanel.h"
#include "runs/RunBrowser.h"
#include "RunFixtures.h"
#include "training/TrainingDashboard.h"

#include "data/ScratchMount.h"
#include "data/SkipTest.h"
#include "run/RunIndex.h"

#include <catch2/catch.hpp>

#include <QElapsedTimer>
#include <QPushButton>
#include <QSignalSpy>
#include <QTimer>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <ctime>
#include <unistd.h>

using studio::MainWindow;
using studio::RunBrowser;
using studio::RunSummary;
namespace fs = std::filesystem;

namespace {

constexpr int kRunTimeoutMs = 300'000;

// Resident memory of this process in bytes (/proc/self/statm's second field is pages).
double residentBytes()
{
    std::ifstream statm("/proc/self/statm");
    long long size = 0, resident = 0;
    statm >> size >> resident;
    return static_cast<double>(resident) * static_cast<double>(::sysconf(_SC_PAGESIZE));
}

// CPU time of the calling thread in ms: what it spent working, not waiting for a core.
double threadCpuMs()
{
    timespec t{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

std::string onlySubfolder(const std::string& dir)
{
    std::vector<std::string> found;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.is_directory())
            found.push_back(e.path().string());
    REQUIRE(found.size() == 1);
    return found.front();
}

} // namespace

TEST_CASE("50 epochs through the worker keep memory flat and never block the event loop for 100 ms",
          "[ui][training][longrun]")
{
    // 800 training images in batches of 20: 40 iterations an epoch, 2,000 points in all, each kept
    // by the dashboard; the run is recorded (CSV rows, a checkpoint every epoch) as in real use.
    uitest::TinyDataset data(1000, 100);
    mnist::TrainConfig c = data.config(50, 20);
    TempDir runs;
    auto w = uitest::makeWindow();
    w->setRunsFolder(QString::fromStdString(runs.path().string()));
    w->configPanel()->setConfig(c);

    constexpr int kWarmUpEpochs = 5;
    std::vector<double> rssAfterEpoch(51, 0.0);
    // Two measures of the gaps between ticks: wall time, and the GUI thread's CPU time within the
    // gap. On this 2-core machine, shared with the training thread, other tests and compilers, a
    // wall-time gap can be the scheduler's doing; the CPU time is the window's own work between two
    // ticks, i.e. how long the event loop was really blocked.
    qint64 worstGapMs = 0;
    double worstBusyMs = 0;
    double lastCpuMs = threadCpuMs();
    int worstGapEpoch = -1; // epochs the dashboard had when the worst gap ended: where to look
    int ticks = 0;
    QElapsedTimer sinceTick;
    QTimer probe;
    probe.setInterval(10);
    QObject::connect(&probe, &QTimer::timeout, [&] {
        const qint64 gap = sinceTick.restart();
        const double cpu = threadCpuMs();
        worstBusyMs = std::max(worstBusyMs, cpu - lastCpuMs);
        lastCpuMs = cpu;
        const auto done = static_cast<size_t>(w->dashboard()->epochs().size());
        if (gap > worstGapMs) {
            worstGapMs = gap;
            worstGapEpoch = static_cast<int>(done);
        }
        ++ticks;
        if (done < rssAfterEpoch.size() && rssAfterEpoch[done] == 0.0)
            rssAfterEpoch[done] = residentBytes();
    });

    QSignalSpy finished(w.get(), &MainWindow::trainingFinished);
    QElapsedTimer wall;
    wall.start();
    QTest::mouseClick(w->trainButton(), Qt::LeftButton);
    sinceTick.start();
    lastCpuMs = threadCpuMs();
    probe.start();
    REQUIRE(finished.wait(kRunTimeoutMs));
    probe.stop();
    const RunSummary s = finished.at(0).at(0).value<RunSummary>();
    INFO(w->errorText().toStdString());
    REQUIRE_FALSE(s.failed);
    REQUIRE(s.epochsDone == 50);
    REQUIRE(w->dashboard()->epochs().size() == 50);
    REQUIRE(w->dashboard()->iterations().size() == 50 * 40);

    // Every epoch was seen by the probe at least once (it ticks far more often than epochs end).
    const double base = rssAfterEpoch[kWarmUpEpochs];
    REQUIRE(base > 0);
    double peak = base;
    for (size_t e = kWarmUpEpochs; e < rssAfterEpoch.size(); ++e)
        peak = std::max(peak, rssAfterEpoch[e]);
    const double growth = (peak - base) / base;
    std::printf("long run: 50 epochs in %.1f s, RSS %.1f MiB after epoch %d, peak %.1f MiB after (%+.2f%%); "
                "event loop: %d ticks, worst gap %lld ms wall (after %d epochs), %.1f ms of GUI-thread work\n",
                wall.elapsed() / 1000.0, base / 1048576.0, kWarmUpEpochs, peak / 1048576.0, growth * 100.0, ticks,
                static_cast<long long>(worstGapMs), worstGapEpoch, worstBusyMs);
    CHECK(growth < 0.05);
    CHECK(worstBusyMs < 100);
    // Wall time only catches gross stalls: under `ctest -j2` with builds running, the GUI thread
    // waited up to 190 ms for a core while doing a few ms of work.
    CHECK(worstGapMs < 1000);
    CHECK(ticks > 100);
}

TEST_CASE("A full disk during a run shows the path and the cause in the window and loses no finished epoch",
          "[ui][training][faults]")
{
    uitest::TinyDataset data(400, 50);
    const mnist::TrainConfig c = data.config(3, 32);
    TempDir scratch;
    const uitest::RunFileSizes sizes = uitest::runFileSizes(c.arch);
    // The first epoch's files fit, the second checkpoint beside the first does not.
    const size_t room = sizes.bestWeights + sizes.checkpoint + sizes.checkpoint / 2 + 64 * 1024;
    fixtures::SmallTmpfs disk(scratch.file("disk"), room);
    if (!disk.available())
        return fixtures::skipTest("tmpfs unavailable (" + disk.why() + ")");
    const QString runsDir = QString::fromStdString(scratch.file("disk"));
    auto w = uitest::makeWindow();
    w->setRunsFolder(runsDir);
    w->configPanel()->setConfig(c);
    QSignalSpy finished(w.get(), &MainWindow::trainingFinished);
    QTest::mouseClick(w->trainButton(), Qt::LeftButton);
    REQUIRE(finished.wait(kRunTimeoutMs));
    CHECK(finished.at(0).at(0).value<RunSummary>().failed);
    const QString error = w->errorText();
    INFO(error.toStdString());
    CHECK(error.contains(runsDir + QLatin1Char('/')));
    CHECK(error.contains(QStringLiteral("checkpoint.pt: no space left on device")));
    CHECK(w->trainButton()->isEnabled()); // the window goes on

    const std::string runDir = onlySubfolder(scratch.file("disk"));
    CHECK(uitest::loadCheckpointEpoch(runDir + "/checkpoint.pt", c.arch) == 1);
    const mnist::RunRecord record = mnist::readRun(runDir);
    CHECK_FALSE(record.damaged);
    CHECK(record.epochs.size() == 1);
    CHECK(record.resumable);

    // With room again, the browser's Resume finishes it.
    REQUIRE(disk.resize(16 * 1024 * 1024));
    QSignalSpy resumed(w.get(), &MainWindow::trainingFinished);
    w->resumeRun(QString::fromStdString(runDir));
    REQUIRE(resumed.wait(kRunTimeoutMs));
    CHECK_FALSE(resumed.at(0).at(0).value<RunSummary>().failed);
    CHECK(mnist::readRun(runDir).epochs.size() == 3);
}

TEST_CASE("A truncated checkpoint or broken config.json marks its run damaged, the others still open",
          "[ui][runs][faults]")
{
    TempDir runs;
    mnist::TrainConfig c;
    c.arch = "LeNet";
    c.epochs = 4;
    const auto epochs = uitest::makeEpochs({97.0, 98.0}, {0.10, 0.08});
    const std::string good = runs.file("20260101-100000-LeNet");
    uitest::writeRunFolder(good, c, epochs);
    uitest::writeCheckpoint(good, c.arch, epochs);
    const std::string truncated = runs.file("20260102-100000-LeNet");
    uitest::writeRunFolder(truncated, c, epochs);
    uitest::writeCheckpoint(truncated, c.arch, epochs);
    fs::resize_file(truncated + "/checkpoint.pt", fs::file_size(truncated + "/checkpoint.pt") / 2);
    const std::string garbage = runs.file("20260103-100000-LeNet");
    uitest::writeRunFolder(garbage, c, epochs);
    uitest::writeCheckpoint(garbage, c.arch, epochs);
    std::ofstream(garbage + "/checkpoint.pt", std::ios::trunc) << "not a zip archive";
    const std::string badConfig = runs.file("20260104-100000-LeNet");
    uitest::writeRunFolder(badConfig, c, epochs);
    std::ofstream(badConfig + "/config.json", std::ios::trunc) << "{\"arch\": \"LeNet\", \"epochs\": ";

    auto w = uitest::makeWindow();
    w->setRunsFolder(QString::fromStdString(runs.path().string()));
    RunBrowser* browser = w->runBrowser();
    uitest::listRuns(*browser);
    REQUIRE(browser->filter()->rowCount() == 4);
    for (const char* name : {"20260102-100000-LeNet", "20260103-100000-LeNet", "20260104-100000-LeNet"}) {
        INFO(name);
        const uitest::RunRow item(*browser, QString::fromLatin1(name));
        REQUIRE(item);
        CHECK(item.foreground(studio::RunTableModel::NameColumn).red() > 150);
        CHECK(item.toolTip(studio::RunTableModel::NameColumn).contains(QStringLiteral("Damaged")));
    }
    CHECK(uitest::RunRow(*browser, "20260102-100000-LeNet").toolTip(studio::RunTableModel::NameColumn).contains("checkpoint.pt"));
    CHECK(uitest::RunRow(*browser, "20260103-100000-LeNet").toolTip(studio::RunTableModel::NameColumn).contains("checkpoint.pt"));
    CHECK(uitest::RunRow(*browser, "20260104-100000-LeNet").toolTip(studio::RunTableModel::NameColumn).contains("config.json"));
    const uitest::RunRow ok(*browser, "20260101-100000-LeNet");
    REQUIRE(ok);
    CHECK(ok.foreground(studio::RunTableModel::NameColumn).red() < 150);
    CHECK(ok.text(studio::RunTableModel::EpochsColumn).contains(QStringLiteral("resumable")));

    // Opening a damaged run explains why and leaves the dashboard alone; the good one opens.
    w->openRun(QString::fromStdString(truncated));
    CHECK(w->errorText().contains(QStringLiteral("cannot be opened")));
    CHECK(w->errorText().contains(QStringLiteral("checkpoint.pt")));
    CHECK(w->dashboard()->epochs().isEmpty());
    w->resumeRun(QString::fromStdString(garbage));
    CHECK(w->errorText().contains(QStringLiteral("cannot be resumed")));
    CHECK_FALSE(w->isTraining());
    w->openRun(QString::fromStdString(good));
    CHECK(w->errorText().isEmpty());
    CHECK(w->dashboard()->epochs().size() == 2);
}
