#include "search/Importance.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace mnist::search {
namespace {

// The observations as a design matrix in the parameters' model scales.
struct Data {
    std::vector<std::vector<double>> x; // row per observation
    std::vector<double> y;
};

// A leaf of a fitted tree: its box in the space and its prediction.
struct Leaf {
    std::vector<double> lo, hi;
    double value = 0;
};

// A regression tree grown on a bootstrap sample, kept only as its leaves' boxes: all that the
// decomposition needs.
class TreeBuilder {
public:
    TreeBuilder(const Data& data, const std::vector<std::pair<double, double>>& ranges, size_t minLeaf,
                size_t features, std::mt19937_64& rng)
        : m_data(data), m_ranges(ranges), m_minLeaf(minLeaf), m_features(features), m_rng(rng)
    {
    }

    std::vector<Leaf> grow(std::vector<size_t> sample)
    {
        Leaf root;
        for (const auto& [lo, hi] : m_ranges) {
            root.lo.push_back(lo);
            root.hi.push_back(hi);
        }
        m_leaves.clear();
        split(sample, root);
        return std::move(m_leaves);
    }

private:
    void split(std::vector<size_t>& rows, Leaf box)
    {
        double sum = 0;
        for (size_t r : rows)
            sum += m_data.y[r];
        box.value = sum / static_cast<double>(rows.size());

        size_t bestFeature = 0;
        double bestThreshold = 0, bestGain = 0;
        if (rows.size() >= 2 * m_minLeaf) {
            // The parameters in a fresh random order; the first m_features that vary here are tried.
            const size_t d = m_ranges.size();
            std::vector<size_t> order(d);
            std::iota(order.begin(), order.end(), size_t{0});
            size_t tried = 0;
            for (size_t j = 0; j < d && tried < m_features; ++j) {
                const size_t pick = j + std::min(static_cast<size_t>(unit(m_rng) * static_cast<double>(d - j)), d - j - 1);
                std::swap(order[j], order[pick]);
                double threshold = 0, gain = 0;
                if (!bestSplit(rows, order[j], threshold, gain))
                    continue;
                ++tried;
                if (gain > bestGain) {
                    bestGain = gain;
                    bestFeature = order[j];
                    bestThreshold = threshold;
                }
            }
        }
        if (bestGain <= 0) {
            m_leaves.push_back(std::move(box));
            return;
        }
        std::vector<size_t> left, right;
        for (size_t r : rows)
            (m_data.x[r][bestFeature] <= bestThreshold ? left : right).push_back(r);
        Leaf leftBox = box, rightBox = std::move(box);
        leftBox.hi[bestFeature] = bestThreshold;
        rightBox.lo[bestFeature] = bestThreshold;
        split(left, std::move(leftBox));
        split(right, std::move(rightBox));
    }

    // The split of `rows` on `feature` that lowers the squared error most, both sides keeping at
    // least m_minLeaf rows; false when the feature does not vary here.
    bool bestSplit(const std::vector<size_t>& rows, size_t feature, double& threshold, double& gain) const
    {
        std::vector<std::pair<double, double>> xy;
        for (size_t r : rows)
            xy.emplace_back(m_data.x[r][feature], m_data.y[r]);
        std::sort(xy.begin(), xy.end());
        if (xy.front().first == xy.back().first)
            return false;
        const size_t n = xy.size();
        double total = 0, totalSq = 0;
        for (const auto& [x, y] : xy) {
            total += y;
            totalSq += y * y;
        }
        const double sse = totalSq - total * total / static_cast<double>(n);
        double left = 0, leftSq = 0;
        gain = 0;
        for (size_t i = 0; i + 1 < n; ++i) {
            left += xy[i].second;
            leftSq += xy[i].second * xy[i].second;
            const size_t nl = i + 1, nr = n - nl;
            if (xy[i].first == xy[i + 1].first || nl < m_minLeaf || nr < m_minLeaf)
                continue;
            const double right = total - left, rightSq = totalSq - leftSq;
            const double after = (leftSq - left * left / static_cast<double>(nl)) + (rightSq - right * right / static_cast<double>(nr));
            if (sse - after > gain) {
                gain = sse - after;
                threshold = 0.5 * (xy[i].first + xy[i + 1].first);
            }
        }
        return true;
    }

