#include "sweeps/OptimizationHistory.h"

#include "shared/ChartStyle.h"

#include <QChart>
#include <QLineSeries>

#include <algorithm>
#include <cmath>

namespace studio {
namespace {

constexpr double kMinutesAfter = 600; // seconds: a longer sweep's time axis counts minutes

} // namespace

OptimizationHistory::OptimizationHistory(QWidget* parent) : TrialChart(parent)
{
    setObjectName(QStringLiteral("sweepHistory"));
    chart()->setTitle(tr("Optimization history: each trial's valid loss when it ended (or paused), and the best finished so far"));
}

QString OptimizationHistory::bestSeriesName()
{
    return tr("best so far");
}

void OptimizationHistory::fill()
{
    clearSeries();
    const auto& trials = summary().trialResults;
    double last = 0;
    std::vector<double> objectives;
    for (const mnist::TrialResult& t : trials)
        if (std::isfinite(t.finishedAt) && !std::isnan(t.objective)) {
            last = std::max(last, t.finishedAt);
            objectives.push_back(t.objective);
        }
    const double scale = last > kMinutesAfter ? 1.0 / 60 : 1.0;
    const ObjectiveRange range = objectiveRange(objectives);

    std::vector<std::pair<int, double>> xs;
    for (const mnist::TrialResult& t : trials)
        if (std::isfinite(t.finishedAt))
            xs.emplace_back(static_cast<int>(t.index), t.finishedAt * scale);
    addStateScatters(xs, range);

    // The best finished trial so far, stepping down when a better one finishes.
    std::vector<const mnist::TrialResult*> finished;
    for (const mnist::TrialResult& t : trials)
        if (t.state == "finished" && std::isfinite(t.objective) && std::isfinite(t.finishedAt))
            finished.push_back(&t);
    std::sort(finished.begin(), finished.end(), [](auto* a, auto* b) { return a->finishedAt < b->finishedAt; });
    auto* best = new QLineSeries;
    best->setName(bestSeriesName());
    QVector<int> bestTrials;
    for (const mnist::TrialResult* t : finished) {
        const double x = t->finishedAt * scale;
        if (best->count() == 0) {
            best->append(x, t->objective);
            bestTrials << static_cast<int>(t->index);
        } else if (t->objective < best->at(best->count() - 1).y()) {
            best->append(x, best->at(best->count() - 1).y());
            bestTrials << -1;
            best->append(x, t->objective);
            bestTrials << static_cast<int>(t->index);
        }
    }
    if (best->count() > 0 && last * scale > best->at(best->count() - 1).x()) {
        best->append(last * scale, best->at(best->count() - 1).y());
        bestTrials << -1;
    }
    setSeriesRole(best, SeriesRole::ValidLoss);
    addSeries(best, bestTrials);

    QAbstractAxis* x = valueAxis(Qt::AlignBottom, false, scale < 1 ? tr("minutes since the sweep started") : tr("seconds since the sweep started"));
    setAxisRange(x, 0, std::max(last * scale * 1.03, scale < 1 ? 1.0 : 10.0));
    QAbstractAxis* y = valueAxis(Qt::AlignLeft, range.log, range.log ? tr("valid loss (log)") : tr("valid loss"));
    setAxisRange(y, range.lo, range.hi);
    finish();
}

} // namespace studio
