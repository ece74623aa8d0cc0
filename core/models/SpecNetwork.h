#pragma once
// A Network built from a NetworkSpec (NetworkSpec.h): LibTorch modules registered under the keys
// PyTorch's nn.Sequential(OrderedDict(...)) gives the same spec, so state_dict names, shapes and
// parameter counts are PyTorch's ("block1.0.weight", "res.body.0.weight", "fc.bias"), and
// formats/StateDict.h, the safetensors files and checkpoints work unchanged.
//
// The module tree: each top-level layer is a child of the network under its key; a Sequential
// layer is a SpecSequentialImpl (a torch::nn::SequentialImpl) whose children are its layers under
// their keys; a Residual layer is a ResidualImpl with the children "body" and "shortcut" (both
// SpecSequentialImpl; the shortcut empty for the identity). Walkers of the tree (ONNX export, a model.py writer) see only these
// and LibTorch's own layer modules.
//
// Speed: forward() does not call the Sequentials' forward. Each list of layers runs in an order
// fixed at build time, in which a ReLU waits for the next MaxPool2d when only Dropout2d stands
// between them (PoolEarly.h explains why that is exact, values and gradients, and why it is
// faster); any other layer runs the waiting ReLUs first. That covers every conv block
// Conv2d, [BatchNorm2d,] ReLU, [Dropout2d,] MaxPool2d of any spec. Then a fusion pass turns each
// run of [Dropout2d,] MaxPool2d, [Dropout | Dropout2d,] ReLU of that order into one CPU kernel
// (PoolTail.h) for channels-last inputs, for any spec. Channels-last (MemoryLayout.h) works as for the hand-written networks.
#include "models/Network.h"
#include "spec/NetworkSpec.h"

#include <torch/nn/modules/container/sequential.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace mnist {

struct SpecNetworkOptions {
    // The pool-early order. Off runs every layer where the spec puts it (the bench's baseline).
    bool poolEarly = true;
    // [Dropout2d,] MaxPool2d, [Dropout | Dropout2d,] ReLU in the forward order as one fused CPU
    // kernel (PoolTail.h), and Dropout's noise drawn faster (DropoutMask.h); both exact.
    bool fusedKernels = true;
};

// poolEarly off when the environment has MNIST_STUDIO_POOL_LAST=1, as forwardConvBlock() does;
// fusedKernels off with MNIST_STUDIO_UNFUSED=1.
SpecNetworkOptions defaultSpecNetworkOptions();

// One step of a list's forward order.
using SpecStep = std::function<torch::Tensor(const torch::Tensor&)>;

// A Sequential layer: a torch::nn::Sequential (so walkers of the tree know it) whose forward runs
// its layers in the order fixed at build time. LibTorch's own Sequential cannot be nested (its
// forward is a template, which AnyModule cannot hold); this one can.
class SpecSequentialImpl : public torch::nn::SequentialImpl {
public:
    // Holds nothing yet; the builder appends the layers under their keys, then sets the steps.
    SpecSequentialImpl() = default;
    void setSteps(std::vector<SpecStep> steps) { m_steps = std::move(steps); }
    torch::Tensor forward(torch::Tensor x);

private:
    std::vector<SpecStep> m_steps;
};

// out = body(x) + shortcut(x), or body(x) + x when the shortcut is empty.
class ResidualImpl : public torch::nn::Module {
public:
    ResidualImpl(std::shared_ptr<SpecSequentialImpl> body, std::shared_ptr<SpecSequentialImpl> shortcut);
    torch::Tensor forward(torch::Tensor x);

    const std::shared_ptr<SpecSequentialImpl>& body() const { return m_body; }
    const std::shared_ptr<SpecSequentialImpl>& shortcut() const { return m_shortcut; } // empty: the identity

private:
    std::shared_ptr<SpecSequentialImpl> m_body;
    std::shared_ptr<SpecSequentialImpl> m_shortcut;
};

class SpecNetworkImpl : public Network {
public:
    // `spec` must be valid (buildNetwork() checks it).
    SpecNetworkImpl(const NetworkSpec& spec, const SpecNetworkOptions& options);
    // x: float [N, C, H, W] as the spec's input; returns [N, classes].
    torch::Tensor forward(torch::Tensor x) override;

    // What the network was built from: a run folder's arch.json, a model.py, the ONNX graph.
    const NetworkSpec& spec() const { return m_spec; }

    // The step of the leaf layer at a state_dict prefix ("block1.0", "fc"): that layer alone,
    // unfused, on this network's modules (Inspect runs a network layer by layer with it).
    // ConfigError for a prefix that is no leaf layer.
    const SpecStep& layerStep(const std::string& prefix) const;

private:
    NetworkSpec m_spec;
    std::vector<SpecStep> m_steps;
    std::map<std::string, SpecStep> m_leafSteps;
};

// A freshly initialised network for a valid spec (LibTorch's default initialisation from the
// global generator, as createNetwork()). NetworkSpecError listing every problem of an invalid one.
std::shared_ptr<Network> buildNetwork(const NetworkSpec& spec);
std::shared_ptr<Network> buildNetwork(const NetworkSpec& spec, const SpecNetworkOptions& options);

} // namespace mnist
