#pragma once
// Ensembles of finished runs: the test accuracy of their averaged softmax.
#include <string>
#include <vector>

namespace mnist {

struct EnsembleMember {
    std::string runDir;
    std::string arch;
    double testAccuracy = 0; // this run alone, percent
};

struct EnsembleResult {
    std::vector<EnsembleMember> members;
    double testAccuracy = 0; // averaged softmax, percent
    int64_t testSize = 0;
};

// Loads each run folder's model.safetensors with its config (architecture, Normalize), scores the
// test set of `dataDir` (empty: the first run's dataset) alone and together. Throws IoError /
// DataError naming the run or file at fault.
EnsembleResult evaluateEnsemble(const std::vector<std::string>& runDirs, const std::string& dataDir = {},
                                const std::string& device = "auto");

} // namespace mnist
