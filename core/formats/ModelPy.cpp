#include "formats/ModelPy.h"

#include "AtomicFile.h"

#include <nlohmann/json.hpp>

#include <sstream>

namespace mnist {
namespace {

// Python literals: a double as its shortest round-trip text, which Python reads back exactly.
std::string real(double v)
{
    return nlohmann::json(v).dump();
}

std::string pair(const Size2& s)
{
    return "(" + std::to_string(s.h) + ", " + std::to_string(s.w) + ")";
}

std::string pyBool(bool b)
{
    return b ? "True" : "False";
}

// A Python string literal; names come from user files.
std::string quoted(const std::string& s)
{
    return nlohmann::json(s).dump();
}

// Writes the analyzer's tree (NetworkSpec.h) as PyTorch modules.
class Writer {
public:
    // The layers of one list as "(key, module)," lines at `indent`.
    void list(std::ostringstream& os, const std::vector<const LayerNode*>& nodes, int indent)
    {
        for (const LayerNode* node : nodes) {
            os << std::string(static_cast<size_t>(indent), ' ') << "(" << quoted(node->key) << ", ";
            layer(os, *node, indent);
            os << "),\n";
        }
    }

private:
    void sequential(std::ostringstream& os, const std::vector<const LayerNode*>& nodes, int indent)
    {
        if (nodes.empty()) {
            os << "nn.Sequential()";
            return;
        }
        os << "nn.Sequential(OrderedDict([\n";
        list(os, nodes, indent + 4);
        os << std::string(static_cast<size_t>(indent), ' ') << "]))";
    }

    void layer(std::ostringstream& os, const LayerNode& node, int indent)
    {
        using List = LayerStep::List;
        const LayerSpec& l = *node.spec;
        const std::vector<int64_t>& in = node.inputShape;
        switch (l.type) {
        case LayerType::Conv2d:
            os << "nn.Conv2d(" << in.at(0) << ", " << l.outChannels << ", kernel_size=" << pair(l.kernelSize)
               << ", stride=" << pair(effectiveStride(l)) << ", padding=" << pair(l.padding) << ", groups=" << l.groups
               << ", bias=" << pyBool(l.bias) << ")";
            return;
        case LayerType::BatchNorm2d:
        case LayerType::BatchNorm1d:
            os << (l.type == LayerType::BatchNorm2d ? "nn.BatchNorm2d(" : "nn.BatchNorm1d(") << in.at(0)
               << ", eps=" << real(l.eps) << ", momentum=" << real(l.momentum) << ")";
            return;
        case LayerType::ReLU: os << "nn.ReLU()"; return;
        case LayerType::LeakyReLU: os << "nn.LeakyReLU(negative_slope=" << real(l.negativeSlope) << ")"; return;
        case LayerType::GELU: os << "nn.GELU()"; return;
        case LayerType::SiLU: os << "nn.SiLU()"; return;
        case LayerType::MaxPool2d:
        case LayerType::AvgPool2d:
            os << (l.type == LayerType::MaxPool2d ? "nn.MaxPool2d(" : "nn.AvgPool2d(") << "kernel_size=" << pair(l.kernelSize)
               << ", stride=" << pair(effectiveStride(l)) << ", padding=" << pair(l.padding) << ")";
            return;
        case LayerType::AdaptiveAvgPool2d: os << "nn.AdaptiveAvgPool2d(" << pair(l.outputSize) << ")"; return;
        case LayerType::Dropout: os << "nn.Dropout(p=" << real(l.p) << ")"; return;
        case LayerType::Dropout2d: os << "nn.Dropout2d(p=" << real(l.p) << ")"; return;
        case LayerType::Flatten: os << "nn.Flatten()"; return;
        case LayerType::Linear:
            os << "nn.Linear(" << in.at(0) << ", " << l.outFeatures << ", bias=" << pyBool(l.bias) << ")";
            return;
        case LayerType::Sequential: sequential(os, node.childrenIn(List::Layers), indent); return;
        case LayerType::Residual:
            os << "Residual(\n" << std::string(static_cast<size_t>(indent + 4), ' ') << "body=";
            sequential(os, node.childrenIn(List::Body), indent + 4);
            os << ",\n" << std::string(static_cast<size_t>(indent + 4), ' ') << "shortcut=";
            sequential(os, node.childrenIn(List::Shortcut), indent + 4);
            os << ")";
            return;
        case LayerType::Unknown: break;
        }
        throw ConfigError("model.py: layer " + node.prefix + " has no PyTorch equivalent");
    }
};

constexpr const char* kHeader = R"PY(# The network of an MNIST Studio run as plain PyTorch (any version from 1.10 on), written with
# its weights. In this folder:
#
#     from model import build, load_weights
#     net = build()
#     net.load_state_dict(load_weights("model.safetensors"))
#     net.eval()
#     logits = net(images)  # images: float [N, C, H, W] in [0, 1], normalised as NORMALIZE says
#
# `python3 model.py` prints the network and checks model.safetensors beside it.
import json
import struct
import sys
from collections import OrderedDict
from pathlib import Path

import torch
from torch import nn

)PY";

constexpr const char* kBody = R"PY(

class Residual(nn.Module):
    """body(x) + shortcut(x), or body(x) + x when the shortcut is empty."""

