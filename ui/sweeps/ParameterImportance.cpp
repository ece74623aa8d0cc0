#include "sweeps/ParameterImportance.h"

#include "shared/ChartStyle.h"
#include "shared/QtText.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QHorizontalBarSeries>
#include <QValueAxis>

#include <algorithm>

namespace studio {

ParameterImportance::ParameterImportance(QWidget* parent) : QChartView(new QChart, parent)
{
    setObjectName(QStringLiteral("sweepImportance"));
    setRenderHint(QPainter::Antialiasing);
    styleCompactChart(chart());
    setMinimumSize(200, 150);
}

void ParameterImportance::setSummary(const mnist::SweepSummary& summary)
{
    std::vector<std::pair<std::string, double>> shares(summary.importance.begin(), summary.importance.end());
    std::stable_sort(shares.begin(), shares.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    QStringList settings;
    QVector<double> percents;
    for (const auto& [key, share] : shares) {
        settings << fromStd(key);
        percents << 100.0 * share;
    }
    if (settings == m_settings && percents == m_percents && !chart()->series().isEmpty())
        return; // unchanged: nothing redrawn on a refresh
    m_settings = settings;
    m_percents = percents;

    QChart* c = chart();
    c->removeAllSeries();
    for (QAbstractAxis* a : c->axes())
        c->removeAxis(a), delete a;
    if (m_settings.isEmpty()) {
        c->setTitle(tr("Parameter importance: shown once enough trials have finished or been pruned"));
        return;
    }
    c->setTitle(tr("Parameter importance (fANOVA): each setting's share of the valid loss's variance"));
    // A horizontal bar chart draws its first category at the bottom: the largest goes last.
    auto* set = new QBarSet(tr("importance"));
    QStringList categories;
    for (qsizetype i = m_settings.size() - 1; i >= 0; --i) {
        *set << m_percents[i];
        categories << m_settings[i];
    }
    set->setColor(seriesColor(SeriesRole::TrainLoss));
    set->setBorderColor(Qt::transparent);
    auto* series = new QHorizontalBarSeries;
    series->append(set);
    series->setLabelsVisible(true);
    series->setLabelsFormat(QStringLiteral("@value %"));
    series->setLabelsPrecision(3);
    series->setLabelsPosition(QAbstractBarSeries::LabelsOutsideEnd);
    series->setBarWidth(0.6);
    c->addSeries(series);
    auto* names = new QBarCategoryAxis;
    names->append(categories);
    auto* share = new QValueAxis;
    share->setRange(0, 100);
    share->setTickCount(6);
    share->setLabelFormat(QStringLiteral("%d"));
    share->setTitleText(tr("share of the variance %"));
    c->addAxis(names, Qt::AlignLeft);
    c->addAxis(share, Qt::AlignBottom);
    series->attachAxis(names);
    series->attachAxis(share);
    applyChartTheme(c);
    set->setLabelColor(palette().color(QPalette::WindowText));
}

} // namespace studio
