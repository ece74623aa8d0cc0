#pragma once
// Named training recipes beyond the notebook's, for `mnist-train --recipe NAME` and the GUI.
#include "train/TrainConfig.h"

#include <string>
#include <vector>

namespace mnist {

struct Recipe {
    std::string name;        // fast | balanced | best
    std::string summary;     // one line: network, schedule, epochs; no measured figures (docs/accuracy.md has them)
    TrainConfig config;
};

const std::vector<Recipe>& recipes();

// nullptr when unknown.
const Recipe* findRecipe(const std::string& name);

} // namespace mnist
