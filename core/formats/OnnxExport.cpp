#include "formats/OnnxExport.h"

#include "Error.h"
#include "AtomicFile.h"
#include "spec/NetworkSpec.h"
#include "models/SpecNetwork.h"

#include <torch/torch.h>

#include <cmath>
#include <map>

#ifdef MNIST_STUDIO_HAVE_ONNX
#include <onnx/onnx_pb.h>
#endif

namespace mnist {

#ifndef MNIST_STUDIO_HAVE_ONNX

bool onnxExportAvailable()
{
    return false;
}

void exportOnnx(const Network&, const std::string& path, const AugmentConfig&)
{
    throw IoError("cannot write " + path + ": this build has no ONNX support (install libonnx-dev and rebuild)");
}

#else

namespace {

class GraphBuilder {
public:
    explicit GraphBuilder(onnx::GraphProto& graph) : m_graph(graph) {}

    std::string initializer(const std::string& name, const torch::Tensor& value)
    {
        const torch::Tensor t = value.detach().to(torch::kCPU, torch::kFloat32).contiguous();
        onnx::TensorProto* p = m_graph.add_initializer();
        p->set_name(name);
        p->set_data_type(onnx::TensorProto::FLOAT);
        for (int64_t d : t.sizes())
            p->add_dims(d);
        p->set_raw_data(t.data_ptr(), static_cast<size_t>(t.numel()) * sizeof(float));
        return name;
    }

    // Adds a node reading `inputs`; returns its output's name.
    std::string node(const std::string& op, const std::vector<std::string>& inputs,
                     const std::function<void(onnx::NodeProto&)>& attributes = {})
    {
        onnx::NodeProto* n = m_graph.add_node();
        const std::string name = op + "_" + std::to_string(m_count++);
        n->set_op_type(op);
        n->set_name(name);
        for (const auto& i : inputs)
            n->add_input(i);
        n->add_output(name + "_out");
        if (attributes)
            attributes(*n);
        return name + "_out";
    }

private:
    onnx::GraphProto& m_graph;
    int m_count = 0;
};

void intsAttribute(onnx::NodeProto& n, const char* name, std::initializer_list<int64_t> values)
{
    onnx::AttributeProto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t v : values)
        a->add_ints(v);
}

void intAttribute(onnx::NodeProto& n, const char* name, int64_t value)
{
    onnx::AttributeProto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(value);
}

void floatAttribute(onnx::NodeProto& n, const char* name, float value)
{
    onnx::AttributeProto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(value);
}

void setTensorType(onnx::ValueInfoProto& v, const std::string& name, std::initializer_list<int64_t> dims)
{
    v.set_name(name);
    auto* type = v.mutable_type()->mutable_tensor_type();
    type->set_elem_type(onnx::TensorProto::FLOAT);
    auto* shape = type->mutable_shape();
    bool first = true;
    for (int64_t d : dims) {
        auto* dim = shape->add_dim();
        if (first)
            dim->set_dim_param("N"); // the batch dimension is dynamic
        else
            dim->set_dim_value(d);
        first = false;
    }
}

// The spec's layers as ONNX nodes, with the network's tensors by their state_dict names.
class SpecWriter {
public:
    SpecWriter(GraphBuilder& g, const Network& model) : m_g(g)
    {
        for (const auto& p : model.named_parameters())
            m_tensors.emplace(p.key(), p.value());
        for (const auto& b : model.named_buffers())
            m_tensors.emplace(b.key(), b.value());
    }

    // The nodes of the analyzer's tree (NetworkSpec.h) one after the other from `x`.
    std::string list(const std::vector<const LayerNode*>& nodes, std::string x)
    {
        for (const LayerNode* node : nodes)
            x = layer(*node, x);
        return x;
    }

private:
    std::string tensor(const std::string& name)
    {
        const auto it = m_tensors.find(name);
        if (it == m_tensors.end())
            throw IoError("ONNX export: the network has no tensor " + name);
        return m_g.initializer(name, it->second);
    }

