#include "shared/StatusStyle.h"

#include "shared/Theme.h"

#include <QApplication>
#include <QFile>
#include <QStringList>
#include <QStyle>
#include <QWidget>
#include <QtDebug>

// Q_INIT_RESOURCE must be called outside any namespace; mnist_ui is a static library, whose
// resources are registered only when asked for.
static void initStudioResources()
{
    Q_INIT_RESOURCE(studio);
}

namespace studio {
namespace {

void setFlag(QWidget* widget, const char* name, bool on)
{
    if (!widget || widget->property(name).toBool() == on)
        return;
    widget->setProperty(name, on);
    // Property selectors are evaluated at polish time: re-polish so the change shows now.
    widget->style()->unpolish(widget);
    widget->style()->polish(widget);
    widget->update();
}

} // namespace

bool loadStudioStyle(bool dark)
{
    initStudioResources();
    QString sheet;
    QStringList names{QStringLiteral(":/style/studio.qss")};
    if (dark)
        names << QStringLiteral(":/style/studio-dark.qss");
    for (const QString& name : names) {
        QFile file(name);
        if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
            qWarning("MNIST Studio: the stylesheet %s is missing", qPrintable(name));
            return false;
        }
        sheet += QString::fromUtf8(file.readAll());
    }
    qApp->setStyleSheet(sheet);
    return true;
}

void markProblem(QWidget* widget, bool problem)
{
    setFlag(widget, "problem", problem);
}

void markInvalid(QWidget* widget, bool invalid)
{
    setFlag(widget, "invalid", invalid);
}

QColor problemColor()
{
    return darkPalette() ? QColor(0xff, 0x6b, 0x6b)  // #ff6b6b, as in studio-dark.qss
                         : QColor(0xc6, 0x28, 0x28); // #c62828, as in studio.qss
}

} // namespace studio
