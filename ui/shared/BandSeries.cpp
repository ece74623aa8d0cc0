#include "shared/BandSeries.h"

#include <QAreaSeries>
#include <QChart>
#include <QLineSeries>
#include <QPen>

namespace studio {

QColor bandFill(QColor colour)
{
    colour.setAlpha(60);
    return colour;
}

BandSeries addEpochBand(QChart* chart, const std::vector<mnist::EpochBand>& bands, const QColor& colour,
                        const QString& meanName, const QString& bandName)
{
    auto* mean = new QLineSeries;
    auto* lo = new QLineSeries;
    auto* hi = new QLineSeries;
    mean->setName(meanName);
    for (const mnist::EpochBand& b : bands) {
        const auto epoch = static_cast<double>(b.epoch);
        mean->append(epoch, b.spread.mean);
        lo->append(epoch, b.spread.min);
        hi->append(epoch, b.spread.max);
    }
    QPen pen(colour);
    pen.setWidthF(2);
    pen.setCosmetic(true);
    mean->setPen(pen);
    // The area series owns neither edge: they are parented to it so that they go with it.
    auto* band = new QAreaSeries(hi, lo);
    hi->setParent(band);
    lo->setParent(band);
    band->setName(bandName);
    band->setBrush(bandFill(colour));
    band->setPen(Qt::NoPen);
    chart->addSeries(band);
    chart->addSeries(mean);
    return {mean, band};
}

} // namespace studio
