#include "models/SpecNetwork.h"

#include "EnvFlag.h"

#include <torch/torch.h>

#include <map>

namespace mnist {
namespace {

namespace nn = torch::nn;

// How a layer takes part in the pool-early order (PoolEarly.h).
enum class Role { Relu, Dropout2d, MaxPool, Other };

struct Built {
    std::string key;
    nn::AnyModule module;
    SpecStep step;
    Role role = Role::Other;
};

torch::ExpandingArray<2> pair(const Size2& s)
{
    return torch::ExpandingArray<2>({s.h, s.w});
}

// The forward order of a list: each ReLU held until the next MaxPool2d (run right after it) with
// only Dropout2d between; any other layer, and the end of the list, runs the held ones first.
std::vector<SpecStep> order(const std::vector<Built>& layers, bool poolEarly)
{
    std::vector<SpecStep> steps;
    std::vector<const SpecStep*> held;
    const auto flush = [&] {
        for (const SpecStep* s : held)
            steps.push_back(*s);
        held.clear();
    };
    for (const Built& b : layers) {
        if (!poolEarly) {
            steps.push_back(b.step);
            continue;
        }
        switch (b.role) {
        case Role::Relu:
            held.push_back(&b.step);
            break;
        case Role::Dropout2d:
            steps.push_back(b.step);
            break;
        case Role::MaxPool:
            steps.push_back(b.step);
            flush();
            break;
        case Role::Other:
            flush();
            steps.push_back(b.step);
            break;
        }
    }
    flush();
    return steps;
}

torch::Tensor run(const std::vector<SpecStep>& steps, torch::Tensor x)
{
    for (const SpecStep& s : steps)
        x = s(x);
    return x;
}

template <class Holder>
Built leaf(Holder holder, Role role = Role::Other)
{
    Built b;
    b.module = nn::AnyModule(holder);
    b.step = [holder](const torch::Tensor& x) mutable { return holder->forward(x); };
    b.role = role;
    return b;
}

class Builder {
public:
    Builder(const NetworkSummary& summary, bool poolEarly) : m_poolEarly(poolEarly)
    {
        for (const LayerRow& r : summary.rows)
            m_rows.emplace(r.prefix, &r);
    }

    // Builds a list whose input is `in`; `prefix` is the list's state_dict prefix with its dot.
    std::vector<Built> list(const std::vector<LayerSpec>& layers, const std::string& prefix, std::vector<int64_t> in)
    {
        std::vector<Built> out;
        for (size_t i = 0; i < layers.size(); ++i) {
            const LayerSpec& l = layers[i];
            const std::string key = l.name.empty() ? std::to_string(i) : l.name;
            Built b = layer(l, prefix + key, in);
            b.key = key;
            in = m_rows.at(prefix + key)->outputShape;
            out.push_back(std::move(b));
        }
        return out;
    }

    std::shared_ptr<SpecSequentialImpl> sequential(const std::vector<Built>& layers)
    {
        auto seq = std::make_shared<SpecSequentialImpl>();
        for (const Built& b : layers)
            seq->push_back(b.key, b.module);
        seq->setSteps(steps(layers));
        return seq;
    }

    std::vector<SpecStep> steps(const std::vector<Built>& layers) { return order(layers, m_poolEarly); }

private:
    bool m_poolEarly;
    std::map<std::string, const LayerRow*> m_rows;

