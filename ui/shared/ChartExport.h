#pragma once
// Charts to files: PNG at a chosen pixel size and SVG, both laid out at that size (axes, legend and
// title included) and written through QSaveFile, so a failed write leaves no partial file.
#include <QSize>
#include <QString>

class QChart;
class QChartView;
class QWidget;

namespace studio {

// Renders `chart` into a `size` image (white background) and writes it as PNG to `path`.
// Returns false and sets `error` (when given) to a sentence naming the path on failure.
bool exportChartPng(QChart* chart, const QString& path, const QSize& size, QString* error = nullptr);

// The same drawing as an SVG document of `size` (user units = pixels), titled after the chart.
bool exportChartSvg(QChart* chart, const QString& path, const QSize& size, QString* error = nullptr);

// Asks for a file (and for PNG a size) and exports `view`'s chart; errors are shown in a message
// box. `baseName` is the suggested file name without extension.
void exportChartInteractively(QChartView* view, const QString& baseName, bool svg, QWidget* parent);

// Gives `view` a context menu with "Export as PNG…" and "Export as SVG…".
void addChartExportMenu(QChartView* view, const QString& baseName);

} // namespace studio
