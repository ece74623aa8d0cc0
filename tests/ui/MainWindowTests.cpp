// The window's tab list (one table in MainWindow.cpp) reaches every tab from the View menu and
// from --tab's names; the English number formats every tab uses (ui/NumberFormat.h).
#include "UiTestSupport.h"

#include "window/MainWindow.h"
#include "shared/NumberFormat.h"
#include "setup/RecipeList.h"
#include "sweeps/SweepView.h"

#include <QAction>
#include <QDateTime>
#include <QLocale>
#include <QSet>
#include <QTabWidget>

TEST_CASE("Every tab is reached from the View menu and by its --tab name, each a tab of its own", "[ui][mainwindow]")
{
    auto w = uitest::makeWindow();
    auto* tabs = w->findChild<QTabWidget*>(QStringLiteral("mainTabs"));
    REQUIRE(tabs);
    QStringList names = studio::MainWindow::tabNames();
    REQUIRE(names.size() == tabs->count() + 1);
    CHECK(names.front() == QStringLiteral("training"));
    CHECK(names.back() == QStringLiteral("recipes"));
    names.removeLast();

    QSet<QWidget*> pages;
    for (const QString& name : names) {
        INFO(name.toStdString());
        tabs->setCurrentIndex(name == names.front() ? tabs->count() - 1 : 0); // somewhere else first
        REQUIRE(w->showTabNamed(name));
        QWidget* page = tabs->currentWidget();
        pages.insert(page);
        // The View menu's entry shows the same page.
        auto* action = w->findChild<QAction*>(QStringLiteral("showTab_%1").arg(name));
        REQUIRE(action);
        tabs->setCurrentIndex(name == names.front() ? tabs->count() - 1 : 0);
        action->trigger();
        CHECK(tabs->currentWidget() == page);
    }
    CHECK(pages.size() == tabs->count());

    // The enum's tabs are the table's, in its order; the titles are as before.
    w->showTab(studio::MainWindow::Tab::Sweeps);
    CHECK(tabs->currentWidget() == static_cast<QWidget*>(w->sweepView()));
    CHECK(tabs->tabText(tabs->currentIndex()) == QStringLiteral("Sweeps"));
    w->showTab(studio::MainWindow::Tab::Dashboard);
    CHECK(tabs->currentIndex() == 0);
    CHECK(tabs->tabText(0) == QStringLiteral("Training"));
    CHECK(tabs->tabText(1) == QStringLiteral("Augmentation preview"));

    // The recipes are on the left; an unknown name shows nothing.
    CHECK(w->showTabNamed(QStringLiteral("recipes")));
    CHECK(w->recipeList()->isVisible());
    const int before = tabs->currentIndex();
    CHECK_FALSE(w->showTabNamed(QStringLiteral("sweep")));
    CHECK(tabs->currentIndex() == before);
}

TEST_CASE("Numbers are written in English whatever the desktop's locale", "[ui][format]")
{
    const QLocale previous;
    QLocale::setDefault(QLocale(QLocale::German, QLocale::Germany));
    CHECK(studio::formatCount(60000) == QStringLiteral("60,000"));
    CHECK(studio::formatCount(-1234567) == QStringLiteral("-1,234,567"));
    CHECK(studio::formatReal(1234.5678, 2) == QStringLiteral("1,234.57"));
    CHECK(studio::formatReal(99.0, 0) == QStringLiteral("99"));
    CHECK(studio::formatPercent(99.125, 1) == QStringLiteral("99.1%"));
    CHECK(studio::formatSignificant(0.000123456, 3) == QStringLiteral("0.000123"));
    CHECK(studio::formatDuration(65) == QStringLiteral("1:05"));
    CHECK(studio::formatDuration(3723) == QStringLiteral("1:02:03"));
    CHECK(studio::formatDateTime(QDateTime(QDate(2026, 3, 1), QTime(9, 5)), QStringLiteral("MMM d, HH:mm")) == QStringLiteral("Mar 1, 09:05"));
    QLocale::setDefault(previous);
}
