#include "inspect/Inspect.h"

#include "Error.h"
#include "models/SpecNetwork.h"

namespace mnist {
namespace {


// Restores the network's training mode on every way out.
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

const SpecNetworkImpl& specNetwork(Network& net)
{
    const auto* spec = dynamic_cast<const SpecNetworkImpl*>(&net);
    if (!spec)
        throw ConfigError("this network was not built from a spec, so it cannot be inspected layer by layer");
    return *spec;
}

// Where the network's weights are: the input goes there.
torch::Device deviceOf(Network& net)
{
    const auto parameters = net.parameters();
    return parameters.empty() ? torch::Device(torch::kCPU) : parameters.front().device();
}

torch::Tensor batchOfOne(const torch::Tensor& input)
{
    if (input.dim() == 3)
        return input.unsqueeze(0);
    if (input.dim() == 4 && input.size(0) == 1)
        return input;
    throw ConfigError("inspecting takes one image [C, H, W]; got a tensor of " + std::to_string(input.dim()) + " dimensions");
}

// Runs the layers of the analyzer's tree one by one on the network's own modules (their unfused
// steps), recording each output.
torch::Tensor runList(const SpecNetworkImpl& net, const std::vector<const LayerNode*>& nodes, torch::Tensor x,
                      std::vector<LayerOutput>& out)
{
    using List = LayerStep::List;
    for (const LayerNode* node : nodes) {
        if (node->type == LayerType::Sequential) {
            x = runList(net, node->childrenIn(List::Layers), x, out);
        } else if (node->type == LayerType::Residual) {
            const torch::Tensor body = runList(net, node->childrenIn(List::Body), x, out);
            const std::vector<const LayerNode*> shortcut = node->childrenIn(List::Shortcut);
            x = shortcut.empty() ? body + x : body + runList(net, shortcut, x, out);
        } else {
            x = net.layerStep(node->prefix)(x);
        }
        out.push_back({node->prefix, node->type, x.detach().squeeze(0).to(torch::kCPU, torch::kFloat32).contiguous()});
    }
    return x;
}

} // namespace

std::vector<LayerOutput> layerOutputs(Network& net, const torch::Tensor& input)
{
    const SpecNetworkImpl& built = specNetwork(net);
    const NetworkSummary summary = describeNetwork(built.spec());
    const EvalScope eval(net);
    torch::NoGradGuard noGrad;
    std::vector<LayerOutput> out;
    const torch::Device device = deviceOf(net);
    runList(built, nodesIn(summary.tree, LayerStep::List::Layers), batchOfOne(input).to(device, torch::kFloat32), out);
    return out;
}

ConvFilters firstConvFilters(Network& net)
{
    const NetworkSpec& spec = specNetwork(net).spec();
    for (const LayerRow& row : describeNetwork(spec).rows) {
        if (row.type != LayerType::Conv2d)
            continue;
        for (const auto& p : net.named_parameters())
            if (p.key() == row.prefix + ".weight")
                return {row.prefix, p.value().detach().to(torch::kCPU, torch::kFloat32).contiguous()};
    }
    return {};
}

torch::Tensor saliencyMap(Network& net, const torch::Tensor& input, int64_t target)
{
    specNetwork(net);
    const EvalScope eval(net);
    const torch::Device device = deviceOf(net);
    torch::Tensor x = batchOfOne(input).to(device, torch::kFloat32).detach().requires_grad_(true);
    const torch::Tensor logits = net.forward(x);
    const int64_t cls = target >= 0 ? target : logits.argmax(1).item<int64_t>();
    if (cls >= logits.size(1))
        throw ConfigError("class " + std::to_string(cls) + " is beyond the network's " + std::to_string(logits.size(1)) + " outputs");
    // Only the input's gradient is wanted: the parameters' .grad stay as they were.
    const torch::Tensor grad = torch::autograd::grad({logits[0][cls]}, {x})[0];
    return std::get<0>(grad[0].abs().max(0)).to(torch::kCPU, torch::kFloat32).contiguous();
}

} // namespace mnist
