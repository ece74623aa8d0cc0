#include "runs/RunComparisonChart.h"

#include "shared/BandSeries.h"
#include "shared/ChartExport.h"
#include "shared/ChartStyle.h"

#include "spec/ConfigDiff.h"

#include <QAreaSeries>
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
#include <exception>
#include <limits>
#include <map>
#include <string>

namespace studio {
namespace {

// Marks the series whose legend entries are hidden: the dashed valid losses and the bands.
const char* const kHiddenLegendProperty = "mnistHiddenLegend";

// The runs drawn with one colour: a run alone (no name) when not grouped, else a setting's value.
struct RunGroup {
    QString name; // "arch=LeNet (3 runs)"; empty for a run drawn alone
    std::vector<const mnist::RunRecord*> runs;
};

std::vector<RunGroup> groupRuns(const std::vector<mnist::RunRecord>& runs, const std::string& key)
{
    std::vector<RunGroup> groups;
    if (key.empty()) {
        for (const auto& run : runs)
            groups.push_back(RunGroup{QString(), {&run}});
        return groups;
    }
    // By value, in the text's order, so the same runs always get the same colours.
    std::map<std::string, std::vector<const mnist::RunRecord*>> byValue;
    try {
        for (const auto& run : runs)
            byValue[mnist::settingText(run.config, key)].push_back(&run);
    } catch (const std::exception&) {
        // Not a setting (a key from an older version of the field table): every run alone.
        return groupRuns(runs, std::string());
    }
    for (const auto& [value, members] : byValue) {
        // A setting that does not apply to a run (a transform's parameter with it off) has no value.
        const QString shown = value.empty() ? QStringLiteral("\u2014") : QString::fromStdString(value);
        const QString count = members.size() == 1 ? RunComparisonChart::tr("1 run")
                                                  : RunComparisonChart::tr("%1 runs").arg(members.size());
        groups.push_back(RunGroup{QStringLiteral("%1=%2 (%3)").arg(QString::fromStdString(key), shown, count), members});
    }
    return groups;
}

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
    m_runs.clear();
    for (const auto& run : runs)
        if (!run.damaged && !run.epochs.empty()) {
            m_runs.push_back(run);
            m_runs.back().config = mnist::runConfigForComparison(run.config, run.dir);
        }
    redraw();
}

void RunComparisonChart::setGroupBy(const QString& key)
{
    if (key == m_groupBy)
        return;
    m_groupBy = key;
    redraw();
}

void RunComparisonChart::redraw()
{
    QChart* c = chart();
    c->removeAllSeries();
    double lossLo = std::numeric_limits<double>::max(), lossHi = 0, accLo = 100, accHi = 0;
    int64_t lastEpoch = 1;
    const auto attach = [this, c](QAbstractSeries* s, QAbstractAxis* y) {
        c->addSeries(s);
        s->attachAxis(m_epochAxis);
        s->attachAxis(y);
    };
    // One legend entry per run or group: the colour names it, the line style the quantity.
    const auto hideFromLegend = [c](QAbstractSeries* s) {
        s->setProperty(kHiddenLegendProperty, true);
        for (QLegendMarker* marker : c->legend()->markers(s))
            marker->setVisible(false);
    };
    const auto lossLine = [&](const QString& name, const QPen& pen) {
        auto* loss = new QLineSeries;
        loss->setName(tr("%1 (valid loss)").arg(name));
        QPen dashed = pen;
        dashed.setStyle(Qt::DashLine);
        loss->setPen(dashed);
        return loss;
    };
    const std::vector<RunGroup> groups = groupRuns(m_runs, m_groupBy.toStdString());
    int n = 0;
    for (const RunGroup& group : groups) {
        const QColor colour = runColor(n++);
        QPen solid(colour);
        solid.setWidthF(2);
        solid.setCosmetic(true);
        std::vector<const std::vector<mnist::EpochMetrics>*> curves;
        for (const mnist::RunRecord* run : group.runs)
            curves.push_back(&run->epochs);
        const auto accuracy = mnist::epochBands(curves, &mnist::EpochMetrics::testAccuracy);
        const auto validLoss = mnist::epochBands(curves, &mnist::EpochMetrics::validLoss);
        for (const auto& b : accuracy) {
            accLo = std::min(accLo, b.spread.min);
            accHi = std::max(accHi, b.spread.max);
            lastEpoch = std::max(lastEpoch, b.epoch);
        }
        const QString name = group.name.isEmpty() ? QString::fromStdString(group.runs.front()->name) : group.name;
        auto* loss = lossLine(name, solid);
        for (const auto& b : validLoss) {
            loss->append(static_cast<double>(b.epoch), logSafe(b.spread.mean));
            lossLo = std::min(lossLo, logSafe(b.spread.mean));
            lossHi = std::max(lossHi, logSafe(b.spread.mean));
        }
        if (group.name.isEmpty()) {
            // A single run: its own points, drawn as they are.
            auto* line = new QLineSeries;
            line->setName(name);
            line->setPen(solid);
            line->setPointsVisible(true);
            for (const auto& b : accuracy)
                line->append(static_cast<double>(b.epoch), b.spread.mean);
            attach(line, m_accuracyAxis);
        } else {
            // addEpochBand adds them to the chart; they still need the axes.
            const BandSeries drawn = addEpochBand(c, accuracy, colour, name, tr("%1 (min-max)").arg(name));
            for (QAbstractSeries* s : {static_cast<QAbstractSeries*>(drawn.band), static_cast<QAbstractSeries*>(drawn.mean)}) {
                s->attachAxis(m_epochAxis);
                s->attachAxis(m_accuracyAxis);
            }
            drawn.mean->setPointsVisible(true);
            hideFromLegend(drawn.band);
        }
        attach(loss, m_lossAxis);
        hideFromLegend(loss);
    }
    chart()->setTitle(m_groupBy.isEmpty()
                          ? tr("Compared runs: test accuracy (solid) and valid loss (dashed) per epoch")
                          : tr("Runs grouped by %1: mean test accuracy (solid) with its min-max band, mean valid loss (dashed)")
                                .arg(m_groupBy));
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
        if (!marker->series()->property(kHiddenLegendProperty).toBool())
            names << marker->label();
    return names;
}

int RunComparisonChart::seriesCount() const
{
    return static_cast<int>(chart()->series().size());
}

} // namespace studio
