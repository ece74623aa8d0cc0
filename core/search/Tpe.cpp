#include "search/Tpe.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

using json = nlohmann::json;

namespace mnist::search {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kLogSqrt2Pi = 0.91893853320467274178; // log(sqrt(2 pi))

// Standard normal CDF and its upper tail, each accurate where it is small.
double normalCdf(double z)
{
    return 0.5 * std::erfc(-z / std::sqrt(2.0));
}
double normalTail(double z)
{
    return 0.5 * std::erfc(z / std::sqrt(2.0));
}

// log(Phi(hi) - Phi(lo)) for lo < hi, computed on the side of the mean where it keeps its digits;
// -inf when it underflows.
double logNormalMass(double lo, double hi)
{
    const double mass = lo > 0 ? normalTail(lo) - normalTail(hi) : normalCdf(hi) - normalCdf(lo);
    return mass > 0 ? std::log(mass) : -kInf;
}

double logSumExp(const std::vector<double>& terms)
{
    const double top = *std::max_element(terms.begin(), terms.end());
    if (!std::isfinite(top))
        return top;
    double sum = 0;
    for (double t : terms)
        sum += std::exp(t - top);
    return top + std::log(sum);
}

// Optuna's default weights: the newest 25 observations count fully, older ones less the older
// they are (a ramp from 1/n up to 1). `n` observations in the order they were made.
std::vector<double> observationWeights(size_t n)
{
    std::vector<double> w(n, 1.0);
    if (n <= 25)
        return w;
    const size_t ramp = n - 25;
    const double first = 1.0 / static_cast<double>(n);
    for (size_t i = 0; i < ramp; ++i)
        w[i] = ramp == 1 ? first : first + (1.0 - first) * static_cast<double>(i) / static_cast<double>(ramp - 1);
    return w;
}

// Mixture weights: the observations' and the prior's, summing to 1. With no observation the prior
// is the whole estimator.
std::vector<double> mixtureWeights(size_t n, double priorWeight)
{
    std::vector<double> w = observationWeights(n);
    w.push_back(n == 0 ? 1.0 : std::max(priorWeight, 0.0));
    const double sum = std::accumulate(w.begin(), w.end(), 0.0);
    for (double& v : w)
        v /= sum;
    return w;
}

size_t pickComponent(const std::vector<double>& weights, double u)
{
    double cumulative = 0;
    for (size_t k = 0; k + 1 < weights.size(); ++k) {
        cumulative += weights[k];
        if (u < cumulative)
            return k;
    }
    return weights.size() - 1;
}

// A Parzen estimator of one number: truncated normals on [lo, hi], one per observation plus the
// prior (centred, as wide as the range). `whole`: the values are whole numbers and the density of
// x is the mass of [x - 0.5, x + 0.5].
class NumericEstimator {
public:
    NumericEstimator(const std::vector<double>& observed, double lo, double hi, double priorWeight, bool whole)
        : m_lo(lo), m_hi(hi), m_whole(whole), m_weights(mixtureWeights(observed.size(), priorWeight))
    {
        const size_t n = observed.size();
        const double width = hi - lo;
        const double prior = 0.5 * (lo + hi);

        // Each observation's bandwidth: the larger gap to its neighbours, the prior's centre among
        // them and the range's ends around them; the outermost two use their inner gap only.
        std::vector<double> points = observed;
        points.push_back(prior);
        std::vector<size_t> order(points.size());
        std::iota(order.begin(), order.end(), size_t{0});
        std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return points[a] < points[b]; });
        std::vector<double> edged{lo};
        for (size_t i : order)
            edged.push_back(points[i]);
        edged.push_back(hi);
        const size_t m = points.size();
        std::vector<double> sortedSigma(m);
        for (size_t j = 0; j < m; ++j)
            sortedSigma[j] = std::max(edged[j + 1] - edged[j], edged[j + 2] - edged[j + 1]);
        if (m >= 2) {
            sortedSigma[0] = edged[2] - edged[1];
            sortedSigma[m - 1] = edged[m] - edged[m - 1];
        }
        // The "magic clip": never wider than the range, never narrower than range / (n + 2)
        // (at most a hundredth of it).
        const double maxSigma = width;
        const double minSigma = width / std::min(100.0, static_cast<double>(n) + 2.0);
        std::vector<double> sigma(m);
        for (size_t j = 0; j < m; ++j)
            sigma[order[j]] = sortedSigma[j];
        for (size_t i = 0; i < n; ++i) {
            m_mu.push_back(observed[i]);
            m_sigma.push_back(std::min(std::max(sigma[i], minSigma), maxSigma));
        }
        m_mu.push_back(prior);
        m_sigma.push_back(width);
        for (size_t k = 0; k < m_mu.size(); ++k)
            m_logNorm.push_back(logNormalMass((lo - m_mu[k]) / m_sigma[k], (hi - m_mu[k]) / m_sigma[k]));
    }

    double sample(std::mt19937_64& rng) const
    {
        const size_t k = pickComponent(m_weights, unit(rng));
        const double u = unit(rng);
        // Inverse CDF of the truncated normal by bisection: exact to the last bits, no tables.
        // The component's centre lies in [lo, hi], so Phi keeps its digits on both ends.
        const double mu = m_mu[k], s = m_sigma[k];
        const double pLo = normalCdf((m_lo - mu) / s), pHi = normalCdf((m_hi - mu) / s);
        const double target = pLo + u * (pHi - pLo);
        double a = m_lo, b = m_hi;
        for (int i = 0; i < 100 && a < b; ++i) {
            const double mid = 0.5 * (a + b);
            if (mid <= a || mid >= b)
                break;
            (normalCdf((mid - mu) / s) < target ? a : b) = mid;
        }
        return 0.5 * (a + b);
    }

    double logDensity(double x) const
    {
        std::vector<double> terms(m_mu.size());
        for (size_t k = 0; k < m_mu.size(); ++k) {
            const double mu = m_mu[k], s = m_sigma[k];
            const double z = (x - mu) / s;
            double logP = -0.5 * z * z - std::log(s) - kLogSqrt2Pi;
            if (m_whole) { // the mass of x's whole number; the density stands in where that underflows
                const double mass = logNormalMass((std::max(x - 0.5, m_lo) - mu) / s, (std::min(x + 0.5, m_hi) - mu) / s);
                if (std::isfinite(mass))
                    logP = mass;
            }
            terms[k] = std::log(m_weights[k]) + logP - m_logNorm[k];
        }
        return logSumExp(terms);
    }