    Built layer(const LayerSpec& l, const std::string& prefix, const std::vector<int64_t>& in)
    {
        switch (l.type) {
        case LayerType::Conv2d:
            return leaf(nn::Conv2d(nn::Conv2dOptions(in.at(0), l.outChannels, pair(l.kernelSize))
                                       .stride(pair(effectiveStride(l)))
                                       .padding(pair(l.padding))
                                       .groups(l.groups)
                                       .bias(l.bias)));
        case LayerType::BatchNorm2d:
            return leaf(nn::BatchNorm2d(nn::BatchNorm2dOptions(in.at(0)).eps(l.eps).momentum(l.momentum)));
        case LayerType::BatchNorm1d:
            return leaf(nn::BatchNorm1d(nn::BatchNorm1dOptions(in.at(0)).eps(l.eps).momentum(l.momentum)));
        case LayerType::ReLU:
            return leaf(nn::ReLU(), Role::Relu);
        case LayerType::LeakyReLU:
            return leaf(nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(l.negativeSlope)));
        case LayerType::GELU:
            return leaf(nn::GELU());
        case LayerType::SiLU:
            return leaf(nn::SiLU());
        case LayerType::MaxPool2d:
            return leaf(nn::MaxPool2d(nn::MaxPool2dOptions(pair(l.kernelSize))
                                          .stride(pair(effectiveStride(l)))
                                          .padding(pair(l.padding))),
                        Role::MaxPool);
        case LayerType::AvgPool2d:
            return leaf(nn::AvgPool2d(nn::AvgPool2dOptions(pair(l.kernelSize))
                                          .stride(pair(effectiveStride(l)))
                                          .padding(pair(l.padding))));
        case LayerType::AdaptiveAvgPool2d:
            return leaf(nn::AdaptiveAvgPool2d(nn::AdaptiveAvgPool2dOptions({l.outputSize.h, l.outputSize.w})));
        case LayerType::Dropout:
            return leaf(nn::Dropout(nn::DropoutOptions(l.p)));
        case LayerType::Dropout2d:
            return leaf(nn::Dropout2d(nn::Dropout2dOptions(l.p)), Role::Dropout2d);
        case LayerType::Flatten:
            return leaf(nn::Flatten());
        case LayerType::Linear:
            return leaf(nn::Linear(nn::LinearOptions(in.at(0), l.outFeatures).bias(l.bias)));
        case LayerType::Sequential: {
            auto seq = sequential(list(l.layers, prefix + ".", in));
            Built b;
            b.module = nn::AnyModule(seq);
            b.step = [seq](const torch::Tensor& x) { return seq->forward(x); };
            return b;
        }
        case LayerType::Residual: {
            const std::vector<Built> body = list(l.body, prefix + ".body.", in);
            const std::vector<Built> shortcut = list(l.shortcut, prefix + ".shortcut.", in);
            auto residual = std::make_shared<ResidualImpl>(sequential(body), sequential(shortcut));
            Built b;
            b.module = nn::AnyModule(residual);
            b.step = [residual](const torch::Tensor& x) { return residual->forward(x); };
            return b;
        }
        case LayerType::Unknown:
            break;
        }
        throw ConfigError("cannot build the layer " + prefix + " of an unknown type");
    }
};

} // namespace

SpecNetworkOptions defaultSpecNetworkOptions()
{
    SpecNetworkOptions o;
    o.poolEarly = !envFlag("MNIST_STUDIO_POOL_LAST");
    return o;
}

torch::Tensor SpecSequentialImpl::forward(torch::Tensor x)
{
    return run(m_steps, std::move(x));
}

ResidualImpl::ResidualImpl(std::shared_ptr<SpecSequentialImpl> body, std::shared_ptr<SpecSequentialImpl> shortcut)
{
    m_body = register_module("body", std::move(body));
    m_shortcut = register_module("shortcut", std::move(shortcut));
}

torch::Tensor ResidualImpl::forward(torch::Tensor x)
{
    torch::Tensor y = m_body->forward(x);
    return m_shortcut->is_empty() ? y + x : y + m_shortcut->forward(x);
}

SpecNetworkImpl::SpecNetworkImpl(const NetworkSpec& spec, const SpecNetworkOptions& options) : m_spec(spec)
{
    const NetworkSummary summary = describeNetwork(spec);
    Builder builder(summary, options.poolEarly);
    const std::vector<Built> layers = builder.list(spec.layers, "", spec.input);
    for (const Built& b : layers)
        register_module(b.key, b.module.ptr());
    m_steps = builder.steps(layers);
}

torch::Tensor SpecNetworkImpl::forward(torch::Tensor x)
{
    return run(m_steps, std::move(x));
}

std::shared_ptr<Network> buildNetwork(const NetworkSpec& spec)
{
    return buildNetwork(spec, defaultSpecNetworkOptions());
}

std::shared_ptr<Network> buildNetwork(const NetworkSpec& spec, const SpecNetworkOptions& options)
{
    std::vector<SpecProblem> problems = validateNetworkSpec(spec);
    if (!problems.empty())
        throw NetworkSpecError("network " + spec.name, std::move(problems));
    return std::make_shared<SpecNetworkImpl>(spec, options);
}

} // namespace mnist
