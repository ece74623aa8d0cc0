#pragma once
// Parameter importance as fANOVA computes it (Hutter et al. 2014; Optuna's default evaluator):
// a random forest of regression trees is fitted to the observations (objective against the
// parameters: numbers in their own scale, log for log_uniform, categories by index), and each
// tree's prediction is decomposed into main effects: the variance of the marginal prediction
// over one parameter (the others averaged over the space) divided by the tree's total variance.
// The fractions are averaged over the trees and scaled to sum to 1.
#include "search/SearchSpace.h"

#include <map>
#include <string>

namespace mnist::search {

struct ImportanceOptions {
    int64_t trees = 64;
    int64_t minSamplesLeaf = 1;
    int64_t features = 0; // parameters tried at each split, drawn anew there; 0: two thirds of them (rounded up)
    uint64_t seed = 0; // the forest's bootstrap and feature draws
};

// One share per key of the space, summing to 1 (all 0 when the objective does not vary, or fewer
// than 2 finite observations). Infinite objectives are replaced by the worst finite one.
std::map<std::string, double> paramImportance(const Space& space, const std::vector<Observation>& observations,
                                              const ImportanceOptions& options = {});

} // namespace mnist::search
