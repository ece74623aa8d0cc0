#pragma once
// An exponential moving average of a network's weights, kept in a second network of the same
// architecture so it can be evaluated, saved and exported like any model. Matches PyTorch's
// AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(decay), use_buffers=True): the first
// update copies, each later one does avg += (1 - decay) * (w - avg) on every floating-point
// parameter and buffer (BatchNorm's running statistics too); integer buffers are copied.
#include "models/Network.h"

#include <memory>
#include <string>

namespace mnist {

class WeightAverage {
public:
    // `average` must have `live`'s architecture (same names and shapes); it is overwritten on the
    // first update. Throws std::invalid_argument for a decay outside [0, 1).
    WeightAverage(std::shared_ptr<Network> average, double decay);

    void update(const Network& live);

    Network& model() { return *m_average; }
    const std::shared_ptr<Network>& modelPtr() const { return m_average; }
    int64_t updates() const { return m_updates; }
    // For a resumed run: the average's weights come from a checkpoint with this many updates.
    void setUpdates(int64_t n) { m_updates = n; }

private:
    std::shared_ptr<Network> m_average;
    double m_decay;
    int64_t m_updates = 0;
};

} // namespace mnist