    std::string layer(const LayerNode& node, const std::string& x)
    {
        using List = LayerStep::List;
        const LayerSpec& l = *node.spec;
        const std::string& name = node.prefix;
        const std::vector<int64_t>& in = node.inputShape;
        const Size2 stride = effectiveStride(l);
        switch (l.type) {
        case LayerType::Conv2d: {
            std::vector<std::string> inputs{x, tensor(name + ".weight")};
            if (l.bias)
                inputs.push_back(tensor(name + ".bias"));
            return m_g.node("Conv", inputs, [&](onnx::NodeProto& n) {
                intsAttribute(n, "kernel_shape", {l.kernelSize.h, l.kernelSize.w});
                intsAttribute(n, "pads", {l.padding.h, l.padding.w, l.padding.h, l.padding.w});
                intsAttribute(n, "strides", {stride.h, stride.w});
                intAttribute(n, "group", l.groups);
            });
        }
        case LayerType::BatchNorm2d:
        case LayerType::BatchNorm1d:
            return m_g.node("BatchNormalization",
                            {x, tensor(name + ".weight"), tensor(name + ".bias"), tensor(name + ".running_mean"),
                             tensor(name + ".running_var")},
                            [&](onnx::NodeProto& n) { floatAttribute(n, "epsilon", static_cast<float>(l.eps)); });
        case LayerType::ReLU: return m_g.node("Relu", {x});
        case LayerType::LeakyReLU:
            return m_g.node("LeakyRelu", {x}, [&](onnx::NodeProto& n) { floatAttribute(n, "alpha", static_cast<float>(l.negativeSlope)); });
        case LayerType::GELU: {
            // Opset 13 has no Gelu: PyTorch's exact form, x * (1 + erf(x / sqrt(2))) / 2.
            const std::string scaled = m_g.node("Div", {x, constant(name + ".sqrt2", std::sqrt(2.0f))});
            const std::string plusOne = m_g.node("Add", {m_g.node("Erf", {scaled}), constant(name + ".one", 1.0f)});
            return m_g.node("Mul", {m_g.node("Mul", {x, plusOne}), constant(name + ".half", 0.5f)});
        }
        case LayerType::SiLU: return m_g.node("Mul", {x, m_g.node("Sigmoid", {x})});
        case LayerType::MaxPool2d:
        case LayerType::AvgPool2d:
            return m_g.node(l.type == LayerType::MaxPool2d ? "MaxPool" : "AveragePool", {x}, [&](onnx::NodeProto& n) {
                intsAttribute(n, "kernel_shape", {l.kernelSize.h, l.kernelSize.w});
                intsAttribute(n, "strides", {stride.h, stride.w});
                intsAttribute(n, "pads", {l.padding.h, l.padding.w, l.padding.h, l.padding.w});
                if (l.type == LayerType::AvgPool2d)
                    intAttribute(n, "count_include_pad", 1); // PyTorch's default
            });
        case LayerType::AdaptiveAvgPool2d: {
            if (l.outputSize.h == 1 && l.outputSize.w == 1)
                return m_g.node("GlobalAveragePool", {x});
            // Exactly an average pool when the output size divides the input's.
            const int64_t h = in.at(1), w = in.at(2);
            if (h % l.outputSize.h != 0 || w % l.outputSize.w != 0)
                throw IoError("ONNX export: " + name + " pools " + formatShape(in) + " to " +
                              formatShape({l.outputSize.h, l.outputSize.w}) + ", which no ONNX pool does exactly");
            const int64_t kh = h / l.outputSize.h, kw = w / l.outputSize.w;
            return m_g.node("AveragePool", {x}, [&](onnx::NodeProto& n) {
                intsAttribute(n, "kernel_shape", {kh, kw});
                intsAttribute(n, "strides", {kh, kw});
            });
        }
        case LayerType::Dropout:
        case LayerType::Dropout2d: return x; // the identity in eval mode
        case LayerType::Flatten:
            return m_g.node("Flatten", {x}, [](onnx::NodeProto& n) { intAttribute(n, "axis", 1); });
        case LayerType::Linear: {
            std::vector<std::string> inputs{x, tensor(name + ".weight")};
            if (l.bias)
                inputs.push_back(tensor(name + ".bias"));
            return m_g.node("Gemm", inputs, [](onnx::NodeProto& n) { intAttribute(n, "transB", 1); });
        }
        case LayerType::Sequential: return list(node.childrenIn(List::Layers), x);
        case LayerType::Residual: {
            const std::string body = list(node.childrenIn(List::Body), x);
            const std::string shortcut = l.shortcut.empty() ? x : list(node.childrenIn(List::Shortcut), x);
            return m_g.node("Add", {body, shortcut});
        }
        case LayerType::Unknown: break;
        }
        throw IoError("ONNX export does not know the layer " + name);
    }

