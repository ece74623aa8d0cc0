#pragma once
// Light and dark: the window follows the desktop's colour scheme (its platform palette) unless the
// user picks one (View ▸ Theme, --theme). Charts take their colours from the palette in force,
// and re-colour themselves when it changes (installThemeWatcher).
#include <QString>

class QChart;

namespace studio {

enum class ThemeChoice { System, Light, Dark };

// "system", "light", "dark" (case-insensitive); false for anything else.
bool parseTheme(const QString& name, ThemeChoice* choice);
QString themeName(ThemeChoice choice);

// Applies the choice to the running QApplication: System restores the platform's own style and
// palette (as found at the first call), Light and Dark use the Fusion style with a light or dark
// palette. The stylesheet's dark overrides (resources/style/studio-dark.qss) come and go with it.
void applyTheme(ThemeChoice choice);
ThemeChoice currentTheme();

// The user's choice as kept in QSettings ("view/theme"); System when none is kept.
ThemeChoice savedTheme();
void saveTheme(ThemeChoice choice);

// Whether the palette in force is dark (its window colour), whatever chose it.
bool darkPalette();

// Every QChartView of the application re-colours its chart (background, titles, axes, grids,
// the series that have a role) when shown and when the palette changes. Once, at start-up.
void installThemeWatcher();

} // namespace studio
