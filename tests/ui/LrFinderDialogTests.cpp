#include "UiTestSupport.h"

#include "setup/ConfigPanel.h"
#include "setup/LrFinderDialog.h"
#include "shared/NumberEdit.h"

#include <catch2/catch.hpp>

#include <QChart>
#include <QChartView>
#include <QLineSeries>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <QToolButton>

using studio::ConfigPanel;
using studio::LrFinderDialog;

namespace {

// The dialog the panel's "Find…" button opened, once its test has ended.
LrFinderDialog* finishedDialog(ConfigPanel& panel)
{
    auto* dialog = panel.findChild<LrFinderDialog*>();
    REQUIRE(dialog);
    REQUIRE(QTest::qWaitFor([&] { return !dialog->isRunning(); }, 60'000));
    return dialog;
}

double panelLr(ConfigPanel& panel, const char* key)
{
    auto* edit = qobject_cast<studio::NumberEdit*>(panel.fieldEditor(QLatin1String(key)));
    REQUIRE(edit);
    REQUIRE(edit->value());
    return *edit->value();
}

} // namespace

TEST_CASE("The LR range test dialog draws the curve and Use suggested (Enter) sets the panel's learning rate",
          "[ui][lr-find]")
{
    uitest::TinyDataset data(300, 20);
    ConfigPanel panel;
    auto config = data.config(2, 10);
    config.trainFraction = 0.5; // 15 iterations of 10 images
    panel.setConfig(config);
    panel.show();
    QSignalSpy changed(&panel, &ConfigPanel::configChanged);

    auto* find = panel.findChild<QToolButton*>(QStringLiteral("findLr"));
    REQUIRE(find);
    find->click();
    LrFinderDialog* dialog = finishedDialog(panel);
    INFO(dialog->statusText().toStdString());
    CHECK(dialog->pointCount() >= 2);
    CHECK(dialog->pointCount() <= 15);
    CHECK(dialog->suggestedLr() > 0);
    CHECK(dialog->targetField() == QStringLiteral("lr"));
    auto* curve = qobject_cast<QLineSeries*>(dialog->chartView()->chart()->series().value(0));
    REQUIRE(curve);
    CHECK(curve->count() == dialog->pointCount());
    CHECK(dialog->findChild<QPushButton*>(QStringLiteral("useSuggestedLr"))->isEnabled());

    const double suggested = dialog->suggestedLr();
    QPointer<LrFinderDialog> alive(dialog);
    QTest::keyClick(dialog, Qt::Key_Return);
    CHECK(panelLr(panel, "lr") == suggested);
    CHECK(panel.config().lr == suggested);
    CHECK(changed.count() >= 1);
    REQUIRE(QTest::qWaitFor([&] { return alive.isNull(); }, 5'000)); // closed and deleted
}

TEST_CASE("A click on the LR range test's chart sets that LR, into max_lr for one-cycle, Esc cancels a running test",
          "[ui][lr-find]")
{
    uitest::TinyDataset data(300, 20);
    ConfigPanel panel;
    auto config = data.config(2, 10);
    config.trainFraction = 0.5;
    config.scheduler.type = "one-cycle";
    panel.setConfig(config);
    panel.show();

    SECTION("a click on the chart")
    {
        LrFinderDialog* dialog = panel.openLrFinder(12);
        REQUIRE(QTest::qWaitForWindowExposed(dialog));
        REQUIRE(QTest::qWaitFor([&] { return !dialog->isRunning(); }, 60'000));
        CHECK(dialog->targetField() == QStringLiteral("scheduler.max_lr"));
        CHECK(dialog->pointCount() <= 12);
        QChart* chart = dialog->chartView()->chart();
        const QRectF plot = chart->plotArea();
        // Halfway across a log axis from 1e-7 is the geometric middle of the tested range.
        const QPoint at = dialog->chartView()->mapFromScene(chart->mapToScene(plot.center()));
        const double lr = chart->mapToValue(plot.center(), chart->series().value(0)).x();
        const double before = panel.config().lr;
        QSignalSpy chosen(dialog, &LrFinderDialog::lrChosen);
        QTest::mouseClick(dialog->chartView()->viewport(), Qt::LeftButton, {}, at);
        REQUIRE(chosen.count() == 1);
        CHECK(chosen.at(0).at(0).toDouble() == Approx(lr).epsilon(0.15));
        CHECK(panel.config().scheduler.maxLr == chosen.at(0).at(0).toDouble());
        CHECK(panel.config().lr == before); // one-cycle's LR is max_lr: lr is untouched
    }
    SECTION("Esc while it runs")
    {
        // A full epoch with an iteration cap the test cannot reach quickly: stopped at once.
        QPointer<LrFinderDialog> dialog = panel.openLrFinder();
        const double before = panel.config().scheduler.maxLr;
        QTest::keyClick(dialog, Qt::Key_Escape);
        REQUIRE(QTest::qWaitFor([&] { return dialog.isNull(); }, 30'000));
        CHECK(panel.config().scheduler.maxLr == before);
    }
}
