#pragma once
// Loss scaling for fp16 training, as torch.cuda.amp.GradScaler does with its defaults: fp16's
// small range flushes small gradients to zero, so the loss is multiplied by a large scale before
// backward and the gradients divided by it before the step. A step whose gradients hold an inf or
// NaN is skipped and the scale halved; after 2,000 steps in a row without one it doubles.
// Disabled (bf16 and fp32, whose range is fp32's), every call passes through.
#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace mnist {

struct GradScalerState {
    double scale = 65536.0;
    int64_t growthTracker = 0; // steps since the scale last changed
};

class GradScaler {
public:
    explicit GradScaler(bool enabled, GradScalerState state = {});

    bool enabled() const { return m_enabled; }
    const GradScalerState& state() const { return m_state; }

    // The loss to call backward() on.
    torch::Tensor scale(const torch::Tensor& loss) const;
    // Divides the gradients by the scale; whether every one is finite (the step may be taken).
    // Reads one value back from the device, as PyTorch's scaler does before its step.
    bool unscale(const std::vector<torch::Tensor>& parameters) const;
    // After the step (taken or skipped): the next scale.
    void update(bool stepTaken);

private:
    bool m_enabled;
    GradScalerState m_state;
};

} // namespace mnist
