// The Sweeps tab's search charts (ui/sweeps: OptimizationHistory, IntermediateValues,
// ParameterImportance, SlicePlots) drawn from a synthetic SweepSummary, the trial table's pruned
// and diverged states, the status line's search, and the new-sweep dialog's TPE and pruners.
#include "UiTestSupport.h"

#include "shared/RankedSortProxy.h"
#include "sweeps/IntermediateValues.h"
#include "sweeps/NewSweepDialog.h"
#include "sweeps/OptimizationHistory.h"
#include "sweeps/ParameterImportance.h"
#include "sweeps/SliceChart.h"
#include "sweeps/SlicePlots.h"
#include "sweeps/SweepCells.h"
#include "sweeps/SweepView.h"

#include "sweep/SweepSummary.h"

#include <QAbstractAxis>
#include <QBarSet>
#include <QCategoryAxis>
#include <QChart>
#include <QComboBox>
#include <QHorizontalBarSeries>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTest>
#include <QValueAxis>
#include <QXYSeries>

#include <array>
#include <cmath>
#include <limits>

using nlohmann::json;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A TPE + ASHA sweep of 20 trials of 9 epochs (rungs 1 and 3): trials 0-5 finished, 6-11 pruned
// at epoch 1, 12-15 pruned at epoch 3, 16 diverged at epoch 2, 17 and 18 running (2 and 5
// epochs), 19 planned. The loss is lowest near lr = 3e-3 and worse with batch 256; the settings:
// lr (log-spaced over 1e-4..3e-2), batch_size (64, 128, 256) and optimizer (adam, sgd).
// `secondsPerTrial`: how far apart the trials end.
mnist::SweepSummary syntheticSummary(double secondsPerTrial = 30)
{
    mnist::SweepSummary s;
    s.dir = "/tmp/synthetic";
    s.keys = {"batch_size", "lr", "optimizer"};
    s.sampler = "tpe";
    s.pruner = "asha";
    s.rungs = {1, 3};
    s.importance = {{"batch_size", 0.2}, {"lr", 0.7}, {"optimizer", 0.1}};
    s.trials = 20;
    for (int i = 0; i < 20; ++i) {
        mnist::TrialResult t;
        t.index = i;
        t.group = i;
        t.name = "trial-" + std::string(i < 10 ? "000" : "00") + std::to_string(i);
        const double lr = 1e-4 * std::pow(300.0, i / 19.0);
        const int batch = std::array<int, 3>{64, 128, 256}[static_cast<size_t>(i % 3)];
        t.params = {{"batch_size", batch}, {"lr", lr}, {"optimizer", i % 2 ? "sgd" : "adam"}};
        t.seed = 1;
        t.maxEpochs = 9;
        t.epochs = i < 6 ? 9 : i < 12 ? 1 : i < 16 ? 3 : i == 16 ? 2 : i == 17 ? 2 : i == 18 ? 5 : 0;
        t.state = i < 6 ? "finished" : i < 16 ? "pruned" : i == 16 ? "diverged" : i < 19 ? "running" : "planned";
        const double floor = 0.03 + 0.4 * std::abs(std::log10(lr) - std::log10(3e-3)) + (batch == 256 ? 0.05 : 0.0);
        for (int e = 1; e <= t.epochs; ++e)
            t.validLoss.push_back(floor + 0.5 / e);
        if (t.state == "diverged")
            t.validLoss.back() = kNaN;
        t.objective = t.state == "diverged" ? kInf : t.validLoss.empty() ? kNaN : t.validLoss.back();
        t.finishedAt = t.epochs > 0 ? secondsPerTrial * (i + 1) : kNaN;
        s.trialResults.push_back(t);
        mnist::SweepGroup g;
        g.group = i;
        g.params = t.params;
        g.runs = 1;
        g.finished = t.state == "finished";
        s.groups.push_back(g);
    }
    s.finished = 6;
    return s;
}

int count(const studio::TrialChart& chart, const QString& series)
{
    const QXYSeries* s = chart.seriesNamed(series);
    return s ? s->count() : -1;
}

