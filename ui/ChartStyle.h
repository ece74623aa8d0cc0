#pragma once
// One look for every chart of the window: colours per quantity (the same quantity has the same
// colour everywhere) and compact margins for the small charts.
#include <QColor>
#include <QPen>

class QChart;

namespace studio {

enum class SeriesRole { TrainLoss, ValidLoss, TestAccuracy, LearningRate, IterationLoss, IterationLossSmoothed };

QColor seriesColor(SeriesRole role);
QPen seriesPen(SeriesRole role);

// Small margins, a small title, no legend, no animation.
void styleCompactChart(QChart* chart);

} // namespace studio
