#include "inspect/Inspect.h"

#include "Error.h"
#include "models/SpecNetwork.h"

namespace mnist {
namespace {

namespace nn = torch::nn;

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

std::shared_ptr<nn::Module> child(nn::Module& parent, const std::string& key)
{
    for (const auto& item : parent.named_children())
        if (item.key() == key)
            return item.value();
    throw ConfigError("the network has no module " + key + " where its spec puts one");
}

// The module of a leaf layer, called as what it is. The spec says which LibTorch class it is.
torch::Tensor forwardLeaf(const LayerSpec& l, nn::Module& m, const torch::Tensor& x)
{
    switch (l.type) {
    case LayerType::Conv2d: return m.as<nn::Conv2d>()->forward(x);
    case LayerType::BatchNorm2d: return m.as<nn::BatchNorm2d>()->forward(x);
    case LayerType::BatchNorm1d: return m.as<nn::BatchNorm1d>()->forward(x);
    case LayerType::ReLU: return m.as<nn::ReLU>()->forward(x);
    case LayerType::LeakyReLU: return m.as<nn::LeakyReLU>()->forward(x);
    case LayerType::GELU: return m.as<nn::GELU>()->forward(x);
    case LayerType::SiLU: return m.as<nn::SiLU>()->forward(x);
    case LayerType::MaxPool2d: return m.as<nn::MaxPool2d>()->forward(x);
    case LayerType::AvgPool2d: return m.as<nn::AvgPool2d>()->forward(x);
    case LayerType::AdaptiveAvgPool2d: return m.as<nn::AdaptiveAvgPool2d>()->forward(x);
    case LayerType::Dropout: return m.as<nn::Dropout>()->forward(x);
    case LayerType::Dropout2d: return m.as<nn::Dropout2d>()->forward(x);
    case LayerType::Flatten: return m.as<nn::Flatten>()->forward(x);
    case LayerType::Linear: return m.as<nn::Linear>()->forward(x);
    default: break;
    }
    throw ConfigError("cannot run a layer of type " + layerTypeName(l.type));
}

// Runs a list of layers whose modules are the children of `parent`, recording each output.
torch::Tensor runList(const std::vector<LayerSpec>& layers, nn::Module& parent, const std::string& prefix, torch::Tensor x,
                      std::vector<LayerOutput>& out)
{
    for (size_t i = 0; i < layers.size(); ++i) {
        const LayerSpec& l = layers[i];
        const std::string key = l.name.empty() ? std::to_string(i) : l.name;
        const std::shared_ptr<nn::Module> m = child(parent, key);
        if (l.type == LayerType::Sequential) {
            x = runList(l.layers, *m, prefix + key + ".", x, out);
        } else if (l.type == LayerType::Residual) {
            const torch::Tensor body = runList(l.body, *child(*m, "body"), prefix + key + ".body.", x, out);
            x = l.shortcut.empty() ? body + x : body + runList(l.shortcut, *child(*m, "shortcut"), prefix + key + ".shortcut.", x, out);
        } else {
            x = forwardLeaf(l, *m, x);
        }
        out.push_back({prefix + key, l.type, x.detach().squeeze(0).to(torch::kCPU, torch::kFloat32).contiguous()});
    }
    return x;
}

} // namespace

std::vector<LayerOutput> layerOutputs(Network& net, const torch::Tensor& input)
{
    const NetworkSpec& spec = specNetwork(net).spec();
    const EvalScope eval(net);
    torch::NoGradGuard noGrad;
    std::vector<LayerOutput> out;
    const torch::Device device = deviceOf(net);
    runList(spec.layers, net, "", batchOfOne(input).to(device, torch::kFloat32), out);
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
