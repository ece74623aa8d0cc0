#include "train/GradScaler.h"

namespace mnist {
namespace {

constexpr double kGrowthFactor = 2.0;
constexpr double kBackoffFactor = 0.5;
constexpr int64_t kGrowthInterval = 2000;

} // namespace

GradScaler::GradScaler(bool enabled, GradScalerState state) : m_enabled(enabled), m_state(state) {}

torch::Tensor GradScaler::scale(const torch::Tensor& loss) const
{
    return m_enabled ? loss * m_state.scale : loss;
}

bool GradScaler::unscale(const std::vector<torch::Tensor>& parameters) const
{
    if (!m_enabled)
        return true;
    torch::Tensor nonFinite;
    const double inverse = 1.0 / m_state.scale;
    for (const torch::Tensor& p : parameters) {
        torch::Tensor g = p.grad();
        if (!g.defined())
            continue;
        g.mul_(inverse);
        const torch::Tensor bad = g.isfinite().logical_not().any();
        nonFinite = nonFinite.defined() ? nonFinite.logical_or(bad) : bad;
    }
    return !nonFinite.defined() || !nonFinite.item<bool>();
}

void GradScaler::update(bool stepTaken)
{
    if (!m_enabled)
        return;
    if (!stepTaken) {
        m_state.scale *= kBackoffFactor;
        m_state.growthTracker = 0;
    } else if (++m_state.growthTracker == kGrowthInterval) {
        m_state.scale *= kGrowthFactor;
        m_state.growthTracker = 0;
    }
}

} // namespace mnist
