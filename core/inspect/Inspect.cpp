#include "inspect/Inspect.h"

#include "Error.h"
#include "models/SpecNetwork.h"

namespace mnist {
namespace {

const SpecNetworkImpl& specNetwork(Network& net)
{
    const auto* spec = dynamic_cast<const SpecNetworkImpl*>(&net);
    if (!spec)
        throw ConfigError("this network was not built from a spec, so it cannot be inspected layer by layer");
    return *spec;
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
// steps), showing each layer's input and output to `visit`.
torch::Tensor runList(const SpecNetworkImpl& net, const std::vector<const LayerNode*>& nodes, torch::Tensor x,
                      const LayerVisitor& visit)
{
    using List = LayerStep::List;
    for (const LayerNode* node : nodes) {
        const torch::Tensor in = x;
        if (node->type == LayerType::Sequential) {
            x = runList(net, node->childrenIn(List::Layers), x, visit);
        } else if (node->type == LayerType::Residual) {
            const torch::Tensor body = runList(net, node->childrenIn(List::Body), x, visit);
            const std::vector<const LayerNode*> shortcut = node->childrenIn(List::Shortcut);
            x = shortcut.empty() ? body + x : body + runList(net, shortcut, x, visit);
        } else {
            x = net.layerStep(node->prefix)(x);
        }
        visit(node->prefix, node->type, in, x);
    }
    return x;
}

} // namespace

torch::Device deviceOf(Network& net)
{
    const auto parameters = net.parameters();
    return parameters.empty() ? torch::Device(torch::kCPU) : parameters.front().device();
}

torch::Tensor walkLayers(Network& net, const torch::Tensor& batch, const LayerVisitor& visit)
{
    const SpecNetworkImpl& built = specNetwork(net);
    const NetworkSummary summary = describeNetwork(built.spec());
    return runList(built, nodesIn(summary.tree, LayerStep::List::Layers), batch, visit);
}

std::vector<LayerOutput> layerOutputs(Network& net, const torch::Tensor& input)
{
    specNetwork(net);
    const EvalScope eval(net);
    torch::NoGradGuard noGrad;
    std::vector<LayerOutput> out;
    const torch::Device device = deviceOf(net);
    walkLayers(net, batchOfOne(input).to(device, torch::kFloat32),
               [&out](const std::string& key, LayerType type, const torch::Tensor&, const torch::Tensor& output) {
                   out.push_back({key, type, output.detach().squeeze(0).to(torch::kCPU, torch::kFloat32).contiguous()});
               });
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
