#pragma once
// One look for every chart of the window: colours per quantity (the same quantity has the same
// colour everywhere) and compact margins for the small charts.
#include <QColor>
#include <QPen>

class QAbstractAxis;
class QChart;
class QLogValueAxis;
class QXYSeries;
class QValueAxis;

namespace studio {

enum class SeriesRole { TrainLoss, ValidLoss, TestAccuracy, LearningRate, IterationLoss, IterationLossSmoothed };

// The role's colour for the palette in force: lighter shades on a dark one.
QColor seriesColor(SeriesRole role);
QPen seriesPen(SeriesRole role);
// Gives the series the role's pen and remembers the role, so that applyChartTheme() re-colours it.
void setSeriesRole(QXYSeries* series, SeriesRole role);

// Colours a chart from the application palette: background, plot area, titles, legend, every
// axis's labels, line and grid (an axis coloured as a series role keeps that role's colour), and
// the series given a role. Called for every QChartView when shown and when the theme changes
// (ui/Theme.h), and by code that adds axes to a visible chart.
void applyChartTheme(QChart* chart);
// Whether the chart already has the palette's colours (a tab shown again needs no repaint).
bool chartThemeCurrent(const QChart* chart);
// Gives an axis a role's colour (labels, title, line), kept across theme changes.
void setAxisRole(QAbstractAxis* axis, SeriesRole role);

// Small margins, a small title, no legend, no animation.
void styleCompactChart(QChart* chart);

// A log axis cannot show zero, negative or non-finite values: they are drawn at this floor.
constexpr double kLogFloor = 1e-6;
double logSafe(double v);

// The decades around [lo, hi] (after logSafe), so that a log axis has labelled ticks at both ends.
void setLogRange(QLogValueAxis* axis, double lo, double hi);

// Test accuracy (percent) from lo to hi on a linear axis, widened to at least half a percent, with
// ticks at round values (0.1, 0.25, 0.5, 1, 2.5, 5, 10): at 99% the interesting part is the last percent.
void setAccuracyRange(QValueAxis* axis, double lo, double hi);

} // namespace studio