    std::string constant(const std::string& name, float v) { return m_g.initializer(name, torch::tensor(v)); }

    GraphBuilder& m_g;
    std::map<std::string, torch::Tensor> m_tensors;
};

} // namespace

bool onnxExportAvailable()
{
    return true;
}

void exportOnnx(const Network& model, const std::string& path, const AugmentConfig& preprocessing)
{
    onnx::ModelProto proto;
    proto.set_ir_version(7);
    proto.set_producer_name("MNIST Studio");
    proto.set_producer_version("0.1");
    proto.add_opset_import()->set_version(13);
    onnx::GraphProto& graph = *proto.mutable_graph();
    const auto* built = dynamic_cast<const SpecNetworkImpl*>(&model);
    if (!built)
        throw IoError("cannot write " + path + ": ONNX export needs a network built from a spec");
    const NetworkSpec& spec = built->spec();
    const NetworkSummary summary = describeNetwork(spec);
    graph.set_name(spec.name);
    setTensorType(*graph.add_input(), "input", {-1, spec.input.at(0), spec.input.at(1), spec.input.at(2)});

    GraphBuilder g(graph);
    std::string current = "input";
    if (preprocessing.normalize && preprocessing.normalizePerChannel) {
        const auto c = static_cast<int64_t>(preprocessing.channelMean.size());
        if (c != spec.input.at(0))
            throw IoError("cannot write " + path + ": Normalize per channel holds " + std::to_string(c) +
                          " channel statistics for a network of " + std::to_string(spec.input.at(0)) + " channels");
        const auto perChannel = [&](const std::vector<double>& v) {
            return torch::tensor(v, torch::kFloat64).to(torch::kFloat32).view({1, c, 1, 1});
        };
        current = g.node("Sub", {current, g.initializer("normalize.mean", perChannel(preprocessing.channelMean))});
        current = g.node("Div", {current, g.initializer("normalize.std", perChannel(preprocessing.channelStd))});
    } else if (preprocessing.normalize) {
        current = g.node("Sub", {current, g.initializer("normalize.mean", torch::tensor(static_cast<float>(preprocessing.mean)))});
        current = g.node("Div", {current, g.initializer("normalize.std", torch::tensor(static_cast<float>(preprocessing.std)))});
    }
    current = SpecWriter(g, model).list(nodesIn(summary.tree, LayerStep::List::Layers), current);
    // The graph's output is named "logits"; a network that is only identities gets a node for it.
    if (graph.node_size() == 0 || graph.node(graph.node_size() - 1).output(0) != current)
        current = g.node("Identity", {current});
    graph.mutable_node(graph.node_size() - 1)->set_output(0, "logits");
    setTensorType(*graph.add_output(), "logits", {-1, spec.classes});

    std::string bytes;
    if (!proto.SerializeToString(&bytes))
        throw IoError("cannot write " + path + ": ONNX serialisation failed");
    writeFileAtomically(path, [&](std::ostream& out) { out.write(bytes.data(), static_cast<std::streamsize>(bytes.size())); });
}

#endif

} // namespace mnist