// A chart shown at a usable size, so that its points have positions.
template <class Chart>
void show(Chart& chart)
{
    chart.resize(700, 450);
    chart.show();
    REQUIRE(QTest::qWaitForWindowExposed(&chart));
}

} // namespace

TEST_CASE("The optimization history marks each trial by state and steps the best finished loss down", "[ui][sweep][search]")
{
    studio::OptimizationHistory history;
    show(history);
    history.setSummary(syntheticSummary());
    CHECK(count(history, "finished") == 6);
    CHECK(count(history, "pruned") == 10);
    CHECK(count(history, "running") == 2);
    CHECK(count(history, "diverged") == 1);
    CHECK(count(history, "failed") == 0);
    // The diverged trial sits at the top edge, above every loss, inside the axis.
    const auto* y = history.chart()->axes(Qt::Vertical).front();
    const double top = history.seriesNamed("diverged")->at(0).y();
    CHECK(std::isfinite(top));
    CHECK(top < y->property("max").toDouble());
    for (const char* state : {"finished", "pruned", "running"})
        for (const QPointF& p : history.seriesNamed(state)->points())
            CHECK(p.y() < top);
    // The best so far never rises, and ends at the best finished trial's loss.
    const QXYSeries* best = history.seriesNamed(studio::OptimizationHistory::bestSeriesName());
    REQUIRE(best);
    REQUIRE(best->count() >= 2);
    double bestFinished = kInf;
    for (const mnist::TrialResult& t : syntheticSummary().trialResults)
        if (t.state == "finished")
            bestFinished = std::min(bestFinished, t.objective);
    for (int i = 1; i < best->count(); ++i) {
        CHECK(best->at(i).y() <= best->at(i - 1).y());
        CHECK(best->at(i).x() >= best->at(i - 1).x());
    }
    CHECK(best->at(best->count() - 1).y() == Approx(bestFinished));
    // Seconds here; a sweep of hours counts minutes.
    CHECK(history.chart()->axes(Qt::Horizontal).front()->titleText().contains(QStringLiteral("seconds")));
    history.setSummary(syntheticSummary(300));
    CHECK(history.chart()->axes(Qt::Horizontal).front()->titleText().contains(QStringLiteral("minutes")));
    CHECK(history.seriesNamed("finished")->at(0).x() == Approx(5.0)); // trial 0 ended at 300 s
}

TEST_CASE("The history's y axis is logarithmic when the losses span more than a decade", "[ui][sweep][search]")
{
    studio::OptimizationHistory history;
    mnist::SweepSummary s = syntheticSummary();
    history.setSummary(s);
    CHECK_FALSE(history.isLogAxis(Qt::AlignLeft)); // 0.1 to about 1.6
    s.trialResults[0].objective = 0.004;
    history.setSummary(s);
    CHECK(history.isLogAxis(Qt::AlignLeft));
}

TEST_CASE("Intermediate values draw every trial's losses, pruned lines ending at their rung, the rungs and the best", "[ui][sweep][search]")
{
    studio::IntermediateValues chart;
    show(chart);
    const mnist::SweepSummary s = syntheticSummary();
    chart.setSummary(s);
    for (const mnist::TrialResult& t : s.trialResults) {
        const QXYSeries* line = chart.seriesNamed(QString::fromStdString(t.name));
        if (t.epochs == 0) {
            CHECK_FALSE(line);
            continue;
        }
        REQUIRE(line);
        const int finite = t.state == "diverged" ? static_cast<int>(t.epochs) - 1 : static_cast<int>(t.epochs);
        CHECK(line->count() == finite);
        if (t.state == "pruned") {
            // It ends at its rung.
            const double last = line->at(line->count() - 1).x();
            CHECK(last == static_cast<double>(t.epochs));
            CHECK((last == 1 || last == 3));
        }
    }
    CHECK(count(chart, studio::IntermediateValues::prunedEndsName()) == 10);
    for (const QPointF& p : chart.seriesNamed(studio::IntermediateValues::prunedEndsName())->points())
        CHECK((p.x() == 1 || p.x() == 3));
    for (int64_t rung : {1, 3}) {
        const QXYSeries* guide = chart.seriesNamed(studio::IntermediateValues::rungSeriesName(rung));
        REQUIRE(guide);
        CHECK(guide->at(0).x() == rung);
        CHECK(guide->at(1).x() == rung);
    }
    // The best finished trial is drawn thickest, last (on top).
    double best = kInf;
    int bestIndex = -1;
    for (const mnist::TrialResult& t : s.trialResults)
        if (t.state == "finished" && t.objective < best)
            best = t.objective, bestIndex = static_cast<int>(t.index);
    REQUIRE(chart.bestTrial() == bestIndex);
    const QXYSeries* bestLine = chart.seriesNamed(QString::fromStdString(s.trialResults[static_cast<size_t>(bestIndex)].name));
    for (QAbstractSeries* other : chart.chart()->series())
        if (auto* xy = qobject_cast<QXYSeries*>(other); xy && xy != bestLine)
            CHECK(xy->pen().widthF() < bestLine->pen().widthF());
}

