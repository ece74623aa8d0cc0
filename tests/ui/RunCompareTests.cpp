#include "UiTestSupport.h"

#include "runs/RunBrowser.h"
#include "runs/RunComparePanel.h"
#include "runs/RunComparisonChart.h"
#include "RunFixtures.h"
#include "shared/ChartStyle.h"

#include "spec/ConfigDiff.h"

#include <catch2/catch.hpp>

#include <QAreaSeries>
#include <QChart>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QGuiApplication>
#include <QLineSeries>
#include <QTableWidget>
#include <QTest>

#include <cmath>

using studio::RunBrowser;

namespace {

// Three runs that differ in the learning rate and the architecture, and in nothing else.
struct ComparedRuns {
    TempDir dir;
    mnist::TrainConfig a, b, c;
    ComparedRuns()
    {
        a.arch = "LeNet";
        b.arch = "LeNet";
        b.lr = 0.05;
        c.arch = "SimpleNet";
        uitest::writeRunFolder(dir.file("20260101-100000-LeNet"), a, uitest::makeEpochs({97.0, 98.0}, {0.10, 0.08}));
        // Three epochs where the others have two: the third is its group's alone.
        uitest::writeRunFolder(dir.file("20260102-100000-LeNet"), b,
                               uitest::makeEpochs({95.0, 97.0, 98.5}, {0.20, 0.10, 0.06}));
        uitest::writeRunFolder(dir.file("20260103-100000-SimpleNet"), c, uitest::makeEpochs({96.0, 99.0}, {0.12, 0.04}));
    }
    QString path() const { return QString::fromStdString(dir.path().string()); }
};

struct Browser {
    ComparedRuns runs;
    RunBrowser browser;
    Browser()
    {
        browser.resize(1400, 800);
        browser.setRunsFolder(runs.path());
        browser.show();
        REQUIRE(QTest::qWaitForWindowExposed(&browser));
        uitest::waitForListing(browser);
        REQUIRE(browser.filter()->rowCount() == 3);
        for (const char* name : {"20260101-100000-LeNet", "20260102-100000-LeNet", "20260103-100000-SimpleNet"})
            uitest::RunRow(browser, name).select();
        REQUIRE(browser.selectedRunDirs().size() == 3);
    }
};

QStringList headerTips(const QTableWidget* table)
{
    QStringList tips;
    for (int row = 0; row < table->rowCount(); ++row)
        tips << table->verticalHeaderItem(row)->toolTip();
    return tips;
}

QStringList columnNames(const QTableWidget* table)
{
    QStringList names;
    for (int col = 0; col < table->columnCount(); ++col)
        names << table->horizontalHeaderItem(col)->text();
    return names;
}

template <typename Series>
Series* seriesNamed(const QChart* chart, const QString& name)
{
    for (QAbstractSeries* s : chart->series())
        if (s->name() == name)
            if (auto* typed = qobject_cast<Series*>(s))
                return typed;
    return nullptr;
}

} // namespace

TEST_CASE("Differences only shows exactly the settings that differ among the selected runs", "[ui][runs][compare]")
{
    Browser b;
    studio::RunComparePanel* panel = b.browser.comparePanel();
    const QTableWidget* table = panel->table();
    CHECK(panel->isVisible());
    CHECK(panel->differencesOnly()->isChecked());
    // A column per run, in the list's order (newest first).
    CHECK(columnNames(table) ==
          QStringList({"20260103-100000-SimpleNet", "20260102-100000-LeNet", "20260101-100000-LeNet"}));
    // The two accuracies, then the architecture and the learning rate: nothing else differs.
    REQUIRE(panel->rowLabels().size() == 4);
    CHECK(panel->rowLabels().mid(0, 2) == QStringList({"Honest accuracy", "Final accuracy"}));
    CHECK(headerTips(table).mid(2) == QStringList({"arch", "lr"}));
    CHECK(table->item(2, 0)->text() == "SimpleNet");
    CHECK(table->item(2, 1)->text() == "LeNet");
    CHECK(table->item(3, 0)->text() == "0.01");
    CHECK(table->item(3, 1)->text() == "0.05");
    CHECK(table->item(3, 0)->font().bold());
    // Honest: the test accuracy at the lowest valid loss; final: the last epoch's.
    CHECK(table->item(0, 0)->text() == "99.00%");
    CHECK(table->item(0, 1)->text() == "98.50%");
    CHECK(table->item(1, 2)->text() == "98.00%");
    CHECK_FALSE(table->item(0, 0)->font().bold());

    // Every setting without the switch, the same ones still emphasised.
    panel->differencesOnly()->setChecked(false);
    const auto all = mnist::compareSettings({b.runs.c, b.runs.b, b.runs.a}, false);
    REQUIRE(table->rowCount() == static_cast<int>(all.size()) + 2);
    CHECK(table->rowCount() > 4);
    int bold = 0;
    for (int row = 2; row < table->rowCount(); ++row) {
        INFO(headerTips(table)[row].toStdString());
        CHECK(headerTips(table)[row] == QString::fromStdString(all[static_cast<size_t>(row - 2)].key));
        bold += table->item(row, 0)->font().bold();
    }
    CHECK(bold == 2);

    // The table as TSV, also what Ctrl+C copies.
    const QStringList lines = panel->tsv().trimmed().split('\n');
    REQUIRE(lines.size() == table->rowCount() + 1);
    CHECK(lines[0] == "Setting\t20260103-100000-SimpleNet\t20260102-100000-LeNet\t20260101-100000-LeNet");
    CHECK(lines[1] == "Honest accuracy\t99.00%\t98.50%\t98.00%");
    QGuiApplication::clipboard()->clear();
    panel->table()->setFocus();
    QTest::keyClick(panel->table(), Qt::Key_C, Qt::ControlModifier);
    CHECK(QGuiApplication::clipboard()->text() == panel->tsv());

    // One run: nothing to compare, and the panel goes.
    b.browser.list()->clearSelection();
    uitest::RunRow(b.browser, "20260101-100000-LeNet").select();
    CHECK_FALSE(panel->isVisible());
}

