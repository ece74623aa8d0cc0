#include "sweeps/ParallelCoordinates.h"

#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace studio {
namespace {

constexpr double kLogSpan = 20.0; // a positive axis spanning this ratio or more is drawn on a log scale

// Dark blue (low) through teal to yellow (high), as matplotlib's viridis runs.
QColor rampColor(double t)
{
    static const QColor stops[] = {QColor(0x44, 0x01, 0x54), QColor(0x3b, 0x52, 0x8b), QColor(0x21, 0x90, 0x8d),
                                   QColor(0x5d, 0xc9, 0x63), QColor(0xfd, 0xe7, 0x25)};
    t = std::clamp(t, 0.0, 1.0) * 4.0;
    const int i = std::min(3, static_cast<int>(t));
    const double f = t - i;
    const QColor& a = stops[i];
    const QColor& b = stops[i + 1];
    return QColor::fromRgbF(static_cast<float>(a.redF() + f * (b.redF() - a.redF())),
                            static_cast<float>(a.greenF() + f * (b.greenF() - a.greenF())),
                            static_cast<float>(a.blueF() + f * (b.blueF() - a.blueF())));
}

bool isNumber(const QVariant& v)
{
    bool ok = false;
    v.toDouble(&ok);
    return ok && v.typeId() != QMetaType::QString;
}

QString numberText(double v)
{
    return QString::number(v, 'g', 4);
}

} // namespace

ParallelCoordinates::ParallelCoordinates(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("parallelCoordinates"));
    setMouseTracking(false);
    setToolTip(tr("One line per configuration, coloured by its mean honest accuracy (bright: high). Click a line to "
                  "select its configuration."));
}

void ParallelCoordinates::setData(const QStringList& columns, const QVector<QVector<QVariant>>& rows)
{
    m_axes.clear();
    for (const QString& c : columns)
        m_axes.push_back(Axis{c});
    m_rows = rows;
    if (m_selected >= m_rows.size())
        m_selected = -1;
    layoutAxes();
    update();
}

void ParallelCoordinates::setSelectedRow(int row)
{
    m_selected = row >= 0 && row < m_rows.size() ? row : -1;
    update();
}

bool ParallelCoordinates::isLogAxis(int column) const
{
    return column >= 0 && column < m_axes.size() && m_axes[column].log;
}

void ParallelCoordinates::layoutAxes()
{
    for (int c = 0; c < m_axes.size(); ++c) {
        Axis& a = m_axes[c];
        double lo = std::numeric_limits<double>::infinity(), hi = -lo;
        bool numeric = true, any = false;
        QStringList texts;
        for (const auto& row : m_rows) {
            if (c >= row.size() || !row[c].isValid())
                continue;
            any = true;
            if (isNumber(row[c])) {
                lo = std::min(lo, row[c].toDouble());
                hi = std::max(hi, row[c].toDouble());
            } else {
                numeric = false;
            }
            if (!texts.contains(row[c].toString()))
                texts << row[c].toString();
        }
        a.numeric = numeric;
        if (!numeric) {
            texts.sort();
            a.categories = texts;
            continue;
        }
        if (!any) {
            lo = 0;
            hi = 1;
        }
        a.log = lo > 0 && hi / lo >= kLogSpan;
        if (hi <= lo) { // one value: in the middle
            const double pad = lo == 0 ? 1.0 : std::abs(lo) * 0.1;
            lo -= pad;
            hi += pad;
        }
        a.lo = lo;
        a.hi = hi;
    }
}

double ParallelCoordinates::position(int column, const QVariant& value) const
{
    if (!value.isValid())
        return -1;
    const Axis& a = m_axes[column];
    if (!a.numeric) {
        const int i = static_cast<int>(a.categories.indexOf(value.toString()));
        return a.categories.size() <= 1 ? 0.5 : static_cast<double>(i) / (a.categories.size() - 1);
    }
    const double v = value.toDouble();
    if (a.log)
        return (std::log(v) - std::log(a.lo)) / (std::log(a.hi) - std::log(a.lo));
    return (v - a.lo) / (a.hi - a.lo);
}

QRectF ParallelCoordinates::plotRect() const
{
    const QFontMetrics fm(font());
    const double side = std::max(40.0, fm.horizontalAdvance(QStringLiteral("0.00001")) * 0.8);
    return QRectF(side, 2.0 * fm.height() + 6, width() - 2 * side, height() - 3.0 * fm.height() - 12);
}

QPointF ParallelCoordinates::pointFor(int column, double pos) const
{
    const QRectF r = plotRect();
    const double x = m_axes.size() <= 1 ? r.center().x() : r.left() + r.width() * column / (m_axes.size() - 1);
    return {x, r.bottom() - pos * r.height()};
}

QString ParallelCoordinates::axisLabel(const Axis& axis, bool top) const
{
    if (!axis.numeric)
        return axis.categories.isEmpty() ? QString() : (top ? axis.categories.back() : axis.categories.front());
    return numberText(top ? axis.hi : axis.lo);
}

