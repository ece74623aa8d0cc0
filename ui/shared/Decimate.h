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

} // namespace studio
