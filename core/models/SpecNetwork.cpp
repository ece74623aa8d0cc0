#include "models/SpecNetwork.h"

#include "EnvFlag.h"
#include "models/DropoutMask.h"
#include "models/PoolTail.h"

#include <torch/torch.h>

#include <map>

namespace mnist {
namespace {

namespace nn = torch::nn;

// How a layer takes part in the pool-early order (PoolEarly.h).
enum class Role { Relu, Dropout2d, Dropout, MaxPool, Other };

struct Built {
    std::string key;
    nn::AnyModule module;
    SpecStep step;
    Role role = Role::Other;
    const LayerSpec* spec = nullptr; // what the layer was built from (the fusion pass reads it)
};

torch::ExpandingArray<2> pair(const Size2& s)
{
    return torch::ExpandingArray<2>({s.h, s.w});
}

// The forward order of a list: each ReLU held until the next MaxPool2d (run right after it) with
// only Dropout2d between; any other layer, and the end of the list, runs the held ones first.
std::vector<const Built*> order(const std::vector<Built>& layers, bool poolEarly)
{
    std::vector<const Built*> steps;
    std::vector<const Built*> held;
    const auto flush = [&] {
        steps.insert(steps.end(), held.begin(), held.end());
        held.clear();
    };
    for (const Built& b : layers) {
        if (!poolEarly) {
            steps.push_back(&b);
            continue;
        }
        switch (b.role) {
        case Role::Relu:
            held.push_back(&b);
            break;
        case Role::Dropout2d:
            steps.push_back(&b);
            break;
        case Role::MaxPool:
            steps.push_back(&b);
            flush();
            break;
        case Role::Dropout:
        case Role::Other:
            flush();
            steps.push_back(&b);
            break;
        }
    }
    flush();
    return steps;
}

bool fusablePool(const LayerSpec& l)
{
    const Size2 stride = effectiveStride(l);
    return stride.h == l.kernelSize.h && stride.w == l.kernelSize.w && l.padding.h == 0 && l.padding.w == 0;
}

std::vector<SpecStep> stepsOf(const std::vector<const Built*>& built)
{
    std::vector<SpecStep> steps;
    for (const Built* b : built)
        steps.push_back(b->step);
    return steps;
}

// One step for [Dropout2d,] MaxPool2d, [Dropout | Dropout2d,] ReLU (PoolTail.h); the layers' own
// steps run instead where the kernel is not preferred (a GPU tensor, another dtype, NCHW).
SpecStep fusedTail(const Built* pre, const Built& pool, const Built* post, std::vector<SpecStep> unfused)
{
    PoolTailParams params;
    params.kernelH = pool.spec->kernelSize.h;
    params.kernelW = pool.spec->kernelSize.w;
    std::shared_ptr<nn::Module> preModule, postModule;
    if (pre != nullptr) {
        params.preChannelsP = pre->spec->p;
        preModule = pre->module.ptr();
    }
    if (post != nullptr) {
        params.post = post->role == Role::Dropout ? TailDropout::Elementwise : TailDropout::Channels;
        params.postP = post->spec->p;
        postModule = post->module.ptr();
    }
    return [params, preModule, postModule, unfused = std::move(unfused)](const torch::Tensor& x) {
        const bool preActive = preModule != nullptr && preModule->is_training();
        const bool postActive = postModule != nullptr && postModule->is_training();
        // bf16 autocast hands over a bf16 convolution output. With an element-wise dropout the
        // tail runs on an fp32 copy, in fp32 (max and ReLU are exact either way; the dropout scale
        // is applied in fp32 rather than in bf16), and its fp32 output goes on to the next layer,
        // which autocast casts back: LibTorch's bf16 dropout draws the same mask one element at a
        // time on one thread, which costs more than the copy (SimpleNet's bf16 step 1.46x -> 1.92x
        // of fp32's speed, docs/benchmarks.md). Without one, the copy costs more than it saves.
        const bool elementwiseDropout = postActive && params.post == TailDropout::Elementwise && params.postP > 0;
        if (elementwiseDropout && x.scalar_type() == torch::kBFloat16 && x.device().is_cpu() && x.dim() == 4 &&
            x.is_contiguous(at::MemoryFormat::ChannelsLast)) {
            const torch::Tensor wide = x.to(torch::kFloat);
            if (poolTailPreferred(wide, params, preActive, postActive))
                return poolTail(wide, params, preActive, postActive);
        }
        if (!poolTailPreferred(x, params, preActive, postActive)) {
            torch::Tensor y = x;
            for (const SpecStep& s : unfused)
                y = s(y);
            return y;
        }
        return poolTail(x, params, preActive, postActive);
    };
}

// The fusion pass over a forward order: each run of [Dropout2d,] MaxPool2d (stride = kernel, no
// padding), [Dropout | Dropout2d,] ReLU becomes one fused step; everything else runs as it is.
std::vector<SpecStep> fuse(const std::vector<const Built*>& seq)
{
    std::vector<SpecStep> steps;
    const size_t n = seq.size();
    const auto is = [&](size_t k, Role r) { return k < n && seq[k]->role == r; };
    for (size_t i = 0; i < n;) {
        size_t k = i;
        const Built* pre = nullptr;
        const Built* post = nullptr;
        if (is(k, Role::Dropout2d) && is(k + 1, Role::MaxPool))
            pre = seq[k++];
        if (!is(k, Role::MaxPool) || !fusablePool(*seq[k]->spec)) {
            steps.push_back(seq[i++]->step);
            continue;
        }
        const Built& pool = *seq[k++];
        if ((is(k, Role::Dropout) || is(k, Role::Dropout2d)) && is(k + 1, Role::Relu))
            post = seq[k++];
        if (!is(k, Role::Relu)) {
            steps.push_back(seq[i++]->step);
            continue;
        }
        ++k;
        std::vector<SpecStep> unfused;
        for (size_t j = i; j < k; ++j)
            unfused.push_back(seq[j]->step);
        steps.push_back(fusedTail(pre, pool, post, std::move(unfused)));
        i = k;
    }
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

// Builds the modules of the analyzer's tree (NetworkSpec.h): keys, prefixes and input shapes come
// from its nodes.
class Builder {
public:
    explicit Builder(const SpecNetworkOptions& options) : m_options(options) {}

    std::vector<Built> list(const std::vector<const LayerNode*>& nodes)
    {
        std::vector<Built> out;
        for (const LayerNode* node : nodes) {
            Built b = layer(*node);
            b.key = node->key;
            b.spec = node->spec;
            if (!node->container)
                m_leafSteps.emplace(node->prefix, b.step);
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

    std::vector<SpecStep> steps(const std::vector<Built>& layers)
    {
        const std::vector<const Built*> seq = order(layers, m_options.poolEarly);
        return m_options.fusedKernels ? fuse(seq) : stepsOf(seq);
    }

    std::map<std::string, SpecStep> takeLeafSteps() { return std::move(m_leafSteps); }

private:
    SpecNetworkOptions m_options;
    std::map<std::string, SpecStep> m_leafSteps; // each leaf layer's own step, by prefix

    Built layer(const LayerNode& node)
    {
        const LayerSpec& l = *node.spec;
        const std::vector<int64_t>& in = node.inputShape;
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
        case LayerType::Dropout: {
            // LibTorch's dropout with its noise drawn faster, bit for bit the same (DropoutMask.h).
            Built b = leaf(nn::Dropout(nn::DropoutOptions(l.p)), Role::Dropout);
            auto holder = b.module.get<nn::Dropout>();
            b.step = [holder](const torch::Tensor& x) { return exactDropout(x, holder->options.p(), holder->is_training()); };
            return b;
        }
        case LayerType::Dropout2d:
            return leaf(nn::Dropout2d(nn::Dropout2dOptions(l.p)), Role::Dropout2d);
        case LayerType::Flatten:
            return leaf(nn::Flatten());
        case LayerType::Linear:
            return leaf(nn::Linear(nn::LinearOptions(in.at(0), l.outFeatures).bias(l.bias)));
        case LayerType::Sequential: {
            auto seq = sequential(list(node.childrenIn(LayerStep::List::Layers)));
            Built b;
            b.module = nn::AnyModule(seq);
            b.step = [seq](const torch::Tensor& x) { return seq->forward(x); };
            return b;
        }
        case LayerType::Residual: {
            const std::vector<Built> body = list(node.childrenIn(LayerStep::List::Body));
            const std::vector<Built> shortcut = list(node.childrenIn(LayerStep::List::Shortcut));
            auto residual = std::make_shared<ResidualImpl>(sequential(body), sequential(shortcut));
            Built b;
            b.module = nn::AnyModule(residual);
            b.step = [residual](const torch::Tensor& x) { return residual->forward(x); };
            return b;
        }
        case LayerType::Unknown:
            break;
        }
        throw ConfigError("cannot build the layer " + node.prefix + " of an unknown type");
    }
};

} // namespace

SpecNetworkOptions defaultSpecNetworkOptions()
{
    SpecNetworkOptions o;
    o.poolEarly = !envFlag("MNIST_STUDIO_POOL_LAST");
    o.fusedKernels = !envFlag("MNIST_STUDIO_UNFUSED");
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
    // The tree points into m_spec, which outlives it; it is only needed while building.
    const NetworkSummary summary = describeNetwork(m_spec);
    Builder builder(options);
    const std::vector<Built> layers = builder.list(nodesIn(summary.tree, LayerStep::List::Layers));
    for (const Built& b : layers)
        register_module(b.key, b.module.ptr());
    m_steps = builder.steps(layers);
    m_leafSteps = builder.takeLeafSteps();
}

const SpecStep& SpecNetworkImpl::layerStep(const std::string& prefix) const
{
    const auto it = m_leafSteps.find(prefix);
    if (it == m_leafSteps.end())
        throw ConfigError("the network has no layer " + prefix);
    return it->second;
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
