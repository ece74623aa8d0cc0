#pragma once
// Small charts written as inline SVG text for the HTML report: axes with ticks, a linear or log
// value axis, a polyline per series, a legend and a title. Plain std, no Qt: the window's charts
// are Qt Charts (ui/shared/ChartExport); these are the core's, for a file that needs no program.
#include <string>
#include <vector>

namespace mnist {

// The report's palette (Tableau 10, as Matplotlib's default cycle), by index, wrapping around.
const char* chartColor(int index);

struct ChartSeries {
    std::string name;         // legend text and the line's tooltip
    std::vector<double> x, y; // the same length; a point that cannot be drawn (not finite, or <= 0
                              // on a log axis) breaks the line there
    int color = 0;            // chartColor() index
    bool dashed = false;
};

struct LineChart {
    std::string title, xLabel, yLabel;
    bool logY = false;
    bool integerX = false; // ticks on whole numbers only (epochs)
    int width = 560, height = 320; // the plot's box (two side by side on a page); the legend adds rows below it
    std::vector<ChartSeries> series;
};

// The chart as one <svg class="chart"> element (no XML prolog, no namespace URL: HTML5 inlines it
// as is), every text escaped. A chart with no drawable point says so in its box.
std::string svgLineChart(const LineChart& chart);

// Points coloured by group (e.g. the true class), hollow where `marked` (e.g. misclassified).
struct ScatterChart {
    std::string title, xLabel, yLabel;
    int width = 560, height = 460;
    std::vector<double> x, y;            // one per point
    std::vector<int> group;              // chartColor() index and groupNames index per point
    std::vector<bool> marked;            // empty, or one per point
    std::vector<std::string> groupNames; // legend, in group order
    std::string markedName;              // legend text of a hollow point; none when empty
};
std::string svgScatterChart(const ScatterChart& chart);

// Tick positions of an axis from lo to hi: "nice" steps (1, 2 or 5 times a power of ten) about
// `target` of them, whole numbers only when `integer`; at least lo and hi when the range is empty.
std::vector<double> linearTicks(double lo, double hi, int target, bool integer = false);
// Ticks of a log axis (lo, hi > 0): the powers of ten inside, with 2 and 5 times them when fewer
// than three powers fall inside.
std::vector<double> logTicks(double lo, double hi);

} // namespace mnist
