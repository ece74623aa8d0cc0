// The Sweeps tab (ui/SweepView, ui/NewSweepDialog, ui/ParallelCoordinates): a sweep planned in
// the dialog from the set-up panel's run trains through the real mnist-train, its configurations
// are pooled over the seeds in the table, the parallel-coordinates chart and the band chart; a
// stopped sweep is continued by a window opened later.
#include "UiTestSupport.h"

#include "setup/ConfigPanel.h"
#include "window/MainWindow.h"
#include "sweeps/NewSweepDialog.h"
#include "sweeps/ParallelCoordinates.h"
#include "sweeps/SweepView.h"

#include "TestPaths.h"
#include "sweep/SweepFolder.h"

#include <QAction>
#include <QAreaSeries>
#include <QChart>
#include <QDialogButtonBox>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTest>

#include <filesystem>
#include <fstream>

using nlohmann::json;

TEST_CASE("The new-sweep dialog builds the spec from its rows and names every problem", "[ui][sweep]")
{
    mnist::TrainConfig base;
    base.epochs = 3;
    studio::NewSweepDialog dialog(base);
    dialog.clearSettings();
    dialog.addSetting(QStringLiteral("lr"), studio::NewSweepDialog::Mode::LogRange, QStringLiteral("1e-4, 1e-2, 3"));
    dialog.addSetting(QStringLiteral("optimizer"), studio::NewSweepDialog::Mode::Values, QStringLiteral("adam sgd"));
    dialog.setSeeds(QStringLiteral("1, 2"));
    CHECK(dialog.problems().isEmpty());
    const json spec = dialog.spec();
    REQUIRE(spec["grid"]["lr"].size() == 3u);
    CHECK(spec["grid"]["lr"][1].get<double>() == Approx(1e-3));
    CHECK(spec["grid"]["optimizer"] == json::array({"adam", "sgd"}));
    CHECK(spec["seeds"] == json::array({1, 2}));
    CHECK(spec["base"]["epochs"] == 3);
    CHECK(dialog.summaryText().contains(QStringLiteral("6 configurations × 2 seeds = 12 trials")));
    auto* ok = dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
    CHECK(ok->isEnabled());

    // A bad value, a random interval the wrong way round, a repeated seed: each named, OK refused.
    dialog.addSetting(QStringLiteral("batch_size"), studio::NewSweepDialog::Mode::Values, QStringLiteral("0, 64"));
    dialog.addSetting(QStringLiteral("label_smoothing"), studio::NewSweepDialog::Mode::RandomUniform, QStringLiteral("0.2, 0"));
    dialog.setSeeds(QStringLiteral("1, 1"));
    const QString problems = dialog.problems();
    CHECK(problems.contains(QStringLiteral("grid.batch_size")));
    CHECK(problems.contains(QStringLiteral("random.space.label_smoothing")));
    CHECK(problems.contains(QStringLiteral("listed twice")));
    CHECK_FALSE(ok->isEnabled());
    dialog.setSweepName(QStringLiteral("a/b"));
    CHECK(dialog.problems().contains(QStringLiteral("name")));
}

