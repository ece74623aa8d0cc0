// The Sweeps tab (ui/SweepView, ui/NewSweepDialog, ui/ParallelCoordinates): a sweep planned in
// the dialog from the set-up panel's run trains through the real mnist-train, its configurations
// are pooled over the seeds in the table, the parallel-coordinates chart and the band chart; a
// stopped sweep is continued by a window opened later. A sweep folder written by hand pins the
// tables' contents and shows that a refresh changes them in place.
#include "UiTestSupport.h"

#include "setup/ConfigPanel.h"
#include "window/MainWindow.h"
#include "sweeps/NewSweepDialog.h"
#include "sweeps/ParallelCoordinates.h"
#include "sweeps/SweepView.h"
#include "RunFixtures.h"
#include "sweeps/SweepConfigModel.h"
#include "sweeps/SweepTrialModel.h"

#include "TestPaths.h"
#include "sweep/SweepFolder.h"
#include "sweep/SweepSpec.h"

#include <QAction>
#include <QAreaSeries>
#include <QChart>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineSeries>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <QXYSeries>

#include <filesystem>
#include <fstream>

using nlohmann::json;

namespace {

// A sweep of lr over three values with two seeds each, its run folders written by hand:
// configuration 0 finished (honest accuracies 95 and 97), configuration 1 one seed finished (85)
// and one interrupted after its first epoch, configuration 2 not started.
struct FixtureSweep {
    TempDir tmp;
    std::string dir = tmp.file("lr");
    mnist::SweepFolder folder;