private:
    double m_lo, m_hi;
    bool m_whole;
    std::vector<double> m_weights, m_mu, m_sigma, m_logNorm;
};

// A Parzen estimator of a categorical parameter: each observation's component puts weight 1 on its
// category plus priorWeight / (n + 1) on every category; the prior's is uniform.
class CategoricalEstimator {
public:
    CategoricalEstimator(const std::vector<size_t>& observed, size_t categories, double priorWeight)
        : m_weights(mixtureWeights(observed.size(), priorWeight))
    {
        const double base = std::max(priorWeight, 0.0) / static_cast<double>(observed.size() + 1);
        for (size_t k = 0; k <= observed.size(); ++k) {
            std::vector<double> row(categories, k == observed.size() ? 1.0 : base);
            if (k < observed.size())
                row[observed[k]] += 1;
            const double sum = std::accumulate(row.begin(), row.end(), 0.0);
            for (double& v : row)
                v /= sum;
            m_rows.push_back(std::move(row));
        }
    }

    size_t sample(std::mt19937_64& rng) const
    {
        const std::vector<double>& row = m_rows[pickComponent(m_weights, unit(rng))];
        return pickComponent(row, unit(rng));
    }

    double logDensity(size_t c) const
    {
        double p = 0;
        for (size_t k = 0; k < m_rows.size(); ++k)
            p += m_weights[k] * m_rows[k][c];
        return p > 0 ? std::log(p) : -kInf;
    }

private:
    std::vector<double> m_weights;
    std::vector<std::vector<double>> m_rows;
};

