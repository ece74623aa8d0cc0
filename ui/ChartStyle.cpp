#include "ChartStyle.h"

#include <QChart>
#include <QFont>
#include <QLogValueAxis>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace studio {

QColor seriesColor(SeriesRole role)
{
    switch (role) {
    case SeriesRole::TrainLoss: return QColor(0x1f, 0x77, 0xb4);
    case SeriesRole::ValidLoss: return QColor(0xe6, 0x7e, 0x00);
    case SeriesRole::TestAccuracy: return QColor(0x2c, 0xa0, 0x2c);
    case SeriesRole::LearningRate: return QColor(0x8e, 0x44, 0xad);
    case SeriesRole::IterationLoss: return QColor(0x1f, 0x77, 0xb4, 80);
    case SeriesRole::IterationLossSmoothed: return QColor(0x0b, 0x3c, 0x6e);
    }
    return Qt::black;
}

QPen seriesPen(SeriesRole role)
{
    QPen pen(seriesColor(role));
    pen.setWidthF(role == SeriesRole::IterationLoss ? 1.0 : 2.0);
    pen.setCosmetic(true);
    return pen;
}

void styleCompactChart(QChart* chart)
{
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->setBackgroundRoundness(0);
    chart->legend()->hide();
    chart->setAnimationOptions(QChart::NoAnimation);
    QFont title = chart->titleFont();
    title.setPointSizeF(std::max(7.0, title.pointSizeF() * 0.9));
    title.setBold(false);
    chart->setTitleFont(title);
}

double logSafe(double v)
{
    return std::isfinite(v) && v > kLogFloor ? v : kLogFloor;
}

// The decades around [lo, hi], so that a log axis always has labelled ticks at both ends.
void setLogRange(QLogValueAxis* axis, double lo, double hi)
{
    lo = logSafe(lo);
    hi = std::max(logSafe(hi), lo);
    double a = std::pow(10.0, std::floor(std::log10(lo)));
    double b = std::pow(10.0, std::ceil(std::log10(hi)));
    if (b <= a)
        b = a * 10;
    // A hair beyond the decades: Qt places the first label at ceil(log10(min)), which rounding
    // can push past an exact power of ten and leave the axis end unlabelled.
    axis->setRange(a * 0.999, b * 1.001);
}

void setAccuracyRange(QValueAxis* axis, double accLo, double accHi)
{
    const double lo = std::floor(accLo * 2) / 2, hi = std::ceil(accHi * 2) / 2;
    axis->setRange(std::max(0.0, lo), std::min(100.0, std::max(hi, lo + 0.5)));
    const double span = axis->max() - axis->min();
    double step = 10;
    for (double candidate : {0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0})
        if (span / candidate <= 6) {
            step = candidate;
            break;
        }
    axis->setTickType(QValueAxis::TicksDynamic);
    axis->setTickAnchor(0);
    axis->setTickInterval(step);
    axis->setLabelFormat(step < 0.5 ? QStringLiteral("%.2f") : QStringLiteral("%.1f"));
}

} // namespace studio