    const Data& m_data;
    const std::vector<std::pair<double, double>>& m_ranges;
    size_t m_minLeaf, m_features;
    std::mt19937_64& m_rng;
    std::vector<Leaf> m_leaves;
};

// Each parameter's first-order share of one tree's variance over the (uniform) space, computed
// exactly: the marginal prediction over parameter i is piecewise constant between the leaves'
// bounds in i. False when the tree predicts a constant.
bool mainEffects(const std::vector<Leaf>& leaves, const std::vector<std::pair<double, double>>& ranges,
                 std::vector<double>& fractions)
{
    const size_t d = ranges.size();
    // Each leaf's share of the space along every dimension, and of the whole space.
    std::vector<std::vector<double>> along(leaves.size(), std::vector<double>(d, 1.0));
    std::vector<double> volume(leaves.size(), 1.0);
    for (size_t l = 0; l < leaves.size(); ++l)
        for (size_t i = 0; i < d; ++i) {
            const double width = ranges[i].second - ranges[i].first;
            along[l][i] = width > 0 ? (leaves[l].hi[i] - leaves[l].lo[i]) / width : 1.0;
            volume[l] *= along[l][i];
        }
    double mean = 0;
    for (size_t l = 0; l < leaves.size(); ++l)
        mean += volume[l] * leaves[l].value;
    double variance = 0;
    for (size_t l = 0; l < leaves.size(); ++l)
        variance += volume[l] * (leaves[l].value - mean) * (leaves[l].value - mean);
    if (!(variance > 0))
        return false;

    fractions.assign(d, 0.0);
    for (size_t i = 0; i < d; ++i) {
        const double width = ranges[i].second - ranges[i].first;
        if (!(width > 0))
            continue;
        std::vector<double> cuts;
        for (const Leaf& leaf : leaves) {
            cuts.push_back(leaf.lo[i]);
            cuts.push_back(leaf.hi[i]);
        }
        std::sort(cuts.begin(), cuts.end());
        cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
        // The marginal prediction between consecutive cuts: each leaf adds its value, weighted by
        // its share of the other dimensions, from its lower bound to its upper one.
        const auto at = [&](double bound) {
            return static_cast<size_t>(std::lower_bound(cuts.begin(), cuts.end(), bound) - cuts.begin());
        };
        std::vector<double> step(cuts.size(), 0.0);
        for (size_t l = 0; l < leaves.size(); ++l) {
            const double contribution = leaves[l].value * volume[l] / along[l][i];
            step[at(leaves[l].lo[i])] += contribution;
            step[at(leaves[l].hi[i])] -= contribution;
        }
        double effect = 0, marginal = 0;
        for (size_t c = 0; c + 1 < cuts.size(); ++c) {
            marginal += step[c];
            effect += (cuts[c + 1] - cuts[c]) / width * (marginal - mean) * (marginal - mean);
        }
        fractions[i] = effect / variance;
    }
    return true;
}

} // namespace

std::map<std::string, double> paramImportance(const Space& space, const std::vector<Observation>& observations,
                                              const ImportanceOptions& options)
{
    std::map<std::string, double> shares;
    for (const Param& p : space)
        shares[p.key] = 0.0;
    if (space.empty())
        return shares;

    // The usable observations: a value for every parameter. NaN and infinities become the worst
    // finite objective: the worst, but on the same scale.
    Data data;
    std::vector<double> objectives;
    for (const Observation& o : observations) {
        if (!o.params.is_object())
            continue;
        std::vector<double> row(space.size());
        bool usable = true;
        for (size_t i = 0; i < space.size() && usable; ++i)
            usable = o.params.contains(space[i].key) && modelCoordinate(space[i], o.params.at(space[i].key), row[i]);
        if (!usable)
            continue;
        data.x.push_back(std::move(row));
        objectives.push_back(o.objective);
    }
    double worst = -std::numeric_limits<double>::infinity(), best = std::numeric_limits<double>::infinity();
    size_t finite = 0;
    for (double v : objectives)
        if (std::isfinite(v)) {
            ++finite;
            worst = std::max(worst, v);
            best = std::min(best, v);
        }
    if (finite < 2 || !(worst > best))
        return shares;
    for (double v : objectives)
        data.y.push_back(std::isfinite(v) ? v : worst);

    std::vector<std::pair<double, double>> ranges;
    for (const Param& p : space)
        ranges.push_back(modelRange(p));
    const size_t d = space.size();
    const size_t features = options.features > 0 ? std::min(static_cast<size_t>(options.features), d) : (2 * d + 2) / 3;
    std::mt19937_64 rng(options.seed);
    TreeBuilder builder(data, ranges, static_cast<size_t>(std::max<int64_t>(options.minSamplesLeaf, 1)), features, rng);

    const size_t n = data.y.size();
    std::vector<double> total(d, 0.0);
    int64_t counted = 0;
    for (int64_t t = 0; t < std::max<int64_t>(options.trees, 1); ++t) {
        std::vector<size_t> sample(n);
        for (size_t& s : sample)
            s = std::min(static_cast<size_t>(unit(rng) * static_cast<double>(n)), n - 1);
        std::vector<double> fractions;
        if (!mainEffects(builder.grow(std::move(sample)), ranges, fractions))
            continue;
        for (size_t i = 0; i < d; ++i)
            total[i] += fractions[i];
        ++counted;
    }
    const double sum = std::accumulate(total.begin(), total.end(), 0.0);
    if (counted == 0 || !(sum > 0))
        return shares;
    for (size_t i = 0; i < d; ++i)
        shares[space[i].key] = total[i] / sum;
    return shares;
}

} // namespace mnist::search