    FixtureSweep()
    {
        const json spec = json::parse(R"({"base": {"epochs": 2}, "grid": {"lr": [0.01, 0.001, 0.0001]}, "seeds": [1, 2]})");
        folder = mnist::openSweepFolder(dir, mnist::planSweep(spec));
        writeTrial(0, {90, 95}, {0.5, 0.3}, true);
        writeTrial(1, {91, 97}, {0.4, 0.35}, true);
        writeTrial(2, {80, 85}, {0.5, 0.4}, true);
        writeTrial(3, {82}, {0.5}, false);
    }
    // Trial `i`'s run folder with these epochs (the honest accuracy is at the lowest valid loss);
    // `finished`: its model written, as at the end of a run.
    void writeTrial(size_t i, const std::vector<double>& testAccuracy, const std::vector<double>& validLoss, bool finished)
    {
        const mnist::SweepTrial& t = folder.plan.trials[i];
        const std::string run = mnist::trialDir(folder, t);
        std::filesystem::remove_all(run);
        uitest::writeRunFolder(run, t.config, uitest::makeEpochs(testAccuracy, validLoss));
        if (finished)
            std::ofstream(run + "/model.safetensors") << "weights";
    }
};

// The sweep shown in a new view, after its first refresh.
void openAndWait(studio::SweepView& view, const FixtureSweep& sweep)
{
    QSignalSpy refreshed(&view, &studio::SweepView::refreshed);
    REQUIRE(view.openSweep(QString::fromStdString(sweep.dir)));
    REQUIRE(refreshed.wait(30'000));
}

QStringList column(const QAbstractItemModel& model, int c)
{
    QStringList out;
    for (int r = 0; r < model.rowCount(); ++r)
        out << model.index(r, c).data().toString();
    return out;
}

} // namespace

TEST_CASE("The Sweeps tab's tables hold each configuration pooled over its seeds and each trial's state", "[ui][sweep]")
{
    FixtureSweep sweep;
    studio::SweepView view;
    openAndWait(view, sweep);

    const studio::SweepConfigModel& configs = *view.configModel();
    REQUIRE(configs.rowCount() == 3);
    REQUIRE(configs.columnCount() == 8);
    CHECK(configs.headerData(0, Qt::Horizontal, Qt::DisplayRole).toString() == QStringLiteral("lr"));
    CHECK(configs.headerData(1, Qt::Horizontal, Qt::DisplayRole).toString() == QStringLiteral("Honest acc. %"));
    CHECK(configs.headerData(1, Qt::Horizontal, Qt::ToolTipRole).toString().contains(QStringLiteral("honest metric")));
    CHECK(configs.headerData(7, Qt::Horizontal, Qt::DisplayRole).toString() == QStringLiteral("Seconds"));
    // In configuration order, ranked best first; numbers as numbers, rounded as shown.
    for (int r = 0; r < 3; ++r) {
        CHECK(configs.keyAt(r) == r);
        CHECK(configs.index(r, 0).data(studio::SweepConfigModel::RankRole).toInt() == r);
    }
    CHECK(configs.index(0, 0).data().toDouble() == Approx(0.01));
    CHECK(configs.index(0, 1).data().toDouble() == Approx(96.0));
    CHECK(configs.index(0, 2).data().toDouble() == Approx(1.41)); // the sample std of 95 and 97
    CHECK(configs.index(0, 2).data(Qt::ToolTipRole).toString() == QStringLiteral("1.4142"));
    CHECK(configs.index(0, 4).data().toDouble() == Approx(95.0));
    CHECK(configs.index(0, 5).data().toDouble() == Approx(97.0));
    CHECK(configs.index(0, 6).data().toDouble() == Approx(96.0)); // the best epochs' mean
    CHECK(configs.index(0, 7).data().isValid());
    CHECK(column(configs, 3) == QStringList({QStringLiteral("2/2"), QStringLiteral("1/2"), QStringLiteral("0/2")}));
    CHECK(configs.index(1, 1).data().toDouble() == Approx(85.0));
    CHECK_FALSE(configs.index(1, 2).data().isValid()); // one seed: no spread
    CHECK_FALSE(configs.index(2, 1).data().isValid()); // nothing finished
    CHECK(configs.index(2, 1).data(Qt::TextAlignmentRole).isValid());
    // The best configuration is shown and its row selected.
    CHECK(view.shownGroup() == 0);
    const auto selected = view.groupTable()->selectionModel()->selectedRows();
    REQUIRE(selected.size() == 1);
    CHECK(selected.front().data(studio::KeyedTableModel::KeyRole).toInt() == 0);

    const studio::SweepTrialModel& trials = *view.trialModel();
    REQUIRE(trials.rowCount() == 6);
    CHECK(column(trials, 0).front() == QStringLiteral("trial-0000"));
    CHECK(column(trials, 1).front() == QStringLiteral("lr=0.01"));
    CHECK(column(trials, 2) == QStringList({"1", "2", "1", "2", "1", "2"}));
    CHECK(column(trials, 3) == QStringList({"finished", "finished", "finished", "interrupted", "pending", "pending"}));
    CHECK(column(trials, 4) == QStringList({"2/2", "2/2", "2/2", "1/2", "0/2", "0/2"}));
    CHECK(trials.index(3, 5).data().toDouble() == Approx(82.0));
    CHECK_FALSE(trials.index(4, 5).data().isValid());

    // The curve: the seeds' mean per epoch and their min-max band.
    QChart* chart = view.curveChart();
    REQUIRE(chart->series().size() == 2);
    auto* band = qobject_cast<QAreaSeries*>(chart->series().front());
    auto* mean = qobject_cast<QXYSeries*>(chart->series().back());
    REQUIRE(band);
    REQUIRE(mean);
    REQUIRE(mean->count() == 2);
    CHECK(mean->at(1).y() == Approx(96.0));
    CHECK(band->upperSeries()->at(1).y() == Approx(97.0));
    CHECK(band->lowerSeries()->at(0).y() == Approx(90.0));
}

TEST_CASE("A refresh after a trial finishes keeps the chosen configuration, the sort and the trial selected", "[ui][sweep]")
{
    FixtureSweep sweep;
    studio::SweepView view;
    openAndWait(view, sweep);
    QTableView* table = view.groupTable();
    const QAbstractItemModel& shown = *table->model();
    const auto rowOf = [&](int group) {
        for (int r = 0; r < shown.rowCount(); ++r)
            if (shown.index(r, 0).data(studio::KeyedTableModel::KeyRole).toInt() == group)
                return r;
        return -1;
    };
    table->sortByColumn(1, Qt::DescendingOrder);
    CHECK(rowOf(0) < rowOf(1)); // 96 before 85
    table->selectRow(rowOf(1));
    CHECK(view.shownGroup() == 1);
    view.trialTable()->selectRow(3);

    QSignalSpy configResets(view.configModel(), &QAbstractItemModel::modelReset);
    QSignalSpy configChanges(view.configModel(), &QAbstractItemModel::dataChanged);
    QSignalSpy trialResets(view.trialModel(), &QAbstractItemModel::modelReset);
    QSignalSpy trialChanges(view.trialModel(), &QAbstractItemModel::dataChanged);
    // Configuration 1's seeds now average 96.5: it overtakes configuration 0.
    sweep.writeTrial(2, {80, 94}, {0.5, 0.4}, true);
    sweep.writeTrial(3, {82, 99}, {0.5, 0.3}, true);
    QSignalSpy refreshed(&view, &studio::SweepView::refreshed);
    view.refresh();
    REQUIRE(refreshed.wait(30'000));

    CHECK(configResets.isEmpty());
    CHECK(trialResets.isEmpty());
    CHECK(configChanges.size() == 2); // configurations 1 (its figures) and 0 (now second best); 2 unchanged
    CHECK(trialChanges.size() == 2);  // trials 2 and 3
    CHECK(shown.index(rowOf(1), 1).data().toDouble() == Approx(96.5));
    CHECK(table->horizontalHeader()->sortIndicatorSection() == 1);
    CHECK(table->horizontalHeader()->sortIndicatorOrder() == Qt::DescendingOrder);
    CHECK(rowOf(1) < rowOf(0)); // sorted again, by the new figures
    const auto selected = table->selectionModel()->selectedRows();
    REQUIRE(selected.size() == 1);
    CHECK(selected.front().data(studio::KeyedTableModel::KeyRole).toInt() == 1);
    CHECK(view.shownGroup() == 1);
    const auto trial = view.trialTable()->selectionModel()->selectedRows();
    REQUIRE(trial.size() == 1);
    CHECK(trial.front().row() == 3);
    CHECK(trial.front().siblingAtColumn(3).data().toString() == QStringLiteral("finished"));
}

TEST_CASE("A keyed table inserts, removes and changes rows in place, and resets for other columns", "[ui][sweep]")
{
    using Model = studio::KeyedTableModel;
    const auto row = [](qint64 key, const QString& text) {
        Model::Cell cell;
        cell.insert(Qt::DisplayRole, text);
        return Model::Row{key, {cell}};
    };
    Model model;
    const QVector<Model::Column> columns = {{QStringLiteral("name"), QStringLiteral("tip")}};
    model.setContents(columns, {row(1, "a"), row(2, "b"), row(3, "c")});
    REQUIRE(model.rowCount() == 3);
    CHECK(model.headerData(0, Qt::Horizontal, Qt::ToolTipRole).toString() == QStringLiteral("tip"));
    const QPersistentModelIndex b = model.index(1, 0);

    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.setContents(columns, {row(4, "d"), row(3, "C"), row(2, "b")});
    CHECK(resets.isEmpty());
    CHECK(removed.size() == 1);
    REQUIRE(changed.size() == 1);
    CHECK(changed.front().at(0).value<QModelIndex>().row() == 1); // key 3, now the second row
    REQUIRE(inserted.size() == 1);
    CHECK(inserted.front().at(1).toInt() == 2);
    // Kept rows keep their order; the new one comes last.
    CHECK(column(model, 0) == QStringList({"b", "C", "d"}));
    CHECK(b.isValid());
    CHECK(b.row() == 0);
    CHECK(model.rowOfKey(4) == 2);
    CHECK(model.rowOfKey(1) == -1);
    CHECK(model.index(2, 0).data(Model::KeyRole).toLongLong() == 4);

    model.setContents({{QStringLiteral("other"), {}}}, {row(9, "z")});
    CHECK(resets.size() == 1);
    CHECK(model.rowCount() == 1);
    model.clear();
    CHECK(model.rowCount() == 0);
    CHECK(model.columnCount() == 0);
}

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
    const QAbstractItemModel* groups = view->groupTable()->model();
    REQUIRE(groups->rowCount() == 2);
    CHECK(groups->headerData(0, Qt::Horizontal).toString() == QStringLiteral("lr"));
    CHECK(groups->headerData(1, Qt::Horizontal).toString() == QStringLiteral("Honest acc. %"));
    CHECK(groups->index(0, 3).data().toString() == QStringLiteral("2/2"));
    const QAbstractItemModel* trials = view->trialTable()->model();
    REQUIRE(trials->rowCount() == 4);
    for (int r = 0; r < 4; ++r)
        CHECK(trials->index(r, 3).data().toString() == QStringLiteral("finished"));
    CHECK(view->coordinates()->rowCount() == 2);
    // The best configuration's curve: a band and its mean line.
    REQUIRE(view->shownGroup() >= 0);
    CHECK(view->curveChart()->series().size() == 2);
    CHECK(qobject_cast<QAreaSeries*>(view->curveChart()->series().front()));
    // Choosing the other row shows its configuration.
    const int other = groups->index(1, 0).data(studio::KeyedTableModel::KeyRole).toInt();
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
