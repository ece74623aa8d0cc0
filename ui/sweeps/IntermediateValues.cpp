#include "sweeps/IntermediateValues.h"

#include "shared/QtText.h"
#include "sweeps/SweepCells.h"

#include <QChart>
#include <QLineSeries>
#include <QScatterSeries>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace studio {

IntermediateValues::IntermediateValues(QWidget* parent) : TrialChart(parent)
{
    setObjectName(QStringLiteral("sweepIntermediate"));
    chart()->setTitle(tr("Intermediate values: every trial's valid loss per epoch; pruned trials end at a rung (square)"));
}

QString IntermediateValues::prunedEndsName()
{
    return tr("pruned here");
}

QString IntermediateValues::rungSeriesName(int64_t epoch)
{
    return tr("rung %1").arg(epoch);
}

void IntermediateValues::fill()
{
    clearSeries();
    const mnist::SweepSummary& s = summary();
    std::vector<double> losses;
    int64_t maxEpoch = 1;
    for (const mnist::TrialResult& t : s.trialResults) {
        maxEpoch = std::max({maxEpoch, t.maxEpochs, static_cast<int64_t>(t.validLoss.size())});
        for (double v : t.validLoss)
            losses.push_back(v);
    }
    for (int64_t r : s.rungs)
        maxEpoch = std::max(maxEpoch, r);
    const ObjectiveRange range = objectiveRange(losses);

    // The best: the lowest objective among the finished trials, else among all.
    m_best = -1;
    double bestObjective = 0;
    for (bool finishedOnly : {true, false}) {
        for (const mnist::TrialResult& t : s.trialResults)
            if ((!finishedOnly || t.state == "finished") && std::isfinite(t.objective) && (m_best < 0 || t.objective < bestObjective)) {
                m_best = static_cast<int>(t.index);
                bestObjective = t.objective;
            }
        if (m_best >= 0)
            break;
    }

    // Rungs first, underneath.
    for (int64_t r : s.rungs) {
        auto* rung = new QLineSeries;
        rung->setName(rungSeriesName(r));
        QPen pen(palette().color(QPalette::Mid), 1, Qt::DashLine);
        pen.setCosmetic(true);
        rung->setPen(pen);
        rung->append(static_cast<double>(r), range.lo);
        rung->append(static_cast<double>(r), range.hi);
        addSeries(rung);
    }
    // One line per trial; the best one last, on top.
    std::vector<const mnist::TrialResult*> order;
    for (const mnist::TrialResult& t : s.trialResults)
        if (!t.validLoss.empty() && t.index != m_best)
            order.push_back(&t);
    if (const mnist::TrialResult* best = trialOf(m_best))
        order.push_back(best);
    auto* ends = new QScatterSeries;
    ends->setName(prunedEndsName());
    ends->setMarkerShape(QScatterSeries::MarkerShapeRectangle);
    ends->setMarkerSize(8);
    ends->setColor(trialStateColor("pruned"));
    ends->setBorderColor(Qt::transparent);
    QVector<int> endTrials;
    for (const mnist::TrialResult* t : order) {
        auto* line = new QLineSeries;
        line->setName(fromStd(t->name));
        QVector<int> trials;
        for (size_t e = 0; e < t->validLoss.size(); ++e)
            if (std::isfinite(t->validLoss[e])) {
                line->append(static_cast<double>(e + 1), t->validLoss[e]);
                trials << static_cast<int>(t->index);
            }
        const bool best = t->index == m_best;
        QColor c = best ? trialStateColor("finished").darker(130) : trialStateColor(t->state);
        if (!best)
            c.setAlpha(170);
        QPen pen(c, best ? 3.5 : 1.4);
        pen.setCosmetic(true);
        line->setPen(pen);
        line->setPointsVisible(line->count() == 1); // a single epoch is a dot, not an invisible line
        addSeries(line, trials);
        if (t->state == "pruned" && line->count() > 0) {
            ends->append(line->at(line->count() - 1));
            endTrials << static_cast<int>(t->index);
        }
    }
    addSeries(ends, endTrials);

    QAbstractAxis* x = valueAxis(Qt::AlignBottom, false, tr("epoch"));
    if (auto* epochs = qobject_cast<QValueAxis*>(x)) {
        epochs->setLabelFormat(QStringLiteral("%d"));
        epochs->setTickType(QValueAxis::TicksDynamic);
        epochs->setTickAnchor(1);
        epochs->setTickInterval(std::max(1.0, std::ceil(static_cast<double>(maxEpoch) / 10.0)));
    }
    setAxisRange(x, 1, std::max<double>(2, static_cast<double>(maxEpoch)));
    QAbstractAxis* y = valueAxis(Qt::AlignLeft, range.log, range.log ? tr("valid loss (log)") : tr("valid loss"));
    setAxisRange(y, range.lo, range.hi);
    finish();
}

} // namespace studio
