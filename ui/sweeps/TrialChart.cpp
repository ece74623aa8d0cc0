#include "sweeps/TrialChart.h"

#include "shared/ChartStyle.h"
#include "sweeps/SweepCells.h"

#include <QChart>
#include <QLogValueAxis>
#include <QMouseEvent>
#include <QScatterSeries>
#include <QToolTip>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <limits>

namespace studio {
namespace {

constexpr double kPickPixels = 7.0; // how near a point the mouse must be to name or pick its trial
constexpr double kTopEdge = 0.04;   // diverged trials sit this fraction of the axis below its top

} // namespace

ObjectiveRange objectiveRange(const std::vector<double>& values)
{
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (double v : values)
        if (std::isfinite(v)) {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
    ObjectiveRange r;
    if (!std::isfinite(lo)) { // nothing finite yet: a unit range, diverged trials at its top
        r.top = r.hi * (1 - kTopEdge);
        return r;
    }
    r.log = lo > 0 && hi / lo > 10.0;
    if (r.log) {
        // Whole decades (setLogRange's), with room above the highest value for the diverged.
        r.lo = std::pow(10.0, std::floor(std::log10(logSafe(lo))));
        r.hi = std::pow(10.0, std::ceil(std::log10(logSafe(hi) * 1.3)));
        r.top = std::exp(std::log(r.hi) - kTopEdge * (std::log(r.hi) - std::log(r.lo)));
        return r;
    }
    const double span = hi > lo ? hi - lo : std::max(std::abs(hi) * 0.1, 1e-3);
    r.lo = lo - 0.05 * span;
    r.hi = hi + 0.15 * span;
    r.top = r.hi - kTopEdge * (r.hi - r.lo);
    return r;
}

double drawnObjective(const ObjectiveRange& range, double objective)
{
    return std::isinf(objective) ? range.top : objective;
}

TrialChart::TrialChart(QWidget* parent) : QChartView(new QChart, parent)
{
    setRenderHint(QPainter::Antialiasing);
    styleCompactChart(chart());
    setRubberBand(QChartView::RectangleRubberBand);
    setMouseTracking(true);
    setMinimumSize(200, 150);
}

void TrialChart::setSummary(const mnist::SweepSummary& summary)
{
    m_summary = summary;
    // Series are made again on each refresh, and attaching them fits the axes to the data: a
    // zoomed chart gets its view back after.
    QList<QPair<QAbstractAxis*, QPair<QVariant, QVariant>>> view;
    if (chart()->isZoomed())
        for (QAbstractAxis* axis : chart()->axes())
            view.append({axis, {axis->property("min"), axis->property("max")}});
    fill();
    const auto axes = chart()->axes();
    for (const auto& [axis, range] : view)
        if (axes.contains(axis))
            axis->setRange(range.first, range.second);
}

const mnist::TrialResult* TrialChart::trialOf(int index) const
{
    for (const mnist::TrialResult& t : m_summary.trialResults)
        if (t.index == index)
            return &t;
    return nullptr;
}

void TrialChart::clearSeries()
{
    m_pointTrials.clear();
    chart()->removeAllSeries();
}

void TrialChart::addSeries(QXYSeries* series, const QVector<int>& trials)
{
    chart()->addSeries(series);
    if (!trials.isEmpty())
        m_pointTrials.insert(series, trials);
}

void TrialChart::addStateScatters(const std::vector<std::pair<int, double>>& xs, const ObjectiveRange& range)
{
    for (const char* state : {"finished", "pruned", "running", "failed", "diverged"}) {
        auto* s = new QScatterSeries;
        s->setName(QString::fromLatin1(state));
        const bool diverged = std::string(state) == "diverged";
        s->setMarkerShape(diverged ? QScatterSeries::MarkerShapeTriangle : QScatterSeries::MarkerShapeCircle);
        s->setMarkerSize(diverged ? 12 : 9);
        s->setColor(trialStateColor(state));
        s->setBorderColor(Qt::transparent);
        QVector<int> trials;
        for (const auto& [index, x] : xs) {
            const mnist::TrialResult* t = trialOf(index);
            if (!t || t->state != state || std::isnan(t->objective) || !std::isfinite(x))
                continue;
            s->append(x, drawnObjective(range, t->objective));
            trials << index;
        }
        addSeries(s, trials);
    }
}

QAbstractAxis* TrialChart::valueAxis(Qt::Alignment alignment, bool log, const QString& title)
{
    QAbstractAxis* axis = nullptr;
    const auto existing = chart()->axes(alignment & (Qt::AlignLeft | Qt::AlignRight) ? Qt::Vertical : Qt::Horizontal);
    if (!existing.isEmpty())
        axis = existing.front();
    const bool isLog = axis && axis->type() == QAbstractAxis::AxisTypeLogValue;
    if (axis && (isLog != log || (!log && axis->type() != QAbstractAxis::AxisTypeValue))) {
        chart()->removeAxis(axis);
        delete axis;
        axis = nullptr;
    }
    if (!axis) {
        if (log) {
            auto* a = new QLogValueAxis;
            a->setLabelFormat(QStringLiteral("%g"));
            a->setMinorTickCount(-1);
            axis = a;
        } else {
            auto* a = new QValueAxis;
            a->setTickCount(6);
            axis = a;
        }
        chart()->addAxis(axis, alignment);
    }
    axis->setTitleText(title);
    return axis;
}

void TrialChart::setAxisRange(QAbstractAxis* axis, double lo, double hi)
{
    if (chart()->isZoomed())
        return; // the user's view of the chart, until a double-click fits it again
    if (auto* log = qobject_cast<QLogValueAxis*>(axis))
        setLogRange(log, lo, hi);
    else
        axis->setRange(lo, hi);
}

bool TrialChart::isLogAxis(Qt::Alignment alignment) const
{
    const auto axes = chart()->axes(alignment & (Qt::AlignLeft | Qt::AlignRight) ? Qt::Vertical : Qt::Horizontal);
    return !axes.isEmpty() && axes.front()->type() == QAbstractAxis::AxisTypeLogValue;
}

void TrialChart::finish()
{
    for (QAbstractSeries* s : chart()->series())
        for (QAbstractAxis* a : chart()->axes())
            if (!s->attachedAxes().contains(a))
                s->attachAxis(a);
    applyChartTheme(chart());
}

QXYSeries* TrialChart::seriesNamed(const QString& name) const
{
    for (QAbstractSeries* s : chart()->series())
        if (s->name() == name)
            return qobject_cast<QXYSeries*>(s);
    return nullptr;
}

QPointF TrialChart::viewPosition(QXYSeries* series, const QPointF& value) const
{
    return mapFromScene(chart()->mapToScene(chart()->mapToPosition(value, series)));
}

int TrialChart::trialAt(const QPoint& pos) const
{
    int best = -1;
    double bestDistance = kPickPixels;
    for (auto it = m_pointTrials.begin(); it != m_pointTrials.end(); ++it) {
        QXYSeries* series = it.key();
        if (!series->isVisible())
            continue;
        for (int i = 0; i < it.value().size() && i < series->count(); ++i) {
            if (it.value()[i] < 0)
                continue;
            const QPointF at = viewPosition(series, series->at(i));
            const double d = std::hypot(at.x() - pos.x(), at.y() - pos.y());
            if (d < bestDistance) {
                bestDistance = d;
                best = it.value()[i];
            }
        }
    }
    return best;
}

QPoint TrialChart::pointOf(int index) const
{
    // Scatters before lines: a trial's marker is where a user would click it.
    for (bool scatter : {true, false})
        for (QAbstractSeries* s : chart()->series()) {
            auto* xy = qobject_cast<QXYSeries*>(s);
            if (!xy || !m_pointTrials.contains(xy) || (s->type() == QAbstractSeries::SeriesTypeScatter) != scatter)
                continue;
            const QVector<int>& trials = m_pointTrials[xy];
            for (int i = 0; i < trials.size() && i < xy->count(); ++i)
                if (trials[i] == index)
                    return viewPosition(xy, xy->at(i)).toPoint();
        }
    return {-1, -1};
}

void TrialChart::mouseMoveEvent(QMouseEvent* event)
{
    QChartView::mouseMoveEvent(event);
    if (event->buttons() != Qt::NoButton)
        return;
    const mnist::TrialResult* t = trialOf(trialAt(event->position().toPoint()));
    if (t)
        QToolTip::showText(event->globalPosition().toPoint(), trialToolTip(*t), this);
    else
        QToolTip::hideText();
}

void TrialChart::mousePressEvent(QMouseEvent* event)
{
    m_pressedAt = event->button() == Qt::LeftButton ? event->position().toPoint() : QPoint(-1, -1);
    QChartView::mousePressEvent(event);
}

void TrialChart::mouseReleaseEvent(QMouseEvent* event)
{
    QChartView::mouseReleaseEvent(event);
    // A click, not a drag (which zooms): the trial under it.
    if (event->button() == Qt::LeftButton && m_pressedAt.x() >= 0 &&
        (event->position().toPoint() - m_pressedAt).manhattanLength() <= 3) {
        const int index = trialAt(event->position().toPoint());
        if (index >= 0)
            Q_EMIT trialClicked(index);
    }
    m_pressedAt = {-1, -1};
}

void TrialChart::mouseDoubleClickEvent(QMouseEvent* event)
{
    chart()->zoomReset();
    fill();
    event->accept();
}

} // namespace studio
