#include "sweeps/SliceChart.h"

#include "shared/QtText.h"
#include "sweeps/SweepCells.h"

#include <QCategoryAxis>
#include <QChart>

#include <algorithm>
#include <cmath>
#include <limits>

namespace studio {
namespace {

constexpr double kLogDecades = 100.0; // positive values spanning more than this ratio: log x

} // namespace

SliceChart::SliceChart(const QString& setting, QWidget* parent) : TrialChart(parent), m_setting(setting)
{
    setObjectName(QStringLiteral("sweepSlice_%1").arg(setting));
    chart()->setTitle(setting);
}

void SliceChart::fill()
{
    clearSeries();
    const std::string key = m_setting.toStdString();
    const auto& trials = summary().trialResults;
    // Numeric when every value given is a number; otherwise each distinct value is a category.
    bool numeric = true;
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    QStringList categories;
    std::vector<double> objectives;
    for (const mnist::TrialResult& t : trials) {
        if (!t.params.contains(key) || std::isnan(t.objective))
            continue;
        const nlohmann::json& v = t.params[key];
        objectives.push_back(t.objective);
        if (v.is_number()) {
            lo = std::min(lo, v.get<double>());
            hi = std::max(hi, v.get<double>());
        } else {
            numeric = false;
        }
        const QString text = sweepValue(v).toString();
        if (!categories.contains(text))
            categories << text;
    }
    if (numeric)
        categories.clear();
    else
        categories.sort();
    m_categories = categories;

    std::vector<std::pair<int, double>> xs;
    for (const mnist::TrialResult& t : trials) {
        if (!t.params.contains(key))
            continue;
        const nlohmann::json& v = t.params[key];
        const double x = numeric ? (v.is_number() ? v.get<double>() : std::nan(""))
                                 : static_cast<double>(categories.indexOf(sweepValue(v).toString()));
        xs.emplace_back(static_cast<int>(t.index), x);
    }
    const ObjectiveRange range = objectiveRange(objectives);
    addStateScatters(xs, range);

    // The x axis: a category axis is remade each time (its labels are the values).
    for (QAbstractAxis* a : chart()->axes(Qt::Horizontal))
        if (!numeric || a->type() == QAbstractAxis::AxisTypeCategory)
            chart()->removeAxis(a), delete a;
    if (numeric) {
        if (!std::isfinite(lo))
            lo = 0, hi = 1;
        const bool log = lo > 0 && hi / lo > kLogDecades;
        QAbstractAxis* x = valueAxis(Qt::AlignBottom, log, log ? m_setting + tr(" (log)") : m_setting);
        if (log) {
            setAxisRange(x, lo, hi);
        } else {
            const double pad = hi > lo ? 0.06 * (hi - lo) : std::max(std::abs(lo) * 0.1, 1e-3);
            setAxisRange(x, lo - pad, hi + pad);
        }
    } else {
        auto* x = new QCategoryAxis;
        x->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
        for (int i = 0; i < categories.size(); ++i)
            x->append(categories[i], i);
        x->setStartValue(-0.5);
        x->setRange(-0.5, std::max(0.5, categories.size() - 0.5));
        x->setTitleText(m_setting);
        chart()->addAxis(x, Qt::AlignBottom);
    }
    QAbstractAxis* y = valueAxis(Qt::AlignLeft, range.log, range.log ? tr("valid loss (log)") : tr("valid loss"));
    setAxisRange(y, range.lo, range.hi);
    finish();
}

} // namespace studio
