#pragma once
// Memory layout of a network's convolution weights, which decides the layout of every activation
// after them: oneDNN's NHWC (channels-last) convolutions, and LibTorch's NHWC BatchNorm and pool
// kernels, skip the reorders that NCHW costs on the CPU.
#include "models/Network.h"

#include <torch/types.h>

namespace mnist {

// Copies every 4-d parameter into memory laid out as `format`. A copy into fresh memory, not
// contiguous(format): a first layer's weight (16, 1, 5, 5) already counts as channels-last and
// would keep NCHW strides, and the whole first block with it (LeNetDeep: +10% instead of +35%).
// set_data keeps each Parameter the same object, so an optimizer holding it is unaffected.
void setConvWeightLayout(Network& model, torch::MemoryFormat format);

// A network about to train: on `device`, and its convolution weights channels-last when the run's
// layout is (the trainer, the LR range test and auto's precision trials place theirs alike).
void placeNetwork(Network& model, const torch::Device& device, bool channelsLast);

// For evaluation on the CPU: channels-last while the scope lives, contiguous again after (what
// saving and exporting expect). Does nothing on another device. The network must not be used by
// another thread meanwhile.
class ChannelsLastScope {
public:
    ChannelsLastScope(Network& model, const torch::Device& device);
    ~ChannelsLastScope();
    ChannelsLastScope(const ChannelsLastScope&) = delete;
    ChannelsLastScope& operator=(const ChannelsLastScope&) = delete;

private:
    Network* m_model = nullptr;
};

} // namespace mnist
