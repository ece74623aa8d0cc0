// The application stylesheet (resources/style/studio.qss, loaded by the tests' main as by
// mnist-studio's) colours what widgets mark with studio::markProblem / markInvalid.
#include "UiTestSupport.h"

#include "StatusStyle.h"

#include <catch2/catch.hpp>

#include <QFile>
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

TEST_CASE("A field marked invalid is restyled; the icon is a resource", "[ui][style]")
{
    QLineEdit edit;
    edit.show();
    studio::markInvalid(&edit, true);
    CHECK(edit.property("invalid").toBool());
    CHECK(edit.palette().color(QPalette::Base) == QColor(QStringLiteral("#fff3f3")));
    CHECK(qApp->styleSheet().contains(QStringLiteral("QLabel[problem=\"true\"]")));
    CHECK(QFile::exists(QStringLiteral(":/icons/io.github.mniststudio.MnistStudio.svg")));
}
