#pragma once
// The Tree-structured Parzen Estimator (Bergstra et al. 2011), univariate as Optuna's TPESampler
// is by default: the first `startup` points are drawn from the priors; after that the observations
// are split into the best gamma(n) ("below") and the rest ("above"), each parameter gets a Parzen
// estimator l(x) from the below points and g(x) from the above ones (each with the prior as one
// more component of weight `priorWeight`), `candidates` values are drawn from l and the one with
// the largest l(x) / g(x) is taken. Numbers are modelled in their own scale (log for log_uniform),
// whole numbers as the continuous range [lo - 0.5, hi + 0.5] rounded, categories as a weighted
// categorical distribution.
#include "search/SearchSpace.h"

namespace mnist::search {

struct TpeOptions {
    int64_t startup = 10;     // observations before TPE takes over from the priors
    double priorWeight = 1.0;
    int64_t candidates = 24;  // Optuna's n_ei_candidates
};

// Optuna's default gamma: min(ceil(0.1 n), 25) of n observations are "below".
int64_t tpeBelowCount(int64_t n);

// The next point to try, keys in the space's order. Deterministic for the same history (in the
// same order), options and rng state. Observations with an infinite objective rank last; NaN is
// treated as +infinity.
nlohmann::json sampleTpe(const Space& space, const std::vector<Observation>& history, const TpeOptions& options,
                         std::mt19937_64& rng);

} // namespace mnist::search