int ParallelCoordinates::rowAt(const QPoint& pos) const
{
    if (m_axes.size() < 2)
        return -1;
    int best = -1;
    double bestDistance = 6.0; // pixels
    for (int r = 0; r < m_rows.size(); ++r) {
        for (int c = 0; c + 1 < m_axes.size(); ++c) {
            const double p0 = position(c, c < m_rows[r].size() ? m_rows[r][c] : QVariant());
            const double p1 = position(c + 1, c + 1 < m_rows[r].size() ? m_rows[r][c + 1] : QVariant());
            if (p0 < 0 || p1 < 0)
                continue;
            const QPointF a = pointFor(c, p0), b = pointFor(c + 1, p1);
            if (pos.x() < a.x() || pos.x() > b.x())
                continue;
            const double t = (pos.x() - a.x()) / std::max(1.0, b.x() - a.x());
            const double y = a.y() + t * (b.y() - a.y());
            if (std::abs(y - pos.y()) < bestDistance) {
                bestDistance = std::abs(y - pos.y());
                best = r;
            }
        }
    }
    return best;
}

void ParallelCoordinates::mousePressEvent(QMouseEvent* event)
{
    const int row = rowAt(event->pos());
    if (row >= 0) {
        setSelectedRow(row);
        Q_EMIT rowClicked(row);
    }
    QWidget::mousePressEvent(event);
}

void ParallelCoordinates::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QPalette pal = palette();
    p.fillRect(rect(), pal.color(QPalette::Base));
    const bool darkBase = pal.color(QPalette::Base).lightnessF() < 0.5;
    if (m_axes.isEmpty() || m_rows.isEmpty()) {
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(rect(), Qt::AlignCenter, tr("No configurations yet"));
        return;
    }
    const int metric = static_cast<int>(m_axes.size()) - 1;
    // Lines: unmeasured first (grey, dashed), then by metric so that the best lie on top, the
    // selected one last and thick.
    QVector<int> order(m_rows.size());
    std::iota(order.begin(), order.end(), 0);
    auto metricPos = [&](int r) { return metric < m_rows[r].size() ? position(metric, m_rows[r][metric]) : -1.0; };
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return metricPos(a) < metricPos(b); });
    order.removeAll(m_selected);
    if (m_selected >= 0)
        order.push_back(m_selected);
    for (int r : order) {
        QPainterPath path;
        bool started = false;
        for (int c = 0; c < m_axes.size(); ++c) {
            const double pos = position(c, c < m_rows[r].size() ? m_rows[r][c] : QVariant());
            if (pos < 0) {
                started = false;
                continue;
            }
            const QPointF pt = pointFor(c, pos);
            if (started)
                path.lineTo(pt);
            else
                path.moveTo(pt);
            started = true;
        }
        const double m = metricPos(r);
        // Viridis starts near black: on a dark background the ramp begins at its blue instead,
        // so the worst configurations stay visible (still dark to bright, low to high).
        const double shade = darkBase ? 0.3 + 0.7 * m : m;
        QPen pen(m < 0 ? pal.color(QPalette::Mid) : rampColor(shade), r == m_selected ? 4.0 : 1.6);
        if (m < 0)
            pen.setStyle(Qt::DashLine);
        p.setPen(pen);
        p.drawPath(path);
    }
    // Axes on top, with their names and ends.
    const QColor text = pal.color(QPalette::WindowText);
    const QFontMetrics fm(font());
    for (int c = 0; c < m_axes.size(); ++c) {
        const QPointF top = pointFor(c, 1), bottom = pointFor(c, 0);
        p.setPen(QPen(text, 1.2));
        p.drawLine(top, bottom);
        const Axis& a = m_axes[c];
        QString name = a.name + (a.log ? tr(" (log)") : QString());
        const double slot = m_axes.size() > 1 ? plotRect().width() / (m_axes.size() - 1) : width();
        name = fm.elidedText(name, Qt::ElideRight, static_cast<int>(std::max(60.0, slot - 8)));
        QFont f = font();
        f.setBold(c == metric);
        p.setFont(f);
        p.drawText(QRectF(top.x() - slot / 2, 0, slot, fm.height() + 2), Qt::AlignHCenter | Qt::AlignBottom, name);
        p.setFont(font());
        p.drawText(QRectF(top.x() - slot / 2, fm.height() + 2, slot, fm.height() + 2), Qt::AlignHCenter | Qt::AlignBottom,
                   fm.elidedText(axisLabel(a, true), Qt::ElideRight, static_cast<int>(slot - 8)));
        p.drawText(QRectF(bottom.x() - slot / 2, bottom.y() + 3, slot, fm.height() + 2), Qt::AlignHCenter | Qt::AlignTop,
                   fm.elidedText(axisLabel(a, false), Qt::ElideRight, static_cast<int>(slot - 8)));
        // A text axis names each of its values.
        if (!a.numeric && a.categories.size() > 2)
            for (int i = 1; i + 1 < a.categories.size(); ++i) {
                const QPointF at = pointFor(c, static_cast<double>(i) / (a.categories.size() - 1));
                p.drawText(QRectF(at.x() + 4, at.y() - fm.height() / 2.0, slot / 2, fm.height()), Qt::AlignLeft | Qt::AlignVCenter,
                           a.categories[i]);
            }
    }
}

} // namespace studio
