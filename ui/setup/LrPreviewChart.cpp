#include "setup/LrPreviewChart.h"

#include "shared/ChartStyle.h"
#include "shared/CoreBridge.h"
#include "shared/Decimate.h"
#include "shared/NumberFormat.h"
#include "optim/LrScheduler.h"

#include <QLineSeries>
#include <QValueAxis>

#include <algorithm>
#include <exception>

namespace studio {

LrPreviewChart::LrPreviewChart(QWidget* parent) : QChartView(parent)
{
    setObjectName(QStringLiteral("lrPreview"));
    m_chart = new QChart;
    m_series = new QLineSeries;
    m_series->setName(tr("Learning rate"));
    m_chart->addSeries(m_series);
    m_x = new QValueAxis;
    m_y = new QValueAxis;
    m_x->setTitleText(tr("Iteration"));
    m_x->setLabelFormat(QStringLiteral("%.0f"));
    m_x->setTickCount(5);
    m_y->setTickCount(4);
    m_y->setLabelFormat(QStringLiteral("%.2g"));
    m_chart->addAxis(m_x, Qt::AlignBottom);
    m_chart->addAxis(m_y, Qt::AlignLeft);
    m_series->attachAxis(m_x);
    m_series->attachAxis(m_y);
    styleCompactChart(m_chart);
    setSeriesRole(m_series, SeriesRole::LearningRate);
    setChart(m_chart);
    setRenderHint(QPainter::Antialiasing);
}

void LrPreviewChart::setConfig(const mnist::TrainConfig& config)
{
    m_config = config;
    recompute();
}

int LrPreviewChart::drawnPointCount() const
{
    return static_cast<int>(m_series->count());
}

void LrPreviewChart::recompute()
{
    const mnist::TrainConfig& c = m_config;
    const int64_t trainSize = nominalTrainSize(c);
    m_iterationsPerEpoch = studio::iterationsPerEpoch(trainSize, c.batchSize);
    m_planned = c.epochs > 0 ? c.epochs * m_iterationsPerEpoch : 0;
    m_problem.clear();

    QList<QPointF> points;
    if (m_planned <= 0) {
        m_problem = tr("No iterations planned: check the epochs, the batch size and the train fraction.");
    } else {
        try {
            if (m_planned <= kMaxComputedSteps) {
                const std::vector<double> lr = mnist::lrSequence(c.scheduler, c.lr, m_planned, m_planned);
                points = decimateMinMax(
                    lr.size(), [](std::size_t i) { return static_cast<double>(i); },
                    [&lr](std::size_t i) { return lr[i]; }, kMaxDrawnPoints);
            } else {
                // Millions of steps: sample the same schedule instead of holding every value.
                const auto schedule = mnist::makeSchedule(c.scheduler, c.lr, m_planned);
                for (int i = 0; i < kMaxDrawnPoints; ++i) {
                    const int64_t step = (m_planned - 1) * i / (kMaxDrawnPoints - 1);
                    points.append(QPointF(static_cast<double>(step), schedule->lrAt(step)));
                }
            }
        } catch (const std::exception& e) {
            m_problem = QString::fromStdString(e.what());
            points.clear();
        }
    }
    m_series->replace(points);

    if (points.isEmpty()) {
        m_chart->setTitle(tr("LR preview: %1").arg(m_problem));
        return;
    }
    double lo = points.front().y(), hi = lo;
    for (const QPointF& p : std::as_const(points)) {
        lo = std::min(lo, p.y());
        hi = std::max(hi, p.y());
    }
    // From zero, so that a constant LR reads as a flat line at its value.
    m_y->setRange(0, hi > 0 ? hi * 1.08 : 1);
    m_y->applyNiceNumbers();
    m_x->setRange(0, static_cast<double>(std::max<int64_t>(m_planned - 1, 1)));
    m_x->applyNiceNumbers();
    m_chart->setTitle(tr("%1 epochs × %2 iterations = %3 iterations%4")
                          .arg(formatCount(c.epochs),
                               formatCount(m_iterationsPerEpoch),
                               formatCount(m_planned),
                               tr(" (%1 training images)").arg(formatCount(trainSize))));
}

} // namespace studio
