// The application stylesheet (resources/style/studio.qss, loaded by the tests' main as by
// mnist-studio's) colours what widgets mark with studio::markProblem / markInvalid.
#include "UiTestSupport.h"

#include "shared/ChartStyle.h"
#include "window/MainWindow.h"
#include "shared/StatusStyle.h"
#include "shared/Theme.h"

#include <catch2/catch.hpp>

#include <QAction>
#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QFile>
#include <QSettings>
#include <QXYSeries>
#include <QLabel>
#include <QLineEdit>

TEST_CASE("A label marked as a problem turns the one error red, and back", "[ui][style]")
{
    QLabel label(QStringLiteral("something failed"));
    label.show();
    const QColor normal = label.palette().color(QPalette::WindowText);
    studio::markProblem(&label, true);
    CHECK(label.property("problem").toBool());
    CHECK(label.palette().color(QPalette::WindowText) == studio::problemColor());
    CHECK(studio::problemColor() == QColor(QStringLiteral("#c62828")));
    studio::markProblem(&label, false);
    CHECK(label.palette().color(QPalette::WindowText) == normal);
}

TEST_CASE("A field marked invalid is restyled, the icon is a resource", "[ui][style]")
{
    QLineEdit edit;
    edit.show();
    studio::markInvalid(&edit, true);
    CHECK(edit.property("invalid").toBool());
    CHECK(edit.palette().color(QPalette::Base) == QColor(QStringLiteral("#fff3f3")));
    CHECK(qApp->styleSheet().contains(QStringLiteral("QLabel[problem=\"true\"]")));
    CHECK(QFile::exists(QStringLiteral(":/icons/io.github.mniststudio.MnistStudio.svg")));
}

TEST_CASE("View > Theme > Dark darkens the window, its stylesheet and its charts, Light and the desktop's come back",
          "[ui][style][theme]")
{
    const QPalette desktop = QApplication::palette();
    auto w = uitest::makeWindow();
    w->showTab(studio::MainWindow::Tab::Dashboard);
    auto chartsOf = [&] {
        QList<QChart*> charts;
        for (QChartView* v : w->findChildren<QChartView*>())
            if (v->isVisible())
                charts << v->chart();
        return charts;
    };
    REQUIRE_FALSE(chartsOf().isEmpty());
    auto trainLossPen = [&]() -> QColor {
        for (QChart* c : chartsOf())
            for (QAbstractSeries* s : c->series())
                if (s->name() == QStringLiteral("Train loss"))
                    return qobject_cast<QXYSeries*>(s)->pen().color();
        return QColor();
    };

    QAction* dark = w->findChild<QAction*>(QStringLiteral("theme_dark"));
    QAction* light = w->findChild<QAction*>(QStringLiteral("theme_light"));
    QAction* system = w->findChild<QAction*>(QStringLiteral("theme_system"));
    REQUIRE(dark);
    REQUIRE(light);
    REQUIRE(system);
    CHECK(system->isChecked());

    dark->trigger();
    QCoreApplication::processEvents();
    CHECK(dark->isChecked());
    CHECK(studio::currentTheme() == studio::ThemeChoice::Dark);
    CHECK(studio::darkPalette());
    CHECK(w->palette().color(QPalette::Window).lightness() < 128);
    CHECK(studio::problemColor() == QColor(QStringLiteral("#ff6b6b")));
    CHECK(qApp->styleSheet().contains(QStringLiteral("#4a2424")));
    for (QChart* c : chartsOf()) {
        INFO(c->title().toStdString());
        CHECK(c->backgroundBrush().color().lightness() < 128);
        CHECK(c->titleBrush().color().lightness() > 128);
        for (QAbstractAxis* a : c->axes())
            CHECK(a->labelsBrush().color().lightness() > 100); // readable on the dark background
    }
    const QColor darkTrain = trainLossPen();
    CHECK(darkTrain == studio::seriesColor(studio::SeriesRole::TrainLoss));

    light->trigger();
    QCoreApplication::processEvents();
    CHECK_FALSE(studio::darkPalette());
    CHECK_FALSE(qApp->styleSheet().contains(QStringLiteral("#4a2424")));
    CHECK(studio::problemColor() == QColor(QStringLiteral("#c62828")));
    for (QChart* c : chartsOf())
        CHECK(c->backgroundBrush().color().lightness() > 128);
    CHECK(trainLossPen() == studio::seriesColor(studio::SeriesRole::TrainLoss));
    CHECK(trainLossPen() != darkTrain);

    system->trigger();
    QCoreApplication::processEvents();
    CHECK(studio::currentTheme() == studio::ThemeChoice::System);
    CHECK(QApplication::palette().color(QPalette::Window) == desktop.color(QPalette::Window));
    // The window was made without settings (as with --no-restore): nothing was kept.
    CHECK_FALSE(QSettings().contains(QStringLiteral("view/theme")));
}

TEST_CASE("Themes are named system, light and dark", "[ui][style][theme]")
{
    studio::ThemeChoice t = studio::ThemeChoice::System;
    CHECK(studio::parseTheme(QStringLiteral(" Dark "), &t));
    CHECK(t == studio::ThemeChoice::Dark);
    CHECK(studio::parseTheme(QStringLiteral("light"), &t));
    CHECK(t == studio::ThemeChoice::Light);
    CHECK_FALSE(studio::parseTheme(QStringLiteral("solarized"), &t));
    CHECK(t == studio::ThemeChoice::Light); // untouched
    CHECK(studio::themeName(studio::ThemeChoice::System) == QStringLiteral("system"));
}
