#include "shared/ChartStyle.h"

#include "shared/Theme.h"

#include <QAbstractAxis>
#include <QApplication>
#include <QChart>
#include <QLegend>
#include <QPalette>
#include <QXYSeries>
#include <QFont>
#include <QLogValueAxis>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace studio {

namespace {

const char* const kRoleProperty = "mnistSeriesRole";
const char* const kThemeKeyProperty = "mnistThemeKey";

// The palette's colours a chart takes: what applyChartTheme() last used is kept on the chart.
QString themeKey()
{
    const QPalette p = QApplication::palette();
    return p.color(QPalette::Base).name() + p.color(QPalette::WindowText).name();
}

} // namespace

QColor seriesColor(SeriesRole role)
{
    if (darkPalette()) {
        switch (role) {
        case SeriesRole::TrainLoss: return QColor(0x5a, 0xa9, 0xe6);
        case SeriesRole::ValidLoss: return QColor(0xff, 0xa0, 0x40);
        case SeriesRole::TestAccuracy: return QColor(0x5c, 0xd6, 0x5c);
        case SeriesRole::LearningRate: return QColor(0xc3, 0x8d, 0xe0);
        case SeriesRole::IterationLoss: return QColor(0x5a, 0xa9, 0xe6, 90);
        case SeriesRole::IterationLossSmoothed: return QColor(0xa8, 0xd4, 0xff);
        }
    }
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
    // The per-iteration series (hundreds to thousands of points, redrawn while training) are one
    // pixel wide: the raster engine draws such cosmetic lines on a fast path, where wider ones are
    // stroked with a join at every vertex (perf on the GUI thread: atan2 and QStroker on top).
    const bool dense = role == SeriesRole::IterationLoss || role == SeriesRole::IterationLossSmoothed ||
                       role == SeriesRole::LearningRate;
    pen.setWidthF(dense ? 1.0 : 2.0);
    pen.setCosmetic(true);
    return pen;
}

void setSeriesRole(QXYSeries* series, SeriesRole role)
{
    series->setProperty(kRoleProperty, static_cast<int>(role));
    series->setPen(seriesPen(role));
}

void setAxisRole(QAbstractAxis* axis, SeriesRole role)
{
    axis->setProperty(kRoleProperty, static_cast<int>(role));
    const QColor c = seriesColor(role);
    axis->setLabelsColor(c);
    axis->setTitleBrush(c);
    axis->setLinePenColor(c);
}

void applyChartTheme(QChart* chart)
{
    if (!chart)
        return;
    const QPalette palette = QApplication::palette();
    chart->setProperty(kThemeKeyProperty, themeKey());
    const QColor text = palette.color(QPalette::WindowText);
    QColor grid = text;
    grid.setAlpha(40);
    chart->setBackgroundBrush(palette.color(QPalette::Base));
    chart->setBackgroundPen(Qt::NoPen);
    chart->setPlotAreaBackgroundVisible(false);
    chart->setTitleBrush(text);
    chart->legend()->setLabelColor(text);
    for (QAbstractAxis* axis : chart->axes()) {
        const QVariant role = axis->property(kRoleProperty);
        if (role.isValid()) {
            setAxisRole(axis, static_cast<SeriesRole>(role.toInt()));
        } else {
            axis->setLabelsColor(text);
            axis->setTitleBrush(text);
            axis->setLinePenColor(palette.color(QPalette::Mid));
        }
        axis->setGridLineColor(grid);
        axis->setMinorGridLineColor(grid);
    }
    for (QAbstractSeries* s : chart->series()) {
        const QVariant role = s->property(kRoleProperty);
        if (auto* xy = qobject_cast<QXYSeries*>(s); xy && role.isValid())
            xy->setPen(seriesPen(static_cast<SeriesRole>(role.toInt())));
    }
}

bool chartThemeCurrent(const QChart* chart)
{
    return chart && chart->property(kThemeKeyProperty).toString() == themeKey();
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
