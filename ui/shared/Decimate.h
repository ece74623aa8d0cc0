#pragma once
// Thinning a long series for drawing: every point stays in memory, the chart gets at most a few
// thousand. Min/max per bucket keeps spikes and the envelope of a noisy curve visible.
#include <QList>
#include <QPointF>

#include <cstddef>
#include <functional>

namespace studio {

// Points (x(i), y(i)) for i in [0, n), at most `maxPoints` of them (>= 4): all of them when they
// fit, else the first, the last and the minimum and maximum of each of maxPoints/2 - 1 buckets,
// in order of i.
QList<QPointF> decimateMinMax(std::size_t n, const std::function<double(std::size_t)>& x,
                              const std::function<double(std::size_t)>& y, int maxPoints);

// The edges of a min-max band over the same points: i in [0, n) cut into `buckets` runs of
// consecutive points as equal as can be (n of one point each when n <= buckets), each edge flat
// over its bucket from the x of its first point to the x of its last, at the bucket's minimum
// (lower) or maximum (upper) of y. With x increasing, every point lies between the edges at its x.
struct MinMaxEnvelope {
    QList<QPointF> lower, upper;
};
MinMaxEnvelope envelopeMinMax(std::size_t n, const std::function<double(std::size_t)>& x,
                              const std::function<double(std::size_t)>& y, int buckets);

} // namespace studio