TEST_CASE("Grouping compared runs by arch draws each group's mean and min-max band per epoch", "[ui][runs][compare]")
{
    Browser b;
    studio::RunComparePanel* panel = b.browser.comparePanel();
    const studio::RunComparisonChart* chart = b.browser.comparison();
    CHECK(chart->legendNames().size() == 3);
    // The settings that differ are offered first.
    const QComboBox* combo = panel->groupByCombo();
    REQUIRE(combo->count() > 3);
    CHECK(combo->itemData(0).toString().isEmpty());
    CHECK(combo->itemData(1).toString() == "arch");
    CHECK(combo->itemData(2).toString() == "lr");

    REQUIRE(panel->setGroupBy("arch"));
    CHECK(chart->groupBy() == "arch");
    CHECK(chart->legendNames() == QStringList({"arch=LeNet (2 runs)", "arch=SimpleNet (1 run)"}));
    // Per group: the band, the mean accuracy and the mean valid loss.
    CHECK(chart->seriesCount() == 6);

    const QString lenet = "arch=LeNet (2 runs)";
    auto* mean = seriesNamed<QLineSeries>(chart->chart(), lenet);
    auto* band = seriesNamed<QAreaSeries>(chart->chart(), lenet + " (min-max)");
    auto* loss = seriesNamed<QLineSeries>(chart->chart(), lenet + " (valid loss)");
    REQUIRE(mean);
    REQUIRE(band);
    REQUIRE(loss);
    // Epochs 1 and 2 pool both LeNet runs (97, 98 and 95, 97); epoch 3 is the second run's alone.
    const QList<QPointF> expectedMean{{1, 96.0}, {2, 97.5}, {3, 98.5}};
    const QList<QPointF> expectedMin{{1, 95.0}, {2, 97.0}, {3, 98.5}};
    const QList<QPointF> expectedMax{{1, 97.0}, {2, 98.0}, {3, 98.5}};
    CHECK(mean->points() == expectedMean);
    CHECK(band->lowerSeries()->points() == expectedMin);
    CHECK(band->upperSeries()->points() == expectedMax);
    REQUIRE(loss->count() == 3);
    CHECK(loss->at(0).y() == Approx(0.15));
    CHECK(loss->at(1).y() == Approx(0.09));
    CHECK(loss->at(2).y() == Approx(0.06));
    // Colour per group: the band in the mean's colour, translucent.
    CHECK(band->brush().color().rgb() == mean->pen().color().rgb());
    CHECK(band->brush().color().alpha() < 255);

    auto* simple = seriesNamed<QAreaSeries>(chart->chart(), "arch=SimpleNet (1 run) (min-max)");
    REQUIRE(simple);
    CHECK(simple->upperSeries()->points() == simple->lowerSeries()->points());

    // By the learning rate: 0.01 holds the LeNet and SimpleNet runs at their first epochs.
    REQUIRE(panel->setGroupBy("lr"));
    CHECK(chart->legendNames() == QStringList({"lr=0.01 (2 runs)", "lr=0.05 (1 run)"}));
    auto* lr = seriesNamed<QLineSeries>(chart->chart(), "lr=0.01 (2 runs)");
    REQUIRE(lr);
    CHECK(lr->at(1).y() == Approx((98.0 + 99.0) / 2));

    // One run: nothing grouped; several again: grouped as chosen before.
    b.browser.list()->clearSelection();
    uitest::RunRow(b.browser, "20260101-100000-LeNet").select();
    CHECK(chart->groupBy().isEmpty());
    CHECK(chart->legendNames() == QStringList({"20260101-100000-LeNet"}));
    uitest::RunRow(b.browser, "20260102-100000-LeNet").select();
    CHECK(chart->groupBy() == "lr");
    CHECK(chart->legendNames() == QStringList({"lr=0.01 (1 run)", "lr=0.05 (1 run)"}));

    // (none): every run again.
    REQUIRE(panel->setGroupBy(QString()));
    CHECK(chart->legendNames().size() == 2);
    CHECK(chart->seriesCount() == 4);
}
