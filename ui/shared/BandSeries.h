#pragma once
// A mean curve over epochs with its min-max band, as the Sweeps tab draws a configuration's seeds
// and the Runs tab a group of runs: one implementation for both.
#include "sweep/EpochBands.h"

#include <QColor>
#include <QString>

#include <vector>

class QAreaSeries;
class QChart;
class QLineSeries;

namespace studio {

struct BandSeries {
    QLineSeries* mean = nullptr;
    QAreaSeries* band = nullptr;
};

// Adds the band (translucent `colour`, no outline) and then the mean (a line of `colour`) to
// `chart`, so the line is drawn over the band; the caller attaches the axes. Empty `bands` add two
// empty series.
BandSeries addEpochBand(QChart* chart, const std::vector<mnist::EpochBand>& bands, const QColor& colour,
                        const QString& meanName, const QString& bandName);

// The band's fill: the colour, translucent enough for the curves under it to show.
QColor bandFill(QColor colour);

} // namespace studio
