#include "sweeps/SlicePlots.h"

#include "shared/QtText.h"
#include "sweeps/SliceChart.h"

#include <QGridLayout>
#include <QLabel>
#include <QScrollArea>
#include <QVBoxLayout>

namespace studio {

SlicePlots::SlicePlots(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("sweepSlices"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_empty = new QLabel(tr("No setting varies in this sweep."));
    m_empty->setAlignment(Qt::AlignCenter);
    layout->addWidget(m_empty);
    auto* scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto* inner = new QWidget;
    m_grid = new QGridLayout(inner);
    m_grid->setContentsMargins(0, 0, 0, 0);
    scroll->setWidget(inner);
    layout->addWidget(scroll, 1);
}

SliceChart* SlicePlots::chartFor(const QString& setting) const
{
    for (SliceChart* c : m_charts)
        if (c->setting() == setting)
            return c;
    return nullptr;
}

void SlicePlots::setSummary(const mnist::SweepSummary& summary)
{
    QStringList keys;
    for (const std::string& k : summary.keys)
        keys << fromStd(k);
    QStringList shown;
    for (SliceChart* c : m_charts)
        shown << c->setting();
    if (keys != shown) {
        qDeleteAll(m_charts);
        m_charts.clear();
        const int columns = keys.size() > 4 ? 3 : keys.size() > 1 ? 2 : 1;
        for (int i = 0; i < keys.size(); ++i) {
            auto* chart = new SliceChart(keys[i]);
            chart->setMinimumHeight(220);
            connect(chart, &TrialChart::trialClicked, this, &SlicePlots::trialClicked);
            m_grid->addWidget(chart, i / columns, i % columns);
            m_charts << chart;
        }
    }
    m_empty->setVisible(m_charts.isEmpty());
    for (SliceChart* c : m_charts)
        c->setSummary(summary);
}

} // namespace studio
