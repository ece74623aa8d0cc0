#include "shared/Decimate.h"

#include <algorithm>

namespace studio {

QList<QPointF> decimateMinMax(std::size_t n, const std::function<double(std::size_t)>& x,
                              const std::function<double(std::size_t)>& y, int maxPoints)
{
    QList<QPointF> out;
    maxPoints = std::max(maxPoints, 4);
    if (n <= static_cast<std::size_t>(maxPoints)) {
        out.reserve(static_cast<int>(n));
        for (std::size_t i = 0; i < n; ++i)
            out.append(QPointF(x(i), y(i)));
        return out;
    }
    // The first and last points are kept so that the drawn curve spans the whole range.
    const std::size_t buckets = static_cast<std::size_t>(maxPoints / 2 - 1);
    const std::size_t inner = n - 2;
    out.reserve(maxPoints);
    out.append(QPointF(x(0), y(0)));
    for (std::size_t b = 0; b < buckets; ++b) {
        const std::size_t begin = 1 + inner * b / buckets;
        const std::size_t end = 1 + inner * (b + 1) / buckets;
        if (begin >= end)
            continue;
        std::size_t lo = begin, hi = begin;
        double loV = y(begin), hiV = loV;
        for (std::size_t i = begin + 1; i < end; ++i) {
            const double v = y(i);
            if (v < loV) {
                loV = v;
                lo = i;
            }
            if (v > hiV) {
                hiV = v;
                hi = i;
            }
        }
        const std::size_t first = std::min(lo, hi), second = std::max(lo, hi);
        out.append(QPointF(x(first), y(first)));
        if (second != first)
            out.append(QPointF(x(second), y(second)));
    }
    out.append(QPointF(x(n - 1), y(n - 1)));
    return out;
}

MinMaxEnvelope envelopeMinMax(std::size_t n, const std::function<double(std::size_t)>& x,
                              const std::function<double(std::size_t)>& y, int buckets)
{
    MinMaxEnvelope out;
    const std::size_t count = std::min(n, static_cast<std::size_t>(std::max(buckets, 1)));
    out.lower.reserve(static_cast<int>(2 * count));
    out.upper.reserve(static_cast<int>(2 * count));
    for (std::size_t b = 0; b < count; ++b) {
        const std::size_t begin = n * b / count;
        const std::size_t end = n * (b + 1) / count;
        double lo = y(begin), hi = lo;
        for (std::size_t i = begin + 1; i < end; ++i) {
            const double v = y(i);
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
        out.lower.append(QPointF(x(begin), lo));
        out.upper.append(QPointF(x(begin), hi));
        if (end - 1 > begin) {
            out.lower.append(QPointF(x(end - 1), lo));
            out.upper.append(QPointF(x(end - 1), hi));
        }
    }
    return out;
}

} // namespace studio