TEST_CASE("Parameter importance draws one bar per setting, largest on top, summing to 100 percent", "[ui][sweep][search]")
{
    studio::ParameterImportance chart;
    chart.setSummary(syntheticSummary());
    CHECK(chart.settings() == QStringList({"lr", "batch_size", "optimizer"}));
    REQUIRE(chart.percents().size() == 3);
    double sum = 0;
    for (int i = 0; i < 3; ++i) {
        sum += chart.percents()[i];
        if (i > 0)
            CHECK(chart.percents()[i] <= chart.percents()[i - 1]);
    }
    CHECK(sum == Approx(100.0));
    // The bars as drawn: a horizontal bar chart's first category is the bottom one.
    REQUIRE(chart.chart()->series().size() == 1);
    auto* bars = qobject_cast<QHorizontalBarSeries*>(chart.chart()->series().front());
    REQUIRE(bars);
    CHECK(bars->barSets().front()->at(2) == Approx(70.0));
    CHECK(bars->barSets().front()->at(0) == Approx(10.0));

    mnist::SweepSummary none = syntheticSummary();
    none.importance.clear();
    chart.setSummary(none);
    CHECK(chart.chart()->series().isEmpty());
    CHECK(chart.settings().isEmpty());
}

TEST_CASE("Slice plots give each setting a chart, log for a wide positive range, labels for text", "[ui][sweep][search]")
{
    studio::SlicePlots slices;
    slices.resize(900, 700);
    slices.setSummary(syntheticSummary());
    REQUIRE(slices.charts().size() == 3);
    studio::SliceChart* lr = slices.chartFor(QStringLiteral("lr"));
    studio::SliceChart* batch = slices.chartFor(QStringLiteral("batch_size"));
    studio::SliceChart* optimizer = slices.chartFor(QStringLiteral("optimizer"));
    REQUIRE(lr);
    REQUIRE(batch);
    REQUIRE(optimizer);
    CHECK(lr->isLogAxis(Qt::AlignBottom));     // 1e-4 to 3e-2: more than two decades
    CHECK_FALSE(batch->isLogAxis(Qt::AlignBottom)); // 64 to 256
    CHECK(optimizer->categories() == QStringList({"adam", "sgd"}));
    auto* axis = qobject_cast<QCategoryAxis*>(optimizer->chart()->axes(Qt::Horizontal).front());
    REQUIRE(axis);
    CHECK(axis->categoriesLabels() == QStringList({"adam", "sgd"}));
    for (studio::SliceChart* c : slices.charts()) {
        CHECK(count(*c, "finished") == 6);
        CHECK(count(*c, "pruned") == 10);
        CHECK(count(*c, "running") == 2);
        CHECK(count(*c, "diverged") == 1);
    }
    for (const QPointF& p : optimizer->seriesNamed("finished")->points())
        CHECK((p.x() == 0 || p.x() == 1));
    // A refresh with the same settings keeps the charts (and with them their zoom).
    const auto before = slices.charts();
    slices.setSummary(syntheticSummary());
    CHECK(slices.charts() == before);
}