// The model coordinates of one parameter in the given observations (history order), skipping
// those without a usable value (so every component's centre lies inside the range).
std::vector<double> coordinates(const Param& p, const std::vector<const Observation*>& observations)
{
    std::vector<double> out;
    double x = 0;
    for (const Observation* o : observations)
        if (o->params.is_object() && o->params.contains(p.key) && modelCoordinate(p, o->params.at(p.key), x))
            out.push_back(x);
    return out;
}

json sampleParam(const Param& p, const std::vector<const Observation*>& below,
                 const std::vector<const Observation*>& above, const TpeOptions& options, std::mt19937_64& rng)
{
    const int64_t candidates = std::max<int64_t>(options.candidates, 1);
    if (p.kind == ParamKind::Choice) {
        if (p.choices.empty())
            return json();
        const auto toIndices = [](const std::vector<double>& xs) {
            std::vector<size_t> out;
            for (double x : xs)
                out.push_back(static_cast<size_t>(x));
            return out;
        };
        const CategoricalEstimator l(toIndices(coordinates(p, below)), p.choices.size(), options.priorWeight);
        const CategoricalEstimator g(toIndices(coordinates(p, above)), p.choices.size(), options.priorWeight);
        size_t best = 0;
        double bestScore = -kInf;
        for (int64_t i = 0; i < candidates; ++i) {
            const size_t c = l.sample(rng);
            const double score = l.logDensity(c) - g.logDensity(c);
            if (i == 0 || score > bestScore) {
                best = c;
                bestScore = score;
            }
        }
        return p.choices[best];
    }

    const auto [lo, hi] = modelRange(p);
    if (!(hi > lo)) // a one-value range: nothing to model
        return valueFromModel(p, lo);
    const bool whole = p.kind == ParamKind::IntUniform;
    const NumericEstimator l(coordinates(p, below), lo, hi, options.priorWeight, whole);
    const NumericEstimator g(coordinates(p, above), lo, hi, options.priorWeight, whole);
    double best = lo;
    double bestScore = -kInf;
    for (int64_t i = 0; i < candidates; ++i) {
        double x = l.sample(rng);
        if (whole) // the value it stands for, so that l and g judge what would be tried
            x = valueFromModel(p, x).get<double>();
        const double score = l.logDensity(x) - g.logDensity(x);
        if (i == 0 || score > bestScore) {
            best = x;
            bestScore = score;
        }
    }
    return valueFromModel(p, best);
}

} // namespace

int64_t tpeBelowCount(int64_t n)
{
    return std::min<int64_t>((std::max<int64_t>(n, 0) + 9) / 10, 25);
}

json sampleTpe(const Space& space, const std::vector<Observation>& history, const TpeOptions& options,
               std::mt19937_64& rng)
{
    if (static_cast<int64_t>(history.size()) < std::max<int64_t>(options.startup, 1))
        return sampleRandom(space, rng);

    // Best first (NaN as +inf, ties by history order); each side then back in history order, which
    // the weights of old observations depend on.
    const auto rankKey = [&](size_t i) { return std::isnan(history[i].objective) ? kInf : history[i].objective; };
    std::vector<size_t> order(history.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return rankKey(a) < rankKey(b); });
    const size_t nBelow = static_cast<size_t>(tpeBelowCount(static_cast<int64_t>(history.size())));
    std::vector<size_t> belowIdx(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(nBelow));
    std::vector<size_t> aboveIdx(order.begin() + static_cast<std::ptrdiff_t>(nBelow), order.end());
    std::sort(belowIdx.begin(), belowIdx.end());
    std::sort(aboveIdx.begin(), aboveIdx.end());
    std::vector<const Observation*> below, above;
    for (size_t i : belowIdx)
        below.push_back(&history[i]);
    for (size_t i : aboveIdx)
        above.push_back(&history[i]);

    json point = json::object();
    for (const Param& p : space)
        point[p.key] = sampleParam(p, below, above, options, rng);
    return point;
}

} // namespace mnist::search
