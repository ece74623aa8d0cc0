#include "io/OnnxExport.h"

#include "Error.h"
#include "io/AtomicFile.h"

#include <torch/torch.h>

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

// Appends the eval-mode graph of `module` (a layer or a Sequential of layers, in forward order).
void appendModule(GraphBuilder& g, const std::string& prefix, const std::shared_ptr<torch::nn::Module>& module,
                  std::string& current, bool& flat)
{
    using namespace torch::nn;
    if (auto* conv = dynamic_cast<Conv2dImpl*>(module.get())) {
        const auto& o = conv->options;
        const int64_t kh = (*o.kernel_size())[0], kw = (*o.kernel_size())[1];
        // Every convolution of the registry keeps the size: stride 1, padding kernel/2 (the options'
        // padding is a variant whose type differs between LibTorch 1.x and 2.x, so it is not read).
        if ((*o.stride())[0] != 1 || (*o.stride())[1] != 1 || o.groups() != 1 || kh % 2 == 0 || kw % 2 == 0)
            throw IoError("ONNX export supports stride-1 odd-kernel convolutions only (" + prefix + ")");
        std::vector<std::string> in{current, g.initializer(prefix + ".weight", conv->weight)};
        if (conv->bias.defined())
            in.push_back(g.initializer(prefix + ".bias", conv->bias));
        current = g.node("Conv", in, [&](onnx::NodeProto& n) {
            intsAttribute(n, "kernel_shape", {kh, kw});
            intsAttribute(n, "pads", {kh / 2, kw / 2, kh / 2, kw / 2});
            intsAttribute(n, "strides", {1, 1});
        });
    } else if (auto* bn2 = dynamic_cast<BatchNorm2dImpl*>(module.get())) {
        current = g.node("BatchNormalization",
                         {current, g.initializer(prefix + ".weight", bn2->weight), g.initializer(prefix + ".bias", bn2->bias),
                          g.initializer(prefix + ".running_mean", bn2->running_mean),
                          g.initializer(prefix + ".running_var", bn2->running_var)},
                         [&](onnx::NodeProto& n) { floatAttribute(n, "epsilon", static_cast<float>(bn2->options.eps())); });
    } else if (auto* bn1 = dynamic_cast<BatchNorm1dImpl*>(module.get())) {
        current = g.node("BatchNormalization",
                         {current, g.initializer(prefix + ".weight", bn1->weight), g.initializer(prefix + ".bias", bn1->bias),
                          g.initializer(prefix + ".running_mean", bn1->running_mean),
                          g.initializer(prefix + ".running_var", bn1->running_var)},
                         [&](onnx::NodeProto& n) { floatAttribute(n, "epsilon", static_cast<float>(bn1->options.eps())); });
    } else if (dynamic_cast<ReLUImpl*>(module.get())) {
        current = g.node("Relu", {current});
    } else if (auto* pool = dynamic_cast<MaxPool2dImpl*>(module.get())) {
        const auto& o = pool->options;
        current = g.node("MaxPool", {current}, [&](onnx::NodeProto& n) {
            intsAttribute(n, "kernel_shape", {(*o.kernel_size())[0], (*o.kernel_size())[1]});
            intsAttribute(n, "strides", {(*o.stride())[0], (*o.stride())[1]});
        });
    } else if (dynamic_cast<DropoutImpl*>(module.get()) || dynamic_cast<Dropout2dImpl*>(module.get())) {
        // identity in eval mode
    } else if (auto* linear = dynamic_cast<LinearImpl*>(module.get())) {
        if (!flat) {
            current = g.node("Flatten", {current}, [](onnx::NodeProto& n) { intAttribute(n, "axis", 1); });
            flat = true;
        }
        current = g.node("Gemm",
                         {current, g.initializer(prefix + ".weight", linear->weight), g.initializer(prefix + ".bias", linear->bias)},
                         [](onnx::NodeProto& n) { intAttribute(n, "transB", 1); });
    } else if (dynamic_cast<SequentialImpl*>(module.get())) {
        for (const auto& child : module->named_children())
            appendModule(g, prefix + "." + child.key(), child.value(), current, flat);
    } else {
        throw IoError("ONNX export does not know the layer " + prefix + " (" + module->name() + ")");
    }
}

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
    graph.set_name(model.name());
    setTensorType(*graph.add_input(), "input", {-1, 1, 28, 28});

    GraphBuilder g(graph);
    std::string current = "input";
    if (preprocessing.normalize) {
        current = g.node("Sub", {current, g.initializer("normalize.mean", torch::tensor(static_cast<float>(preprocessing.mean)))});
        current = g.node("Div", {current, g.initializer("normalize.std", torch::tensor(static_cast<float>(preprocessing.std)))});
    }
    bool flat = false;
    for (const auto& child : model.named_children())
        appendModule(g, child.key(), child.value(), current, flat);
    // The last node's output is renamed to the graph output.
    graph.mutable_node(graph.node_size() - 1)->set_output(0, "logits");
    setTensorType(*graph.add_output(), "logits", {-1, 10});

    std::string bytes;
    if (!proto.SerializeToString(&bytes))
        throw IoError("cannot write " + path + ": ONNX serialisation failed");
    writeFileAtomically(path, [&](std::ostream& out) { out.write(bytes.data(), static_cast<std::streamsize>(bytes.size())); });
}

#endif

} // namespace mnist
