#include "search/Pruners.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace mnist::search {
namespace {

// A loss as the rules compare them: NaN and infinities are the worst.
double comparable(double loss)
{
    return std::isfinite(loss) ? loss : std::numeric_limits<double>::infinity();
}

bool reachedEpoch(const TrialCurve& t, int64_t epoch)
{
    return epoch >= 1 && static_cast<int64_t>(t.validLoss.size()) >= epoch;
}

double lossAt(const TrialCurve& t, int64_t epoch)
{
    return comparable(t.validLoss[static_cast<size_t>(epoch - 1)]);
}

// How many of the n trials at a rung go on: the top 1/eta, rounded down.
int64_t rungTop(const AshaOptions& options, int64_t n)
{
    return n / std::max<int64_t>(options.reductionFactor, 1);
}

} // namespace

std::vector<int64_t> ashaRungs(const AshaOptions& options)
{
    std::vector<int64_t> rungs;
    if (options.minEpochs < 1 || options.reductionFactor < 2)
        return rungs; // no halving to do
    for (int64_t r = options.minEpochs; r < options.maxEpochs; r *= options.reductionFactor) {
        rungs.push_back(r);
        if (r > options.maxEpochs / options.reductionFactor)
            break; // the next one is past the end (and must not overflow)
    }
    return rungs;
}

int64_t rankAtEpoch(const std::vector<TrialCurve>& trials, size_t trial, int64_t epoch, int64_t* reached)
{
    int64_t n = 0, better = 0;
    const bool in = trial < trials.size() && reachedEpoch(trials[trial], epoch);
    const double own = in ? lossAt(trials[trial], epoch) : 0;
    for (size_t i = 0; i < trials.size(); ++i) {
        if (!reachedEpoch(trials[i], epoch))
            continue;
        ++n;
        if (in && i != trial) {
            const double loss = lossAt(trials[i], epoch);
            if (loss < own || (loss == own && i < trial))
                ++better;
        }
    }
    if (reached)
        *reached = n;
    return in ? better : -1;
}

bool ashaContinues(const AshaOptions& options, const std::vector<TrialCurve>& trials, size_t trial, int64_t epoch)
{
    const std::vector<int64_t> rungs = ashaRungs(options);
    if (std::find(rungs.begin(), rungs.end(), epoch) == rungs.end())
        return true;
    int64_t n = 0;
    const int64_t rank = rankAtEpoch(trials, trial, epoch, &n);
    return rank >= 0 && rank < rungTop(options, n);
}

int64_t ashaPromotion(const AshaOptions& options, const std::vector<TrialCurve>& trials, bool draining)
{
    const std::vector<int64_t> rungs = ashaRungs(options);
    for (auto rung = rungs.rbegin(); rung != rungs.rend(); ++rung) {
        int64_t best = -1, bestRank = 0;
        for (size_t i = 0; i < trials.size(); ++i) {
            const TrialCurve& t = trials[i];
            if (!t.paused || t.finished || static_cast<int64_t>(t.validLoss.size()) != *rung ||
                !std::isfinite(t.validLoss.back()))
                continue;
            int64_t n = 0;
            const int64_t rank = rankAtEpoch(trials, i, *rung, &n);
            const int64_t top = draining ? std::max<int64_t>(rungTop(options, n), 1) : rungTop(options, n);
            if (rank < top && (best < 0 || rank < bestRank)) {
                best = static_cast<int64_t>(i);
                bestRank = rank;
            }
        }
        if (best >= 0)
            return best;
    }
    return -1;
}

bool medianPrunes(const MedianOptions& options, const std::vector<TrialCurve>& trials, size_t trial, int64_t epoch)
{
    if (epoch <= options.warmupEpochs || trial >= trials.size() || !reachedEpoch(trials[trial], epoch))
        return false;
    std::vector<double> others;
    for (size_t i = 0; i < trials.size(); ++i)
        if (i != trial && reachedEpoch(trials[i], epoch))
            others.push_back(lossAt(trials[i], epoch));
    if (others.empty() || static_cast<int64_t>(others.size()) < options.startupTrials)
        return false;
    std::sort(others.begin(), others.end());
    const size_t mid = others.size() / 2;
    const double median = others.size() % 2 ? others[mid] : 0.5 * (others[mid - 1] + others[mid]);
    return lossAt(trials[trial], epoch) > median;
}

} // namespace mnist::search