TEST_CASE("Clicking a trial's point in a chart names it and emits it, a refresh keeps the zoom", "[ui][sweep][search]")
{
    studio::OptimizationHistory history;
    show(history);
    const mnist::SweepSummary s = syntheticSummary();
    history.setSummary(s);
    QSignalSpy clicked(&history, &studio::TrialChart::trialClicked);
    const QPoint at = history.pointOf(4);
    REQUIRE(at.x() >= 0);
    CHECK(history.trialAt(at) == 4);
    QTest::mouseClick(history.viewport(), Qt::LeftButton, {}, at);
    REQUIRE(clicked.size() == 1);
    CHECK(clicked.front().at(0).toInt() == 4);
    CHECK_FALSE(history.chart()->isZoomed()); // a click is not a zoom
    CHECK(studio::trialToolTip(s.trialResults[4]).contains(QStringLiteral("trial-0004")));
    CHECK(studio::trialToolTip(s.trialResults[4]).contains(QStringLiteral("lr=")));
    CHECK(studio::trialToolTip(s.trialResults[16]).contains(QStringLiteral("diverged")));

    studio::IntermediateValues lines;
    show(lines);
    lines.setSummary(s);
    QSignalSpy lineClicked(&lines, &studio::TrialChart::trialClicked);
    const QPoint end = lines.pointOf(13); // pruned at epoch 3: its end marker
    REQUIRE(end.x() >= 0);
    QTest::mouseClick(lines.viewport(), Qt::LeftButton, {}, end);
    REQUIRE(lineClicked.size() == 1);
    CHECK(lineClicked.front().at(0).toInt() == 13);

    // Zoomed in, a refresh leaves the axes where the user put them.
    history.chart()->zoomIn(QRectF(history.chart()->plotArea().center() - QPointF(50, 50), QSizeF(100, 100)));
    REQUIRE(history.chart()->isZoomed());
    const auto* x = history.chart()->axes(Qt::Horizontal).front();
    const double lo = x->property("min").toDouble(), hi = x->property("max").toDouble();
    history.setSummary(s);
    CHECK(x->property("min").toDouble() == Approx(lo));
    CHECK(x->property("max").toDouble() == Approx(hi));
    CHECK(history.chart()->axes(Qt::Horizontal).front() == x);
}

TEST_CASE("The trial table says where a trial was pruned and where it diverged", "[ui][sweep][search]")
{
    const mnist::SweepSummary s = syntheticSummary();
    CHECK(studio::trialStateText(s.trialResults[7]) == QStringLiteral("pruned at epoch 1"));
    CHECK(studio::trialStateText(s.trialResults[13]) == QStringLiteral("pruned at epoch 3"));
    CHECK(studio::trialStateText(s.trialResults[16]) == QStringLiteral("diverged at epoch 2"));
    CHECK(studio::trialStateText(s.trialResults[0]) == QStringLiteral("finished"));
    CHECK(studio::SweepView::searchText(s) == QStringLiteral("TPE, ASHA (rungs 1, 3)"));
    mnist::SweepSummary grid = s;
    grid.sampler = "grid";
    grid.pruner = "none";
    grid.rungs.clear();
    CHECK(studio::SweepView::searchText(grid) == QStringLiteral("grid, no pruning"));
}

TEST_CASE("The Sweeps tab's charts sit in tabs, named for the command line, and a refresh keeps the chosen one", "[ui][sweep][search]")
{
    studio::SweepView view;
    QTabWidget* tabs = view.chartTabs();
    REQUIRE(tabs->count() == 6);
    CHECK(tabs->tabText(2) == QStringLiteral("History"));
    CHECK(tabs->widget(2) == view.history());
    CHECK(tabs->widget(3) == view.intermediateValues());
    CHECK(tabs->widget(4) == view.importance());
    CHECK(tabs->widget(5) == view.slices());
    CHECK(studio::SweepView::chartNames().size() == 6);
    REQUIRE(view.showChart(QStringLiteral("intermediate")));
    CHECK(tabs->currentWidget() == view.intermediateValues());
    CHECK_FALSE(view.showChart(QStringLiteral("nonsense")));
    CHECK(tabs->currentWidget() == view.intermediateValues());
}

