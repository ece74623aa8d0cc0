#include "runs/RunComparisonChart.h"

#include "shared/ChartExport.h"
#include "shared/ChartStyle.h"

#include <QChart>
#include <QChartView>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace studio {
namespace {

// Marks the dashed valid-loss series, whose legend entries are hidden.
const char* const kValidLossProperty = "mnistValidLoss";

} // namespace

QColor RunComparisonChart::runColor(int n)
{
    // Matplotlib's tab10: distinct for up to ten runs, and familiar to the notebook's readers.
    static const QRgb palette[] = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
                                   0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf};
    return QColor(palette[std::max(n, 0) % 10]);
}

RunComparisonChart::RunComparisonChart(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("runComparison"));
    auto* chart = new QChart;
    chart->setTitle(tr("Compared runs: test accuracy (solid) and valid loss (dashed) per epoch"));
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->legend()->setAlignment(Qt::AlignBottom);

    m_epochAxis = new QValueAxis;
    m_epochAxis->setTitleText(tr("Epoch"));
    m_epochAxis->setLabelFormat(QStringLiteral("%.0f"));
    m_epochAxis->setRange(1, 10);
    // Ticks on whole epochs: a fixed tick count over 1..10 would put them at 1, 3.25, 5.5...
    m_epochAxis->setTickType(QValueAxis::TicksDynamic);
    m_epochAxis->setTickAnchor(0);
    m_epochAxis->setTickInterval(1);
    m_lossAxis = new QLogValueAxis;
    m_lossAxis->setBase(10);
    m_lossAxis->setTitleText(tr("Valid loss (log, dashed)"));
    m_lossAxis->setLabelFormat(QStringLiteral("%g"));
    m_lossAxis->setMinorTickCount(-1);
    m_lossAxis->setRange(0.01, 10);
    m_accuracyAxis = new QValueAxis;
    m_accuracyAxis->setTitleText(tr("Test accuracy % (solid)"));
    m_accuracyAxis->setLabelFormat(QStringLiteral("%.1f"));
    m_accuracyAxis->setGridLineVisible(false);
    m_accuracyAxis->setRange(90, 100);
    chart->addAxis(m_epochAxis, Qt::AlignBottom);
    chart->addAxis(m_lossAxis, Qt::AlignLeft);
    chart->addAxis(m_accuracyAxis, Qt::AlignRight);

    m_view = new QChartView(chart, this);
    m_view->setObjectName(QStringLiteral("comparisonChart"));
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setMinimumSize(360, 220);
    addChartExportMenu(m_view, QStringLiteral("compared-runs"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view);
}

QChart* RunComparisonChart::chart() const
{
    return m_view->chart();
}

void RunComparisonChart::setRuns(const std::vector<mnist::RunRecord>& runs)
{
    QChart* c = chart();
    c->removeAllSeries();
    double lossLo = std::numeric_limits<double>::max(), lossHi = 0, accLo = 100, accHi = 0;
    int64_t lastEpoch = 1;
    int n = 0;
    for (const auto& run : runs) {
        if (run.damaged || run.epochs.empty())
            continue;
        const QColor colour = runColor(n++);
        auto* accuracy = new QLineSeries;
        accuracy->setName(QString::fromStdString(run.name));
        QPen solid(colour);
        solid.setWidthF(2);
        solid.setCosmetic(true);
        accuracy->setPen(solid);
        accuracy->setPointsVisible(true);
        auto* loss = new QLineSeries;
        loss->setName(tr("%1 (valid loss)").arg(QString::fromStdString(run.name)));
        QPen dashed = solid;
        dashed.setStyle(Qt::DashLine);
        loss->setPen(dashed);
        for (const auto& m : run.epochs) {
            accuracy->append(static_cast<double>(m.epoch), m.testAccuracy);
            loss->append(static_cast<double>(m.epoch), logSafe(m.validLoss));
            accLo = std::min(accLo, m.testAccuracy);
            accHi = std::max(accHi, m.testAccuracy);
            lossLo = std::min(lossLo, logSafe(m.validLoss));
            lossHi = std::max(lossHi, logSafe(m.validLoss));
            lastEpoch = std::max(lastEpoch, m.epoch);
        }
        c->addSeries(accuracy);
        c->addSeries(loss);
        accuracy->attachAxis(m_epochAxis);
        accuracy->attachAxis(m_accuracyAxis);
        loss->attachAxis(m_epochAxis);
        loss->attachAxis(m_lossAxis);
        // One legend entry per run: the colour names the run, the line style the quantity.
        loss->setProperty(kValidLossProperty, true);
        for (QLegendMarker* marker : c->legend()->markers(loss))
            marker->setVisible(false);
    }
    if (n == 0) {
        m_epochAxis->setRange(1, 10);
        m_epochAxis->setTickInterval(1);
        return;
    }
    m_epochAxis->setRange(1, static_cast<double>(std::max<int64_t>(lastEpoch, 2)));
    m_epochAxis->setTickInterval(std::max(1.0, std::ceil(static_cast<double>(lastEpoch) / 10.0)));
    setLogRange(m_lossAxis, lossLo, lossHi);
    setAccuracyRange(m_accuracyAxis, accLo, accHi);
}

QStringList RunComparisonChart::legendNames() const
{
    QStringList names;
    // By series rather than by marker visibility, which stays false until the legend is drawn.
    for (QLegendMarker* marker : chart()->legend()->markers())
        if (!marker->series()->property(kValidLossProperty).toBool())
            names << marker->label();
    return names;
}

int RunComparisonChart::seriesCount() const
{
    return static_cast<int>(chart()->series().size());
}

} // namespace studio
