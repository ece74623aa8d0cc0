#pragma once
// How widgets show a problem: a dynamic property that the application stylesheet
// (resources/style/studio.qss) colours, instead of colours set widget by widget.
#include <QColor>

class QWidget;

namespace studio {

// Loads :/style/studio.qss (resources/studio.qrc, compiled into mnist_ui) into the running
// QApplication, followed by :/style/studio-dark.qss's overrides when `dark` (ui/Theme.h calls it
// again when the theme changes). False, with a warning, when a resource is missing.
bool loadStudioStyle(bool dark = false);

// property "problem": the label reports an error (QLabel[problem="true"] in the stylesheet).
void markProblem(QWidget* widget, bool problem);
// property "invalid": the field's value cannot be run (QLineEdit[invalid="true"], ...).
void markInvalid(QWidget* widget, bool invalid);

// The stylesheet's error red (lighter on a dark palette), for what a stylesheet cannot reach
// (tree and list items).
QColor problemColor();

} // namespace studio
