#pragma once
// A chart of a sweep's trials (the optimization history, the intermediate values, a slice): drag
// a rectangle to zoom, right-click to zoom out, double-click to fit again; the zoom survives the
// refreshes of a running sweep. Every point knows its trial: hovering names it (name, settings,
// objective), clicking emits trialClicked.
#include "sweep/SweepSummary.h"

#include <QChartView>
#include <QHash>
#include <QVector>

class QAbstractAxis;
class QXYSeries;

namespace studio {

// Where a chart draws the objective of a trial: the plot's y range and the height of the top edge
// that diverged trials (+inf) are drawn at.
struct ObjectiveRange {
    bool log = false;
    double lo = 0, hi = 1; // the axis range
    double top = 1;        // where diverged trials sit: just below hi
};
// The range that shows `values` (the finite ones), log when they span more than a decade.
ObjectiveRange objectiveRange(const std::vector<double>& values);
// A trial's objective as drawn: +inf at the top edge; NaN stays NaN (not drawn).
double drawnObjective(const ObjectiveRange& range, double objective);

class TrialChart : public QChartView {
    Q_OBJECT
public:
    explicit TrialChart(QWidget* parent = nullptr);

    // Draws `summary`'s trials (a refresh: the series are replaced, the zoom kept).
    void setSummary(const mnist::SweepSummary& summary);
    const mnist::SweepSummary& summary() const { return m_summary; }
    // The trial (index) whose point is drawn nearest `pos` (viewport coordinates, within a few
    // pixels), or -1.
    int trialAt(const QPoint& pos) const;
    // Where the first point of trial `index` is drawn (viewport coordinates); (-1, -1) when none.
    QPoint pointOf(int index) const;
    // The series of that name ("finished", "pruned", "best so far", "trial-0003", ...), or null.
    QXYSeries* seriesNamed(const QString& name) const;
    // Whether the value axis at `alignment` (Qt::AlignLeft, Qt::AlignBottom) is logarithmic.
    bool isLogAxis(Qt::Alignment alignment) const;

    QSize sizeHint() const override { return {520, 320}; }

Q_SIGNALS:
    void trialClicked(int index);

protected:
    // Draws m_summary: called by setSummary and when a double-click fits the chart again.
    virtual void fill() = 0;

    // Removes the series (the axes stay, and with them the zoom).
    void clearSeries();
    // Adds a series to the chart, attached to its axes; `trials[i]`: the trial of its point i (-1: none).
    void addSeries(QXYSeries* series, const QVector<int>& trials = {});
    // The axis at `alignment`, made (or remade) logarithmic or linear as asked, titled `title`.
    QAbstractAxis* valueAxis(Qt::Alignment alignment, bool log, const QString& title);
    // Sets the axis's range (decades on a log axis), unless the user has zoomed in.
    void setAxisRange(QAbstractAxis* axis, double lo, double hi);
    // One scatter per state (finished, pruned, running, failed, then diverged at the top edge
    // with a triangle), named after the state: each trial of `xs` (trial index, x) at its objective.
    void addStateScatters(const std::vector<std::pair<int, double>>& xs, const ObjectiveRange& range);
    // After the series and axes are in place: attaches every series to every axis, colours the chart.
    void finish();
    const mnist::TrialResult* trialOf(int index) const;

    void mouseMoveEvent(QMouseEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;

private:
    QPointF viewPosition(QXYSeries* series, const QPointF& value) const;

    mnist::SweepSummary m_summary;
    QHash<QXYSeries*, QVector<int>> m_pointTrials;
    QPoint m_pressedAt{-1, -1};
};

} // namespace studio
