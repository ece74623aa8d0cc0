#include "shared/Theme.h"

#include "shared/ChartStyle.h"
#include "shared/StatusStyle.h"

#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QEvent>
#include <QPalette>
#include <QPointer>
#include <QSettings>
#include <QStyle>
#include <QStyleFactory>
#include <QTimer>

namespace studio {
namespace {

struct PlatformLook {
    bool saved = false;
    bool replaced = false; // a Light or Dark choice replaced the platform's style and palette
    QString style;
    QPalette palette;
};

PlatformLook& platformLook()
{
    static PlatformLook look;
    return look;
}

ThemeChoice& chosen()
{
    static ThemeChoice choice = ThemeChoice::System;
    return choice;
}

QPalette darkFusionPalette()
{
    QPalette p;
    const QColor window(0x2b, 0x2b, 0x2b), base(0x1f, 0x1f, 0x1f), text(0xe3, 0xe3, 0xe3), dim(0x80, 0x80, 0x80);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, QColor(0x33, 0x33, 0x33));
    p.setColor(QPalette::ToolTipBase, QColor(0x3a, 0x3a, 0x3a));
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, dim);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(0x36, 0x36, 0x36));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, QColor(0xff, 0x6b, 0x6b));
    p.setColor(QPalette::Light, QColor(0x4a, 0x4a, 0x4a));
    p.setColor(QPalette::Midlight, QColor(0x3e, 0x3e, 0x3e));
    p.setColor(QPalette::Mid, QColor(0x24, 0x24, 0x24));
    p.setColor(QPalette::Dark, QColor(0x18, 0x18, 0x18));
    p.setColor(QPalette::Shadow, Qt::black);
    p.setColor(QPalette::Highlight, QColor(0x3d, 0x7a, 0xb8));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x6c, 0xb4, 0xee));
    p.setColor(QPalette::LinkVisited, QColor(0xb4, 0x8c, 0xe0));
    for (QPalette::ColorRole role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, dim);
    p.setColor(QPalette::Disabled, QPalette::Highlight, QColor(0x50, 0x50, 0x50));
    return p;
}

void recolourAllCharts()
{
    for (QWidget* w : QApplication::allWidgets())
        if (auto* view = qobject_cast<QChartView*>(w))
            applyChartTheme(view->chart());
}

// Colours a QChartView's chart when it is shown (unless it has the palette's colours already),
// and every chart when the desktop changes the application palette. A
// widget's own PaletteChange is not used: it arrives while a QChartView is still being built.
class ThemeWatcher : public QObject {
public:
    using QObject::QObject;
    bool eventFilter(QObject* watched, QEvent* event) override
    {
        if (event->type() == QEvent::Show) {
            if (auto* view = qobject_cast<QChartView*>(watched); view && !chartThemeCurrent(view->chart()))
                applyChartTheme(view->chart());
        } else if (event->type() == QEvent::ApplicationPaletteChange && watched == qApp) {
            // Queued: the widgets take the new palette after this event.
            QTimer::singleShot(0, qApp, [] {
                if (currentTheme() == ThemeChoice::System)
                    loadStudioStyle(darkPalette());
                recolourAllCharts();
            });
        }
        return false;
    }
};

} // namespace

bool parseTheme(const QString& name, ThemeChoice* choice)
{
    const QString n = name.trimmed().toLower();
    if (n == QLatin1String("system"))
        *choice = ThemeChoice::System;
    else if (n == QLatin1String("light"))
        *choice = ThemeChoice::Light;
    else if (n == QLatin1String("dark"))
        *choice = ThemeChoice::Dark;
    else
        return false;
    return true;
}

QString themeName(ThemeChoice choice)
{
    switch (choice) {
    case ThemeChoice::Light: return QStringLiteral("light");
    case ThemeChoice::Dark: return QStringLiteral("dark");
    case ThemeChoice::System: break;
    }
    return QStringLiteral("system");
}

void applyTheme(ThemeChoice choice)
{
    PlatformLook& look = platformLook();
    if (!look.saved) {
        look.saved = true;
        look.style = QApplication::style()->name();
        look.palette = QApplication::palette();
    }
    chosen() = choice;
    if (choice == ThemeChoice::System) {
        if (look.replaced) { // else the platform's look is in force: nothing to restore
            QApplication::setStyle(QStyleFactory::create(look.style));
            QApplication::setPalette(look.palette);
            look.replaced = false;
        }
    } else {
        look.replaced = true;
        QStyle* fusion = QStyleFactory::create(QStringLiteral("Fusion"));
        const QPalette palette = choice == ThemeChoice::Dark ? darkFusionPalette() : fusion->standardPalette();
        QApplication::setStyle(fusion);
        QApplication::setPalette(palette);
    }
    loadStudioStyle(darkPalette());
    recolourAllCharts();
}

ThemeChoice currentTheme()
{
    return chosen();
}

namespace {
const char* const kThemeKey = "view/theme";
}

ThemeChoice savedTheme()
{
    ThemeChoice choice = ThemeChoice::System;
    parseTheme(QSettings().value(QLatin1String(kThemeKey)).toString(), &choice);
    return choice;
}

void saveTheme(ThemeChoice choice)
{
    QSettings().setValue(QLatin1String(kThemeKey), themeName(choice));
}

bool darkPalette()
{
    return QApplication::palette().color(QPalette::Window).lightness() < 128;
}

void installThemeWatcher()
{
    static QPointer<ThemeWatcher> watcher;
    if (!watcher)
        qApp->installEventFilter(watcher = new ThemeWatcher(qApp));
}

} // namespace studio