    def __init__(self, body, shortcut):
        super().__init__()
        self.body = body
        self.shortcut = shortcut

    def forward(self, x):
        return self.body(x) + (self.shortcut(x) if len(self.shortcut) > 0 else x)


def load_weights(path):
    """A safetensors file as a state_dict, with the safetensors package or without it."""
    try:
        from safetensors.torch import load_file
    except ImportError:
        load_file = None
    if load_file is not None:
        return load_file(str(path))
    dtypes = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
              "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8,
              "BOOL": torch.bool}
    raw = Path(path).read_bytes()
    (size,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + size])
    data = raw[8 + size:]
    state = OrderedDict()
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        dtype = dtypes[info["dtype"]]
        if end > begin:
            flat = torch.frombuffer(bytearray(data[begin:end]), dtype=dtype)
        else:
            flat = torch.empty(0, dtype=dtype)
        state[name] = flat.reshape(info["shape"]).clone()
    return state


if __name__ == "__main__":
    net = build()
    print(net)
    print(NAME, "with", sum(p.numel() for p in net.parameters()), "parameters")
    weights = Path(__file__).with_name("model.safetensors")
    if weights.exists():
        net.load_state_dict(load_weights(weights))
        net.eval()
        with torch.no_grad():
            out = net(torch.zeros(1, *INPUT))
        print("loaded", weights.name, "- output", tuple(out.shape))
    sys.exit(0)
)PY";

} // namespace

std::string modelPySource(const NetworkSpec& spec, const std::optional<InputNormalization>& normalize)
{
    const NetworkSummary summary = describeNetwork(spec); // throws for an invalid spec
    std::ostringstream os;
    os << kHeader;
    os << "NAME = " << quoted(spec.name) << "\n";
    os << "INPUT = (" << spec.input.at(0) << ", " << spec.input.at(1) << ", " << spec.input.at(2) << ")\n";
    os << "CLASSES = " << spec.classes << "\n";
    os << "# (mean, std): the run fed (x - mean) / std to the network; None: x as it is. Per channel as two\n";
    os << "# tuples of C values (broadcast over [N, C, H, W] as mean[c], std[c]).\n";
    os << "NORMALIZE = ";
    const auto tuple = [&](const std::vector<double>& v) {
        std::string t = "(";
        for (size_t i = 0; i < v.size(); ++i)
            t += (i ? ", " : "") + real(v[i]);
        return t + (v.size() == 1 ? ",)" : ")");
    };
    if (normalize && !normalize->channelMean.empty())
        os << "(" << tuple(normalize->channelMean) << ", " << tuple(normalize->channelStd) << ")\n";
    else if (normalize)
        os << "(" << real(normalize->mean) << ", " << real(normalize->std) << ")\n";
    else
        os << "None\n";
    os << "\n\ndef build():\n";
    os << "    " << quoted(spec.description.empty() ? spec.name : spec.description) << "\n";
    os << "    return nn.Sequential(OrderedDict([\n";
    Writer().list(os, nodesIn(summary.tree, LayerStep::List::Layers), 8);
    os << "    ]))\n";
    os << kBody;
    return os.str();
}

void writeModelPy(const std::string& path, const NetworkSpec& spec, const std::optional<InputNormalization>& normalize)
{
    const std::string source = modelPySource(spec, normalize);
    writeFileAtomically(path, [&](std::ostream& os) { os << source; });
}

} // namespace mnist
