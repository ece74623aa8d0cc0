#pragma once
// A look inside a trained network, for any spec: every layer's output for one image, the first
// convolution's filters, and a saliency map. Each works on a network in eval mode on the CPU or
// its device, without changing its weights or its mode for good; the GUI calls them on its own
// copy of the weights (never on the training thread's tensors).
#include "models/Network.h"
#include "spec/NetworkSpec.h"

#include <torch/torch.h>

#include <functional>
#include <string>
#include <vector>

namespace mnist {

struct LayerOutput {
    std::string key;     // state_dict prefix: "0.0", "res1.body.3", "fc"
    LayerType type = LayerType::Unknown;
    torch::Tensor value; // the layer's output for the image, batch dimension removed, float32 on the CPU
};

// Puts a network in eval mode and restores its training mode on every way out.
class EvalScope {
public:
    explicit EvalScope(Network& net) : m_net(net), m_wasTraining(net.is_training()) { net.eval(); }
    ~EvalScope()
    {
        if (m_wasTraining)
            m_net.train();
    }
    EvalScope(const EvalScope&) = delete;
    EvalScope& operator=(const EvalScope&) = delete;

private:
    Network& m_net;
    bool m_wasTraining;
};

// Where the network's weights are (the CPU for one without parameters): its input goes there.
torch::Device deviceOf(Network& net);

// Runs `input` (one image [C, H, W] or [1, C, H, W] as the network takes it: Normalize applied)
// through a spec-built network in eval mode, layer by layer in the spec's order, and returns every
// layer's output: a block's inner layers before the block's own output, the logits last.
// Throws ConfigError for a network that is not spec-built.
std::vector<LayerOutput> layerOutputs(Network& net, const torch::Tensor& input);

// Called after each layer of walkLayers() with its state_dict prefix, type, input and output.
using LayerVisitor = std::function<void(const std::string& key, LayerType type, const torch::Tensor& input,
                                        const torch::Tensor& output)>;
// Runs a batch (as the network takes it, on its device) through a spec-built network layer by
// layer in the spec's order, as layerOutputs() does, and returns the logits. The caller chooses the
// mode and gradient mode. Throws ConfigError for a network that is not spec-built.
torch::Tensor walkLayers(Network& net, const torch::Tensor& batch, const LayerVisitor& visit);

struct ConvFilters {
    std::string key;      // the first Conv2d's prefix; empty when the network has none
    torch::Tensor weight; // [out_channels, in_channels / groups, kh, kw], float32 on the CPU
};
ConvFilters firstConvFilters(Network& net);

// |d logit[target] / d input| at each pixel (the maximum over input channels), [H, W] on the CPU,
// with the network in eval mode; `target` < 0 takes the predicted class.
torch::Tensor saliencyMap(Network& net, const torch::Tensor& input, int64_t target = -1);

} // namespace mnist
