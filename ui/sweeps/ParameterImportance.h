#pragma once
// Parameter importance (the sweep summary's importance, fANOVA's share of the objective's
// variance per setting): one horizontal bar per setting, largest at the top, labelled in percent.
#include "sweep/SweepSummary.h"

#include <QChartView>

namespace studio {

class ParameterImportance : public QChartView {
    Q_OBJECT
public:
    explicit ParameterImportance(QWidget* parent = nullptr);

    void setSummary(const mnist::SweepSummary& summary);
    // The settings as drawn, top (most important) first, and their shares in percent.
    const QStringList& settings() const { return m_settings; }
    const QVector<double>& percents() const { return m_percents; }

    QSize sizeHint() const override { return {520, 320}; }

private:
    QStringList m_settings;
    QVector<double> m_percents;
};

} // namespace studio
