#pragma once
// Early stopping on the valid loss: the rule the trainer applies after every recorded epoch, and
// planResume() to a finished run's epochs. Plain std types, no LibTorch.
#include "train/TrainingObserver.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mnist {

// Where early stopping ended a run; epoch 0: it did not.
struct EarlyStop {
    int64_t epoch = 0;     // the last epoch trained
    int64_t bestEpoch = 0; // the last epoch that improved the valid loss by more than min_delta
    bool happened() const { return epoch > 0; }
};

// Keras's and Lightning's rule: an epoch improves when its valid loss is below the best so far by
// more than `minDelta` (the best then moves to it); the run ends once `patience` epochs in a row
// have not improved. Patience 0: never. Its state follows from the epochs alone, so a resumed run
// that re-reports its checkpoint's epochs is exactly where the uninterrupted run was.
class EarlyStopping {
public:
    EarlyStopping(int64_t patience, double minDelta) : m_patience(patience), m_minDelta(minDelta) {}

    // Records an epoch; true when the run should end after it.
    bool add(const EpochMetrics& m);
    bool triggered() const { return m_patience > 0 && m_sinceBest >= m_patience; }
    int64_t bestEpoch() const { return m_bestEpoch; }

private:
    int64_t m_patience;
    double m_minDelta;
    bool m_any = false;
    double m_best = 0;
    int64_t m_bestEpoch = 0;
    int64_t m_sinceBest = 0;
};

// The rule run over `epochs`: where it ends the run (the first epoch at which it triggers), or
// nothing when it never does.
EarlyStop earlyStopAt(const std::vector<EpochMetrics>& epochs, int64_t patience, double minDelta);

// Why the run ended, for the CLI's closing line and the window's status: "early stopping ended
// the run after epoch 7: no valid loss below epoch 4's by more than 0 for 3 epochs".
std::string describeEarlyStop(const EarlyStop& stop, int64_t patience, double minDelta);

} // namespace mnist