TEST_CASE("A sweep made in the window trains, is pooled over its seeds, and a stopped one is continued later", "[ui][sweep]")
{
    uitest::TinyDataset data(200, 50);
    TempDir runs;
    auto w = uitest::makeWindow();
    w->setRunsFolder(QString::fromStdString(runs.path().string()));
    w->configPanel()->setConfig(data.config(2, 50));
    studio::SweepView* view = w->sweepView();
    view->setTrainProgram(QStringLiteral(MNIST_TRAIN_EXE));
    w->findChild<QAction*>(QStringLiteral("newSweepAction")); // the menu's way in exists
    w->showTab(studio::MainWindow::Tab::Sweeps);
    REQUIRE(view->isVisible());

    studio::NewSweepDialog dialog(w->configPanel()->config());
    dialog.clearSettings();
    dialog.addSetting(QStringLiteral("lr"), studio::NewSweepDialog::Mode::Values, QStringLiteral("0.01, 0.001"));
    dialog.setSeeds(QStringLiteral("1, 2"));
    dialog.setSweepName(QStringLiteral("lr-sweep"));
    REQUIRE(dialog.problems().isEmpty());
    QSignalSpy ended(view, &studio::SweepView::sweepEnded);
    QSignalSpy refreshed(view, &studio::SweepView::refreshed);
    QString error;
    REQUIRE(view->createSweep(dialog.sweepName(), dialog.spec(), 2, &error));
    INFO(error.toStdString());
    CHECK(view->isRunning());
    REQUIRE(ended.wait(240'000));
    INFO(view->statusText().toStdString());
    CHECK(ended.last().at(0).toInt() == 0);
    if (refreshed.isEmpty() || view->snapshot().summary.finished < 4)
        REQUIRE(refreshed.wait(30'000));

    const auto& summary = view->snapshot().summary;
    CHECK(summary.trials == 4);
    CHECK(summary.finished == 4);
    REQUIRE(view->groupTable()->rowCount() == 2);
    CHECK(view->groupTable()->horizontalHeaderItem(0)->text() == QStringLiteral("lr"));
    CHECK(view->groupTable()->horizontalHeaderItem(1)->text() == QStringLiteral("Honest acc. %"));
    CHECK(view->groupTable()->item(0, 3)->text() == QStringLiteral("2/2"));
    REQUIRE(view->trialTable()->rowCount() == 4);
    for (int r = 0; r < 4; ++r)
        CHECK(view->trialTable()->item(r, 3)->text() == QStringLiteral("finished"));
    CHECK(view->coordinates()->rowCount() == 2);
    // The best configuration's curve: a band and its mean line.
    REQUIRE(view->shownGroup() >= 0);
    CHECK(view->curveChart()->series().size() == 2);
    CHECK(qobject_cast<QAreaSeries*>(view->curveChart()->series().front()));
    // Choosing the other row shows its configuration.
    const int other = view->groupTable()->item(1, 0)->data(Qt::UserRole + 1).toInt();
    view->groupTable()->selectRow(1);
    CHECK(view->shownGroup() == other);
    CHECK(view->coordinates()->selectedRow() >= 0);
    // The summary as CSV.
    const std::string csv = runs.file("summary.csv");
    REQUIRE(view->exportSummaryCsv(QString::fromStdString(csv), &error));
    std::ifstream in(csv);
    std::string header;
    std::getline(in, header);
    CHECK(header.rfind("lr,runs,finished,", 0) == 0);

    // A longer sweep, stopped after its first epochs; the same folder continued by a new view.
    w->configPanel()->setConfig(data.config(30, 50));
    studio::NewSweepDialog longer(w->configPanel()->config());
    longer.clearSettings();
    longer.addSetting(QStringLiteral("lr"), studio::NewSweepDialog::Mode::Values, QStringLiteral("0.001"));
    longer.setSeeds(QStringLiteral("1"));
    REQUIRE(view->createSweep(QStringLiteral("long"), longer.spec(), 1, &error));
    const std::string metrics = runs.file("sweeps/long/trial-0000/metrics.csv");
    auto rows = [&] {
        std::ifstream f(metrics);
        int n = 0;
        for (std::string line; std::getline(f, line);)
            n += !line.empty();
        return n;
    };
    for (int i = 0; i < 1200 && rows() < 3; ++i)
        QTest::qWait(100);
    REQUIRE(rows() >= 3);
    view->stopSweep(true);
    CHECK_FALSE(view->isRunning());
    REQUIRE((ended.size() == 2 || ended.wait(30'000)));
    CHECK(ended.last().at(0).toInt() == 130);
    const mnist::SweepFolder stopped = mnist::readSweepFolder(runs.file("sweeps/long"));
    CHECK(mnist::trialStatusOnDisk(stopped, stopped.plan.trials[0]).state == mnist::TrialState::Stopped);

    studio::SweepView later; // the window opened again
    later.setTrainProgram(QStringLiteral(MNIST_TRAIN_EXE));
    QSignalSpy laterRefreshed(&later, &studio::SweepView::refreshed);
    later.setSweepsFolder(QString::fromStdString(runs.file("sweeps")));
    REQUIRE(later.openSweep(QString::fromStdString(runs.file("sweeps/long"))));
    REQUIRE(laterRefreshed.wait(30'000));
    auto* cont = later.findChild<QPushButton*>(QStringLiteral("continueSweep"));
    REQUIRE(cont);
    CHECK(cont->isEnabled());
    QSignalSpy laterEnded(&later, &studio::SweepView::sweepEnded);
    cont->click();
    REQUIRE(laterEnded.wait(240'000));
    CHECK(laterEnded.last().at(0).toInt() == 0);
    const mnist::SweepFolder done = mnist::readSweepFolder(runs.file("sweeps/long"));
    CHECK(mnist::trialStatusOnDisk(done, done.plan.trials[0]).state == mnist::TrialState::Finished);
    std::ifstream log(runs.file("sweeps/long/logs/trial-0000.log"));
    const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
    CHECK(text.find("resuming") != std::string::npos);
}