TEST_CASE("The new-sweep dialog's TPE search with ASHA builds the issue's spec", "[ui][sweep][search]")
{
    mnist::TrainConfig base;
    base.epochs = 9;
    studio::NewSweepDialog dialog(base);
    dialog.clearSettings();
    dialog.setSearch(studio::NewSweepDialog::Search::Tpe);
    dialog.addSetting(QStringLiteral("scheduler.max_lr"), studio::NewSweepDialog::Mode::RandomLogUniform, QStringLiteral("1e-4, 0.03"));
    dialog.addSetting(QStringLiteral("batch_size"), studio::NewSweepDialog::Mode::RandomChoice, QStringLiteral("64, 128, 256"));
    dialog.setTpe(40, 10, 0);
    dialog.setPruner(studio::NewSweepDialog::Pruner::Asha);
    dialog.setAsha(1, 3);
    dialog.setSeeds(QStringLiteral("1"));
    json spec = dialog.spec();
    CHECK(spec["base"]["epochs"] == 9);
    spec.erase("base");
    const json expected = json::parse(R"({"tpe": {"trials": 40, "startup": 10, "seed": 0,
                                                  "space": {"scheduler.max_lr": {"log_uniform": [1e-4, 0.03]},
                                                            "batch_size": {"choice": [64, 128, 256]}}},
                                          "pruner": {"type": "asha", "min_epochs": 1, "reduction_factor": 3}, "seeds": [1]})");
    CHECK(spec == expected);

    // The median rule, and whole numbers.
    dialog.setPruner(studio::NewSweepDialog::Pruner::Median);
    dialog.setMedianWarmup(2);
    dialog.addSetting(QStringLiteral("epochs"), studio::NewSweepDialog::Mode::RandomIntUniform, QStringLiteral("2, 5"));
    spec = dialog.spec();
    CHECK(spec["pruner"] == json::parse(R"({"type": "median", "warmup_epochs": 2})"));
    CHECK(spec["tpe"]["space"]["epochs"] == json::parse(R"({"int_uniform": [2, 5]})"));
    dialog.setPruner(studio::NewSweepDialog::Pruner::None);
    CHECK_FALSE(dialog.spec().contains("pruner"));

    // Switching the search carries the rows over: a value list becomes a choice and back.
    studio::NewSweepDialog other(base);
    CHECK(other.search() == studio::NewSweepDialog::Search::Grid);
    REQUIRE(other.spec()["grid"]["lr"].size() == 2u);
    other.setSearch(studio::NewSweepDialog::Search::Tpe);
    CHECK_FALSE(other.spec().contains("grid"));
    CHECK(other.spec()["tpe"]["space"]["lr"]["choice"].size() == 2u);
    other.setSearch(studio::NewSweepDialog::Search::Grid);
    CHECK(other.spec()["grid"]["lr"].size() == 2u);
    // A distribution row added to a grid makes it a random search, as before the choice existed.
    other.addSetting(QStringLiteral("label_smoothing"), studio::NewSweepDialog::Mode::RandomUniform, QStringLiteral("0, 0.2"));
    CHECK(other.search() == studio::NewSweepDialog::Search::Random);
    CHECK(other.spec()["random"]["space"].contains("label_smoothing"));
}

TEST_CASE("A configuration without a figure yet sorts last, whichever way the column is sorted", "[ui][sweep][search]")
{
    constexpr int rankRole = Qt::UserRole + 7;
    QStandardItemModel model;
    const QVariant values[] = {98.9, QVariant(), 99.1, QVariant(), 98.95};
    for (int row = 0; row < 5; ++row) {
        auto* item = new QStandardItem;
        if (values[row].isValid())
            item->setData(values[row], Qt::DisplayRole);
        item->setData(row, rankRole);
        model.appendRow(item);
    }
    studio::RankedSortProxy proxy(rankRole);
    proxy.setSourceModel(&model);
    const auto order = [&] {
        QVector<int> rows;
        for (int r = 0; r < proxy.rowCount(); ++r)
            rows << proxy.mapToSource(proxy.index(r, 0)).row();
        return rows;
    };
    proxy.sort(0, Qt::DescendingOrder);
    CHECK(order() == QVector<int>{2, 4, 0, 1, 3});
    proxy.sort(0, Qt::AscendingOrder);
    CHECK(order() == QVector<int>{0, 4, 2, 1, 3});
}
