#pragma once
// The slice plots of a sweep: one SliceChart per varying setting, two or three to a row, in a
// scrolling area. The charts are made again only when the settings change, so a refresh keeps
// each one's zoom.
#include "sweep/SweepSummary.h"

#include <QVector>
#include <QWidget>

class QGridLayout;
class QLabel;

namespace studio {

class SliceChart;

class SlicePlots : public QWidget {
    Q_OBJECT
public:
    explicit SlicePlots(QWidget* parent = nullptr);

    void setSummary(const mnist::SweepSummary& summary);
    const QVector<SliceChart*>& charts() const { return m_charts; }
    SliceChart* chartFor(const QString& setting) const;

Q_SIGNALS:
    void trialClicked(int index);

private:
    QGridLayout* m_grid = nullptr;
    QLabel* m_empty = nullptr;
    QVector<SliceChart*> m_charts;
};

} // namespace studio
