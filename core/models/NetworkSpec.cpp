#include "models/NetworkSpec.h"

#include "JsonInteger.h"
#include "Resources.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

namespace mnist {
namespace {

using json = nlohmann::json;
using List = LayerStep::List;

// Bounds that keep every count in int64 and every network buildable: a spec is data from anyone
// (a file, the editor, a fuzzer), and a 10^12-parameter Linear would only fail deep in LibTorch.
constexpr int64_t kMaxArgument = 1 << 20;
constexpr int64_t kMaxValuesPerImage = 100'000'000;
constexpr int64_t kMaxParameters = 1'000'000'000;

struct TypeInfo {
    LayerType type;
    const char* name;
    std::vector<std::string> keys; // after "name" and "type"
};

const std::vector<TypeInfo>& typeTable()
{
    static const std::vector<TypeInfo> table = {
        {LayerType::Conv2d, "Conv2d", {"out_channels", "kernel_size", "stride", "padding", "groups", "bias"}},
        {LayerType::BatchNorm2d, "BatchNorm2d", {"eps", "momentum"}},
        {LayerType::BatchNorm1d, "BatchNorm1d", {"eps", "momentum"}},
        {LayerType::ReLU, "ReLU", {}},
        {LayerType::LeakyReLU, "LeakyReLU", {"negative_slope"}},
        {LayerType::GELU, "GELU", {}},
        {LayerType::SiLU, "SiLU", {}},
        {LayerType::MaxPool2d, "MaxPool2d", {"kernel_size", "stride", "padding"}},
        {LayerType::AvgPool2d, "AvgPool2d", {"kernel_size", "stride", "padding"}},
        {LayerType::AdaptiveAvgPool2d, "AdaptiveAvgPool2d", {"output_size"}},
        {LayerType::Dropout, "Dropout", {"p"}},
        {LayerType::Dropout2d, "Dropout2d", {"p"}},
        {LayerType::Flatten, "Flatten", {}},
        {LayerType::Linear, "Linear", {"out_features", "bias"}},
        {LayerType::Sequential, "Sequential", {"layers"}},
        {LayerType::Residual, "Residual", {"body", "shortcut"}},
    };
    return table;
}

const TypeInfo* typeInfo(LayerType type)
{
    for (const auto& t : typeTable())
        if (t.type == type)
            return &t;
    return nullptr;
}

bool has(LayerType type, const char* key)
{
    const TypeInfo* t = typeInfo(type);
    return t && std::find(t->keys.begin(), t->keys.end(), key) != t->keys.end();
}

std::string joined(const std::vector<std::string>& items)
{
    std::string s;
    for (const auto& i : items)
        s += (s.empty() ? "" : ", ") + i;
    return s;
}

std::string typeNames()
{
    std::vector<std::string> names;
    for (const auto& t : typeTable())
        names.push_back(t.name);
    return joined(names);
}

const std::vector<std::string>& topLevelKeys()
{
    static const std::vector<std::string> keys = {"name", "description", "input", "classes", "layers"};
    return keys;
}

const char* listWord(List list)
{
    switch (list) {
    case List::Layers: return "layers";
    case List::Body: return "body";
    case List::Shortcut: return "shortcut";
    }
    return "layers";
}

// Where a layer is: its problem path, state_dict prefix and location (the rule is in the header).
struct Where {
    std::string path;
    std::string prefix;
    LayerLocation loc;
    bool named = false;
};

Where childWhere(const Where* parent, List list, size_t i, const std::string& name)
{
    Where w;
    w.named = !name.empty();
    const std::string key = w.named ? name : std::to_string(i);
    const std::string position = std::string(listWord(list)) + "[" + std::to_string(i) + "]";
    if (!parent) {
        w.path = w.named ? name : position;
        w.prefix = key;
    } else if (list == List::Layers) {
        w.path = parent->path + "." + (w.named ? name : position);
        w.prefix = parent->prefix + "." + key;
    } else {
        w.path = parent->path + "." + (w.named ? std::string(listWord(list)) + "." + name : position);
        w.prefix = parent->prefix + "." + listWord(list) + "." + key;
    }
    if (parent)
        w.loc = parent->loc;
    w.loc.push_back({list, i});
    return w;
}

std::string typeLabel(LayerType type)
{
    return type == LayerType::Unknown ? std::string("unknown type") : layerTypeName(type);
}

std::string sizeText(const Size2& s)
{
    return s.h == s.w ? std::to_string(s.h) : "[" + std::to_string(s.h) + ", " + std::to_string(s.w) + "]";
}

std::string withThousands(int64_t n)
{
    std::string digits = std::to_string(n);
    std::string out;
    const size_t lead = digits.size() % 3;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i != 0 && (i % 3) == lead % 3 && digits[0] != '-')
            out += ',';
        out += digits[i];
    }
    return out;
}

int64_t satMul(int64_t a, int64_t b)
{
    int64_t r = 0;
    return __builtin_mul_overflow(a, b, &r) ? std::numeric_limits<int64_t>::max() : r;
}

int64_t satAdd(int64_t a, int64_t b)
{
    int64_t r = 0;
    return __builtin_add_overflow(a, b, &r) ? std::numeric_limits<int64_t>::max() : r;
}

int64_t product(const std::vector<int64_t>& dims)
{
    int64_t n = 1;
    for (int64_t d : dims)
        n = satMul(n, d);
    return n;
}

int64_t floorDiv(int64_t a, int64_t b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

// ---------------------------------------------------------------------------------------------
// JSON -> struct: only what JSON itself decides (types of values, keys, layer types, presence).

class Parser {
public:
    explicit Parser(std::vector<SpecProblem>& problems) : m_problems(problems) {}

    std::set<std::string> brokenLayers; // paths of layers with a JSON-level problem
    bool notAnObject = false;
    bool inputBroken = false;
    bool classesBroken = false;

    NetworkSpec network(const json& j)
    {
        NetworkSpec spec;
        spec.input.clear();
        if (!j.is_object()) {
            add({}, "", "", std::string("a network spec must be a JSON object, got ") + describe(j));
            notAnObject = true;
            return spec;
        }
        for (const auto& [key, value] : j.items())
            if (std::find(topLevelKeys().begin(), topLevelKeys().end(), key) == topLevelKeys().end())
                add({}, key, key, "unknown key (known: " + joined(topLevelKeys()) + ")");
        if (const json* v = field(j, "name", {}, "", "missing (the network's name, e.g. \"MyNet\")"))
            readString(*v, "name", {}, "name", spec.name);
        if (const json* v = find(j, "description"))
            readString(*v, "description", {}, "description", spec.description);
        if (const json* v = field(j, "input", {}, "", "missing (the shape of one image [C, H, W], e.g. [1, 28, 28])")) {
            bool ok = v->is_array() && v->size() == 3;
            for (size_t i = 0; ok && i < 3; ++i) {
                int64_t d = 0;
                ok = readIntQuiet((*v)[i], d);
                spec.input.push_back(d);
            }
            if (!ok) {
                add({}, "input", "input", "must be [C, H, W], three integers such as [1, 28, 28], got " + describe(*v));
                spec.input.clear();
            }
        }
        inputBroken = spec.input.size() != 3;
        if (const json* v = field(j, "classes", {}, "", "missing (the number of classes, e.g. 10)"))
            classesBroken = !readInt(*v, "classes", {}, "classes", spec.classes);
        else
            classesBroken = true;
        if (const json* v = field(j, "layers", {}, "", "missing (the list of layers)"))
            spec.layers = list(*v, "layers", nullptr, List::Layers, {});
        return spec;
    }

private:
    std::vector<SpecProblem>& m_problems;

    void add(const LayerLocation& loc, const std::string& key, const std::string& path, const std::string& message)
    {
        m_problems.push_back({path, message, loc, key});
    }

    static std::string describe(const json& v)
    {
        std::string d = v.dump();
        if (d.size() > 40)
            d = d.substr(0, 37) + "...";
        return std::string(v.type_name()) + " " + d;
    }

    static const json* find(const json& obj, const char* key)
    {
        auto it = obj.find(key);
        return it == obj.end() ? nullptr : &*it;
    }

    // The value of a required key, or nullptr after reporting it missing.
    const json* field(const json& obj, const char* key, const LayerLocation& loc, const std::string& base,
                      const std::string& missing)
    {
        if (const json* v = find(obj, key))
            return v;
        add(loc, key, base.empty() ? key : base + "." + key, missing);
        return nullptr;
    }

    static bool readIntQuiet(const json& v, int64_t& out)
    {
        if (v.is_boolean() || !v.is_number())
            return false;
        try {
            out = jsonInteger<int64_t>(v);
            return true;
        } catch (const std::exception&) {
            return false;
        }
    }

    bool readInt(const json& v, const std::string& path, const LayerLocation& loc, const std::string& key, int64_t& out)
    {
        if (v.is_boolean() || !v.is_number()) {
            add(loc, key, path, "must be an integer, got " + describe(v));
            return false;
        }
        try {
            out = jsonInteger<int64_t>(v);
            return true;
        } catch (const std::out_of_range&) {
            add(loc, key, path, "is out of range, got " + v.dump());
        } catch (const std::exception&) {
            add(loc, key, path, "must be an integer, got " + v.dump());
        }
        return false;
    }

    bool readSize(const json& v, const std::string& path, const LayerLocation& loc, const std::string& key, Size2& out)
    {
        int64_t h = 0, w = 0;
        if (v.is_array() && v.size() == 2 && readIntQuiet(v[0], h) && readIntQuiet(v[1], w)) {
            out = {h, w};
            return true;
        }
        if (!v.is_array() && readIntQuiet(v, h)) {
            out = {h, h};
            return true;
        }
        add(loc, key, path, "must be an integer or a pair [h, w] of integers, got " + describe(v));
        return false;
    }

    bool readNumber(const json& v, const std::string& path, const LayerLocation& loc, const std::string& key, double& out)
    {
        if (v.is_boolean() || !v.is_number()) {
            add(loc, key, path, "must be a number, got " + describe(v));
            return false;
        }
        out = v.get<double>();
        return true;
    }

    bool readBool(const json& v, const std::string& path, const LayerLocation& loc, const std::string& key, bool& out)
    {
        if (!v.is_boolean()) {
            add(loc, key, path, "must be true or false, got " + describe(v));
            return false;
        }
        out = v.get<bool>();
        return true;
    }

    bool readString(const json& v, const std::string& path, const LayerLocation& loc, const std::string& key,
                    std::string& out)
    {
        if (!v.is_string()) {
            add(loc, key, path, "must be a string, got " + describe(v));
            return false;
        }
        out = v.get<std::string>();
        return true;
    }

    std::vector<LayerSpec> list(const json& v, const std::string& path, const Where* parent, List kind,
                                const LayerLocation& ownerLoc)
    {
        std::vector<LayerSpec> out;
        if (!v.is_array()) {
            add(ownerLoc, listWord(kind), path, "must be a list of layers, got " + describe(v));
            if (parent)
                brokenLayers.insert(parent->path);
            return out;
        }
        for (size_t i = 0; i < v.size(); ++i)
            out.push_back(layer(v[i], parent, kind, i));
        return out;
    }

    LayerSpec layer(const json& j, const Where* parent, List kind, size_t index)
    {
        LayerSpec l;
        std::string name;
        if (j.is_object()) {
            if (auto it = j.find("name"); it != j.end() && it->is_string())
                name = it->get<std::string>();
        }
        const Where w = childWhere(parent, kind, index, name);
        const size_t before = m_problems.size();
        parseLayer(j, w, l);
        if (m_problems.size() != before)
            brokenLayers.insert(w.path);
        return l;
    }

    void parseLayer(const json& j, const Where& w, LayerSpec& l)
    {
        const auto& loc = w.loc;
        if (!j.is_object()) {
            add(loc, "", w.path, "must be a layer, a JSON object such as {\"type\": \"ReLU\"}, got " + describe(j));
            l.type = LayerType::Unknown;
            return;
        }
        const auto at = [&](const std::string& key) { return w.path + "." + key; };
        if (const json* v = find(j, "name"))
            readString(*v, at("name"), loc, "name", l.name);
        const json* typeValue = find(j, "type");
        std::string typeName;
        if (!typeValue) {
            add(loc, "type", at("type"), "missing; every layer needs a type (known: " + typeNames() + ")");
            l.type = LayerType::Unknown;
            return;
        }
        if (!readString(*typeValue, at("type"), loc, "type", typeName)) {
            l.type = LayerType::Unknown;
            return;
        }
        if (!layerTypeFromName(typeName, l.type)) {
            add(loc, "type", at("type"), "unknown layer type \"" + typeName + "\" (known: " + typeNames() + ")");
            l.type = LayerType::Unknown;
            return;
        }
        const auto& keys = layerKeys(l.type);
        for (const auto& [key, value] : j.items()) {
            if (std::find(keys.begin(), keys.end(), key) != keys.end())
                continue;
            std::string message = "unknown key for " + typeName + " (known: " + joined(keys) + ")";
            if (key == "in_channels" || key == "in_features" || key == "num_features")
                message = "is not written: it is inferred from the shape flowing in; remove it";
            add(loc, key, at(key), message);
        }
        const std::string typeText = typeName;
        const auto required = [&](const char* key) -> const json* {
            return field(j, key, loc, w.path, std::string("missing (") + typeText + " needs it)");
        };
        const auto optional = [&](const char* key) { return find(j, key); };
        switch (l.type) {
        case LayerType::Conv2d:
            if (const json* v = required("out_channels"))
                readInt(*v, at("out_channels"), loc, "out_channels", l.outChannels);
            if (const json* v = required("kernel_size"))
                readSize(*v, at("kernel_size"), loc, "kernel_size", l.kernelSize);
            if (const json* v = optional("stride")) {
                Size2 s;
                if (readSize(*v, at("stride"), loc, "stride", s))
                    l.stride = s;
            }
            if (const json* v = optional("padding"))
                readSize(*v, at("padding"), loc, "padding", l.padding);
            if (const json* v = optional("groups"))
                readInt(*v, at("groups"), loc, "groups", l.groups);
            if (const json* v = optional("bias"))
                readBool(*v, at("bias"), loc, "bias", l.bias);
            break;
        case LayerType::BatchNorm2d:
        case LayerType::BatchNorm1d:
            if (const json* v = optional("eps"))
                readNumber(*v, at("eps"), loc, "eps", l.eps);
            if (const json* v = optional("momentum"))
                readNumber(*v, at("momentum"), loc, "momentum", l.momentum);
            break;
        case LayerType::LeakyReLU:
            if (const json* v = optional("negative_slope"))
                readNumber(*v, at("negative_slope"), loc, "negative_slope", l.negativeSlope);
            break;
        case LayerType::MaxPool2d:
        case LayerType::AvgPool2d:
            if (const json* v = required("kernel_size"))
                readSize(*v, at("kernel_size"), loc, "kernel_size", l.kernelSize);
            if (const json* v = optional("stride")) {
                Size2 s;
                if (readSize(*v, at("stride"), loc, "stride", s))
                    l.stride = s;
            }
            if (const json* v = optional("padding"))
                readSize(*v, at("padding"), loc, "padding", l.padding);
            break;
        case LayerType::AdaptiveAvgPool2d:
            if (const json* v = optional("output_size"))
                readSize(*v, at("output_size"), loc, "output_size", l.outputSize);
            break;
        case LayerType::Dropout:
        case LayerType::Dropout2d:
            if (const json* v = optional("p"))
                readNumber(*v, at("p"), loc, "p", l.p);
            break;
        case LayerType::Linear:
            if (const json* v = required("out_features"))
                readInt(*v, at("out_features"), loc, "out_features", l.outFeatures);
            if (const json* v = optional("bias"))
                readBool(*v, at("bias"), loc, "bias", l.bias);
            break;
        case LayerType::Sequential:
            if (const json* v = required("layers"))
                l.layers = list(*v, at("layers"), &w, List::Layers, loc);
            break;
        case LayerType::Residual:
            if (const json* v = required("body"))
                l.body = list(*v, at("body"), &w, List::Body, loc);
            if (const json* v = optional("shortcut"))
                l.shortcut = list(*v, at("shortcut"), &w, List::Shortcut, loc);
            break;
        case LayerType::ReLU:
        case LayerType::GELU:
        case LayerType::SiLU:
        case LayerType::Flatten:
        case LayerType::Unknown:
            break;
        }
    }
};

// ---------------------------------------------------------------------------------------------
// Ranges, names and shapes of a spec in memory, with the rows and the state_dict on the way.

struct Shape {
    bool known = false;
    std::vector<int64_t> dims;
};

class Analyzer {
public:
    Analyzer(std::vector<SpecProblem>* problems, const std::set<std::string>* broken)
        : m_problems(problems), m_broken(broken)
    {
    }

    NetworkSummary summary;
    StateDictShapes state;

    void network(const NetworkSpec& spec, bool inputBroken, bool classesBroken)
    {
        checkName(spec);
        Shape in;
        if (!inputBroken) {
            in.known = spec.input.size() == 3;
            in.dims = spec.input;
            for (size_t i = 0; i < spec.input.size(); ++i) {
                const int64_t d = spec.input[i];
                if (d < 1 || d > kMaxArgument) {
                    add({}, "input", "input[" + std::to_string(i) + "]",
                        d < 1 ? "must be positive" : "must be at most " + std::to_string(kMaxArgument));
                    in.known = false;
                }
            }
            if (spec.input.size() != 3) {
                add({}, "input", "input", "must be [C, H, W], three integers such as [1, 28, 28], got " +
                                              formatShape(spec.input));
            }
        }
        if (in.known)
            summary.inputShape = spec.input;
        bool classesOk = !classesBroken;
        if (classesOk && (spec.classes < 1 || spec.classes > kMaxArgument)) {
            add({}, "classes", "classes",
                spec.classes < 1 ? "must be positive" : "must be at most " + std::to_string(kMaxArgument));
            classesOk = false;
        }
        const Shape out = list(spec.layers, nullptr, List::Layers, in, 0);
        if (spec.layers.empty()) {
            add({}, "layers", "layers", "the network has no layers; it must end in [" + std::to_string(spec.classes) +
                                            "] (e.g. a Flatten and a Linear with out_features " +
                                            std::to_string(spec.classes) + ")");
        } else if (out.known && classesOk && out.dims != std::vector<int64_t>{spec.classes}) {
            add({}, "layers", "layers",
                "the network ends in " + formatShape(out.dims) + " but must end in [" + std::to_string(spec.classes) +
                    "] (classes); " +
                    (out.dims.size() == 1 ? "end with a Linear with out_features " + std::to_string(spec.classes)
                                          : "add a Flatten and a Linear with out_features " + std::to_string(spec.classes)));
        }
        if (out.known)
            summary.outputShape = out.dims;
        if (summary.parameters > kMaxParameters)
            add({}, "layers", "layers",
                "the network has " + withThousands(summary.parameters) + " parameters, more than the " +
                    withThousands(kMaxParameters) + " this program builds");
    }

private:
    std::vector<SpecProblem>* m_problems;
    const std::set<std::string>* m_broken;

    void add(const LayerLocation& loc, const std::string& key, const std::string& path, const std::string& message)
    {
        if (m_problems)
            m_problems->push_back({path, message, loc, key});
    }

    // A problem of the whole layer: an unnamed one says its type (see the header's rule).
    void addLayer(const Where& w, LayerType type, const std::string& message)
    {
        add(w.loc, "", w.named ? w.path : w.path + " (" + typeLabel(type) + ")", message);
    }

    void checkName(const NetworkSpec& spec)
    {
        if (spec.name.empty()) {
            add({}, "name", "name", "must not be empty");
            return;
        }
        const bool ok = spec.name.size() <= 64 && spec.name[0] != '.' &&
                        std::all_of(spec.name.begin(), spec.name.end(), [](char c) {
                            return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
                        });
        if (!ok)
            add({}, "name", "name",
                "may hold up to 64 letters, digits, '-', '_' and '.' only, not starting with '.' (it names run "
                "folders), got \"" + spec.name + "\"");
    }

    bool positive(const Where& w, const char* key, int64_t v)
    {
        if (v >= 1 && v <= kMaxArgument)
            return true;
        add(w.loc, key, w.path + "." + key, v < 1 ? "must be positive" : "must be at most " + std::to_string(kMaxArgument));
        return false;
    }

    // Both halves of a size; one problem for the pair when they are equal (the file likely says
    // an integer), else one per half.
    bool sizeIn(const Where& w, const char* key, const Size2& s, int64_t lo)
    {
        const auto bad = [&](int64_t v) { return v < lo || v > kMaxArgument; };
        const auto message = [&](int64_t v) {
            return v < lo ? (lo == 1 ? std::string("must be positive") : "must be at least " + std::to_string(lo))
                          : "must be at most " + std::to_string(kMaxArgument);
        };
        if (s.h == s.w) {
            if (!bad(s.h))
                return true;
            add(w.loc, key, w.path + "." + key, message(s.h));
            return false;
        }
        bool ok = true;
        if (bad(s.h)) {
            add(w.loc, key, w.path + "." + key + "[0]", message(s.h));
            ok = false;
        }
        if (bad(s.w)) {
            add(w.loc, key, w.path + "." + key + "[1]", message(s.w));
            ok = false;
        }
        return ok;
    }

    bool probability(const Where& w, const char* key, double v, bool zeroOk)
    {
        if (std::isfinite(v) && (zeroOk ? v >= 0 : v > 0) && v <= 1)
            return true;
        add(w.loc, key, w.path + "." + key,
            std::string("must be ") + (zeroOk ? "from 0 to 1" : "above 0 and at most 1") + ", got " + json(v).dump());
        return false;
    }

    // The arguments of `l` alone; false when the layer cannot be sized.
    bool arguments(const LayerSpec& l, const Where& w, bool broken)
    {
        bool ok = true;
        switch (l.type) {
        case LayerType::Conv2d:
            ok &= positive(w, "out_channels", l.outChannels);
            ok &= sizeIn(w, "kernel_size", l.kernelSize, 1);
            if (l.stride)
                ok &= sizeIn(w, "stride", *l.stride, 1);
            ok &= sizeIn(w, "padding", l.padding, 0);
            ok &= positive(w, "groups", l.groups);
            break;
        case LayerType::MaxPool2d:
        case LayerType::AvgPool2d: {
            const bool kernelOk = sizeIn(w, "kernel_size", l.kernelSize, 1);
            ok &= kernelOk;
            if (l.stride)
                ok &= sizeIn(w, "stride", *l.stride, 1);
            const bool paddingOk = sizeIn(w, "padding", l.padding, 0);
            ok &= paddingOk;
            // PyTorch refuses a padding past half the kernel (a window of padding only).
            if (kernelOk && paddingOk && (l.padding.h > l.kernelSize.h / 2 || l.padding.w > l.kernelSize.w / 2)) {
                add(w.loc, "padding", w.path + ".padding",
                    "must be at most half the kernel_size (" + sizeText({l.kernelSize.h / 2, l.kernelSize.w / 2}) + ")");
                ok = false;
            }
            break;
        }
        case LayerType::AdaptiveAvgPool2d:
            ok &= sizeIn(w, "output_size", l.outputSize, 1);
            break;
        case LayerType::BatchNorm2d:
        case LayerType::BatchNorm1d:
            if (!(std::isfinite(l.eps) && l.eps > 0)) {
                add(w.loc, "eps", w.path + ".eps", "must be positive, got " + json(l.eps).dump());
                ok = false;
            }
            ok &= probability(w, "momentum", l.momentum, true);
            break;
        case LayerType::LeakyReLU:
            if (!std::isfinite(l.negativeSlope)) {
                add(w.loc, "negative_slope", w.path + ".negative_slope", "must be a finite number");
                ok = false;
            }
            break;
        case LayerType::Dropout:
        case LayerType::Dropout2d:
            ok &= probability(w, "p", l.p, true);
            break;
        case LayerType::Linear:
            ok &= positive(w, "out_features", l.outFeatures);
            break;
        case LayerType::Residual:
            if (l.body.empty()) {
                add(w.loc, "body", w.path + ".body", "must hold at least one layer");
                ok = false;
            }
            break;
        case LayerType::Unknown:
            if (!broken) // else the JSON level said why
                add(w.loc, "type", w.path + ".type", "unknown layer type (known: " + typeNames() + ")");
            ok = false;
            break;
        case LayerType::ReLU:
        case LayerType::GELU:
        case LayerType::SiLU:
        case LayerType::Flatten:
        case LayerType::Sequential:
            break;
        }
        return ok;
    }

    void checkNames(const std::vector<LayerSpec>& layers, const Where* parent, List kind)
    {
        std::set<std::string> seen;
        for (size_t i = 0; i < layers.size(); ++i) {
            const LayerSpec& l = layers[i];
            if (l.name.empty())
                continue;
            const Where w = childWhere(parent, kind, i, l.name);
            const bool charsOk = std::all_of(l.name.begin(), l.name.end(), [](char c) {
                return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
            });
            const bool digitsOnly = std::all_of(l.name.begin(), l.name.end(), [](char c) {
                return std::isdigit(static_cast<unsigned char>(c));
            });
            if (!charsOk || digitsOnly || l.name.size() > 64) {
                add(w.loc, "name", w.path + ".name",
                    "may hold up to 64 letters, digits, '_' and '-' only and not only digits (it becomes a "
                    "state_dict key; an unnamed layer is keyed by its index), got \"" + l.name + "\"");
            } else if (!seen.insert(l.name).second) {
                add(w.loc, "name", w.path + ".name", "another layer of this list is already called \"" + l.name + "\"");
            }
        }
    }

    Shape list(const std::vector<LayerSpec>& layers, const Where* parent, List kind, Shape x, int depth)
    {
        checkNames(layers, parent, kind);
        for (size_t i = 0; i < layers.size(); ++i)
            x = layer(layers[i], childWhere(parent, kind, i, layers[i].name), x, depth);
        return x;
    }

    void entry(const Where& w, const char* what, std::vector<int64_t> shape)
    {
        state.emplace_back(w.prefix + "." + what, std::move(shape));
    }

    // Output shape of one layer; appends its row (and its children's), its state_dict entries and
    // its problems.
    Shape layer(const LayerSpec& l, const Where& w, const Shape& in, int depth)
    {
        const bool broken = m_broken && m_broken->count(w.path) != 0;
        const bool argsOk = arguments(l, w, broken) && !broken;

        const size_t rowIndex = summary.rows.size();
        summary.rows.push_back({});
        {
            LayerRow& row = summary.rows.back();
            row.prefix = w.prefix;
            row.path = w.path;
            row.layer = w.loc;
            row.depth = depth;
            row.type = l.type;
            row.container = l.type == LayerType::Sequential || l.type == LayerType::Residual;
        }
        int64_t parameters = 0;
        int64_t macs = 0;
        Shape out;

        const auto& d = in.dims;
        const bool image = in.known && d.size() == 3;
        const bool flat = in.known && d.size() == 1;
        const auto needImage = [&]() {
            if (in.known && !image)
                addLayer(w, l.type, "expects an input [C, H, W], got " + formatShape(d) +
                                        (d.size() == 1 ? "; it cannot follow a Flatten or a Linear" : ""));
            return image;
        };
        const auto needFlat = [&]() {
            if (in.known && !flat)
                addLayer(w, l.type, "expects a flat input, got " + formatShape(d) + "; add a Flatten");
            return flat;
        };
        const auto windowed = [&](int64_t channels, const Size2& k, const Size2& s, const Size2& p) {
            const int64_t nh = d[1] + 2 * p.h - k.h, nw = d[2] + 2 * p.w - k.w;
            const std::vector<int64_t> dims{channels, floorDiv(nh, s.h) + 1, floorDiv(nw, s.w) + 1};
            if (dims[1] < 1 || dims[2] < 1) {
                addLayer(w, l.type, "the input " + formatShape(d) + " is too small for kernel_size " + sizeText(k) +
                                        " (the output would be " + formatShape(dims) + ")");
                return Shape{};
            }
            return Shape{true, dims};
        };

        switch (l.type) {
        case LayerType::Conv2d: {
            if (!needImage() || !argsOk)
                break;
            const int64_t c = d[0];
            if (c % l.groups != 0 || l.outChannels % l.groups != 0) {
                addLayer(w, l.type, "groups " + std::to_string(l.groups) + " must divide the input's " +
                                        std::to_string(c) + " channels and out_channels " +
                                        std::to_string(l.outChannels));
                break;
            }
            const int64_t perOutput = satMul(satMul(c / l.groups, l.kernelSize.h), l.kernelSize.w);
            entry(w, "weight", {l.outChannels, c / l.groups, l.kernelSize.h, l.kernelSize.w});
            if (l.bias)
                entry(w, "bias", {l.outChannels});
            parameters = satAdd(satMul(l.outChannels, perOutput), l.bias ? l.outChannels : 0);
            out = windowed(l.outChannels, l.kernelSize, effectiveStride(l), l.padding);
            if (out.known)
                macs = satMul(product(out.dims), perOutput);
            break;
        }
        case LayerType::MaxPool2d:
        case LayerType::AvgPool2d:
            if (needImage() && argsOk)
                out = windowed(d[0], l.kernelSize, effectiveStride(l), l.padding);
            break;
        case LayerType::AdaptiveAvgPool2d:
            if (needImage() && argsOk)
                out = {true, {d[0], l.outputSize.h, l.outputSize.w}};
            break;
        case LayerType::BatchNorm2d:
        case LayerType::BatchNorm1d: {
            const bool fits = l.type == LayerType::BatchNorm2d ? needImage() : needFlat();
            if (!fits || !argsOk)
                break;
            const int64_t c = d[0];
            entry(w, "weight", {c});
            entry(w, "bias", {c});
            entry(w, "running_mean", {c});
            entry(w, "running_var", {c});
            entry(w, "num_batches_tracked", {});
            parameters = 2 * c;
            out = in;
            break;
        }
        case LayerType::Dropout2d:
            if (needImage() && argsOk)
                out = in;
            break;
        case LayerType::ReLU:
        case LayerType::LeakyReLU:
        case LayerType::GELU:
        case LayerType::SiLU:
        case LayerType::Dropout:
            if (argsOk)
                out = in;
            break;
        case LayerType::Flatten:
            if (in.known && argsOk)
                out = {true, {product(d)}};
            break;
        case LayerType::Linear: {
            const bool fits = needFlat();
            if (!argsOk)
                break;
            // The output is known whatever came in, so the layers after it are still checked.
            out = {true, {l.outFeatures}};
            if (!fits)
                break;
            entry(w, "weight", {l.outFeatures, d[0]});
            if (l.bias)
                entry(w, "bias", {l.outFeatures});
            parameters = satAdd(satMul(l.outFeatures, d[0]), l.bias ? l.outFeatures : 0);
            macs = satMul(l.outFeatures, d[0]);
            break;
        }
        case LayerType::Sequential: {
            const Shape o = list(l.layers, &w, List::Layers, in, depth + 1);
            if (argsOk)
                out = o;
            break;
        }
        case LayerType::Residual: {
            const Shape body = list(l.body, &w, List::Body, in, depth + 1);
            const Shape shortcut = l.shortcut.empty() ? in : list(l.shortcut, &w, List::Shortcut, in, depth + 1);
            if (!argsOk || !body.known || !shortcut.known)
                break;
            if (body.dims != shortcut.dims) {
                if (l.shortcut.empty())
                    addLayer(w, l.type, "body gives " + formatShape(body.dims) + " but the input is " +
                                            formatShape(in.dims) + "; add a shortcut");
                else
                    addLayer(w, l.type, "body gives " + formatShape(body.dims) + " but the shortcut gives " +
                                            formatShape(shortcut.dims));
                break;
            }
            out = body;
            break;
        }
        case LayerType::Unknown:
            break;
        }
        if (out.known && product(out.dims) > kMaxValuesPerImage) {
            addLayer(w, l.type, "the output " + formatShape(out.dims) + " has more than " +
                                    withThousands(kMaxValuesPerImage) + " values per image");
            out = {};
        }

        LayerRow& row = summary.rows[rowIndex];
        if (row.container) {
            // Sums of the layers directly inside (they hold their own sums).
            for (size_t r = rowIndex + 1; r < summary.rows.size(); ++r) {
                if (summary.rows[r].depth == depth + 1) {
                    parameters = satAdd(parameters, summary.rows[r].parameters);
                    macs = satAdd(macs, summary.rows[r].multiplyAdds);
                }
            }
        } else {
            summary.parameters = satAdd(summary.parameters, parameters);
            summary.multiplyAdds = satAdd(summary.multiplyAdds, macs);
        }
        row.parameters = parameters;
        row.multiplyAdds = macs;
        row.shapeKnown = out.known;
        row.outputShape = out.dims;
        return out;
    }
};

// toJson() of one layer with its keys in the format's order.
nlohmann::ordered_json layerOrdered(const LayerSpec& l);

nlohmann::ordered_json listOrdered(const std::vector<LayerSpec>& layers)
{
    nlohmann::ordered_json a = nlohmann::ordered_json::array();
    for (const auto& l : layers)
        a.push_back(layerOrdered(l));
    return a;
}

nlohmann::ordered_json layerOrdered(const LayerSpec& l)
{
    nlohmann::ordered_json j;
    if (!l.name.empty())
        j["name"] = l.name;
    j["type"] = layerTypeName(l.type);
    const auto size = [](const Size2& s) {
        return s.h == s.w ? nlohmann::ordered_json(s.h) : nlohmann::ordered_json::array({s.h, s.w});
    };
    switch (l.type) {
    case LayerType::Conv2d:
        j["out_channels"] = l.outChannels;
        j["kernel_size"] = size(l.kernelSize);
        j["stride"] = size(effectiveStride(l));
        j["padding"] = size(l.padding);
        j["groups"] = l.groups;
        j["bias"] = l.bias;
        break;
    case LayerType::BatchNorm2d:
    case LayerType::BatchNorm1d:
        j["eps"] = l.eps;
        j["momentum"] = l.momentum;
        break;
    case LayerType::LeakyReLU:
        j["negative_slope"] = l.negativeSlope;
        break;
    case LayerType::MaxPool2d:
    case LayerType::AvgPool2d:
        j["kernel_size"] = size(l.kernelSize);
        j["stride"] = size(effectiveStride(l));
        j["padding"] = size(l.padding);
        break;
    case LayerType::AdaptiveAvgPool2d:
        j["output_size"] = size(l.outputSize);
        break;
    case LayerType::Dropout:
    case LayerType::Dropout2d:
        j["p"] = l.p;
        break;
    case LayerType::Linear:
        j["out_features"] = l.outFeatures;
        j["bias"] = l.bias;
        break;
    case LayerType::Sequential:
        j["layers"] = listOrdered(l.layers);
        break;
    case LayerType::Residual:
        j["body"] = listOrdered(l.body);
        if (!l.shortcut.empty())
            j["shortcut"] = listOrdered(l.shortcut);
        break;
    case LayerType::ReLU:
    case LayerType::GELU:
    case LayerType::SiLU:
    case LayerType::Flatten:
    case LayerType::Unknown:
        break;
    }
    return j;
}

nlohmann::ordered_json networkOrdered(const NetworkSpec& spec)
{
    nlohmann::ordered_json j;
    j["name"] = spec.name;
    j["description"] = spec.description;
    j["input"] = spec.input;
    j["classes"] = spec.classes;
    j["layers"] = listOrdered(spec.layers);
    return j;
}

// A scalar or a list of scalars, with ", " and ": " as people write them.
std::string inlineText(const nlohmann::ordered_json& v)
{
    if (v.is_array()) {
        std::string s = "[";
        for (size_t i = 0; i < v.size(); ++i)
            s += (i ? ", " : "") + inlineText(v[i]);
        return s + "]";
    }
    if (v.is_object()) {
        std::string s = "{";
        bool first = true;
        for (const auto& [k, x] : v.items()) {
            s += (first ? "" : ", ") + nlohmann::ordered_json(k).dump() + ": " + inlineText(x);
            first = false;
        }
        return s + "}";
    }
    return v.dump();
}

void formatList(std::string& out, const nlohmann::ordered_json& layers, const std::string& indent);

void formatLayer(std::string& out, const nlohmann::ordered_json& l, const std::string& indent)
{
    out += indent + "{";
    bool first = true;
    for (const auto& [k, v] : l.items()) {
        out += (first ? "" : ", ") + nlohmann::ordered_json(k).dump() + ": ";
        first = false;
        if ((k == "layers" || k == "body" || k == "shortcut") && v.is_array() && !v.empty())
            formatList(out, v, indent);
        else
            out += inlineText(v);
    }
    out += "}";
}

void formatList(std::string& out, const nlohmann::ordered_json& layers, const std::string& indent)
{
    out += "[\n";
    for (size_t i = 0; i < layers.size(); ++i) {
        formatLayer(out, layers[i], indent + "  ");
        out += i + 1 < layers.size() ? ",\n" : "\n";
    }
    out += indent + "]";
}

bool sameLayers(const std::vector<LayerSpec>& a, const std::vector<LayerSpec>& b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

std::string problemList(const std::string& context, const std::vector<SpecProblem>& problems)
{
    std::string s = context + ": " +
                    (problems.size() == 1 ? std::string("1 problem") : std::to_string(problems.size()) + " problems") +
                    " in the network spec:";
    for (const auto& p : problems)
        s += "\n  " + p.text();
    return s;
}

NetworkSpec parseWith(const json& j, std::vector<SpecProblem>& problems)
{
    const size_t start = problems.size();
    Parser parser(problems);
    NetworkSpec spec = parser.network(j);
    if (parser.notAnObject)
        return spec;
    // A path the JSON level already reported gets nothing more (a missing kernel_size is not
    // also "must be positive").
    std::set<std::string> reported;
    for (size_t i = start; i < problems.size(); ++i)
        reported.insert(problems[i].path);
    std::vector<SpecProblem> more;
    Analyzer analyzer(&more, &parser.brokenLayers);
    analyzer.network(spec, parser.inputBroken, parser.classesBroken);
    for (auto& p : more)
        if (!reported.count(p.path))
            problems.push_back(std::move(p));
    return spec;
}

} // namespace

const std::vector<LayerType>& layerTypes()
{
    static const std::vector<LayerType> types = [] {
        std::vector<LayerType> v;
        for (const auto& t : typeTable())
            v.push_back(t.type);
        return v;
    }();
    return types;
}

std::string layerTypeName(LayerType type)
{
    const TypeInfo* t = typeInfo(type);
    return t ? t->name : "Unknown";
}

bool layerTypeFromName(std::string_view name, LayerType& type)
{
    for (const auto& t : typeTable()) {
        if (name == t.name) {
            type = t.type;
            return true;
        }
    }
    return false;
}

const std::vector<std::string>& layerKeys(LayerType type)
{
    static const std::vector<std::vector<std::string>> keys = [] {
        std::vector<std::vector<std::string>> v;
        for (const auto& t : typeTable()) {
            std::vector<std::string> k{"name", "type"};
            k.insert(k.end(), t.keys.begin(), t.keys.end());
            v.push_back(k);
        }
        v.push_back({"name", "type"}); // Unknown
        return v;
    }();
    const auto& table = typeTable();
    for (size_t i = 0; i < table.size(); ++i)
        if (table[i].type == type)
            return keys[i];
    return keys.back();
}

bool layerKeyRequired(LayerType type, const std::string& key)
{
    switch (type) {
    case LayerType::Conv2d:
        return key == "out_channels" || key == "kernel_size";
    case LayerType::MaxPool2d:
    case LayerType::AvgPool2d:
        return key == "kernel_size";
    case LayerType::Linear:
        return key == "out_features";
    case LayerType::Sequential:
        return key == "layers";
    case LayerType::Residual:
        return key == "body";
    default:
        return false;
    }
}

bool isContainer(LayerType type)
{
    return type == LayerType::Sequential || type == LayerType::Residual;
}

namespace {

bool isPool(LayerType type)
{
    return type == LayerType::MaxPool2d || type == LayerType::AvgPool2d;
}

// A one-layer spec's canonical JSON holds every argument of the type at its default.
json defaultLayerJson(LayerType type)
{
    NetworkSpec probe;
    probe.layers.emplace_back().type = type;
    return toJson(probe)["layers"][0];
}

} // namespace

std::string layerArgumentDefaultText(LayerType type, const std::string& key)
{
    if (type == LayerType::Unknown || layerKeyRequired(type, key) || key == "name" || key == "type")
        return {};
    if (isPool(type) && key == "stride")
        return "kernel_size";
    const json j = defaultLayerJson(type);
    auto it = j.find(key);
    if (it == j.end() || it->is_array() || it->is_object())
        return {};
    return it->dump();
}

bool layerArgumentIsDefault(LayerType type, const json& layer, const std::string& key)
{
    if (type == LayerType::Unknown || !layer.is_object() || layerKeyRequired(type, key))
        return false;
    auto v = layer.find(key);
    if (v == layer.end())
        return true;
    if (isPool(type) && key == "stride") {
        auto k = layer.find("kernel_size");
        return k != layer.end() && *k == *v;
    }
    const json j = defaultLayerJson(type);
    auto d = j.find(key);
    return d != j.end() && *d == *v;
}

Size2 effectiveStride(const LayerSpec& l)
{
    if (l.stride)
        return *l.stride;
    if (l.type == LayerType::MaxPool2d || l.type == LayerType::AvgPool2d)
        return l.kernelSize;
    return {1, 1};
}

bool LayerSpec::operator==(const LayerSpec& o) const
{
    if (type != o.type || name != o.name)
        return false;
    const auto& t = type;
    return (!has(t, "out_channels") || outChannels == o.outChannels) &&
           (!has(t, "kernel_size") || kernelSize == o.kernelSize) &&
           (!has(t, "stride") || effectiveStride(*this) == effectiveStride(o)) &&
           (!has(t, "padding") || padding == o.padding) && (!has(t, "groups") || groups == o.groups) &&
           (!has(t, "bias") || bias == o.bias) && (!has(t, "eps") || eps == o.eps) &&
           (!has(t, "momentum") || momentum == o.momentum) &&
           (!has(t, "negative_slope") || negativeSlope == o.negativeSlope) &&
           (!has(t, "output_size") || outputSize == o.outputSize) && (!has(t, "p") || p == o.p) &&
           (!has(t, "out_features") || outFeatures == o.outFeatures) &&
           (!has(t, "layers") || sameLayers(layers, o.layers)) && (!has(t, "body") || sameLayers(body, o.body)) &&
           (!has(t, "shortcut") || sameLayers(shortcut, o.shortcut));
}

bool NetworkSpec::operator==(const NetworkSpec& o) const
{
    return name == o.name && description == o.description && input == o.input && classes == o.classes &&
           sameLayers(layers, o.layers);
}

const LayerSpec* findLayer(const NetworkSpec& spec, const LayerLocation& where)
{
    const std::vector<LayerSpec>* list = &spec.layers;
    const LayerSpec* found = nullptr;
    for (const LayerStep& step : where) {
        if (found) {
            list = step.list == List::Layers ? &found->layers : step.list == List::Body ? &found->body : &found->shortcut;
        } else if (step.list != List::Layers) {
            return nullptr;
        }
        if (step.index >= list->size())
            return nullptr;
        found = &(*list)[step.index];
    }
    return found;
}

std::string SpecProblem::text() const
{
    return path.empty() ? message : path + ": " + message;
}

NetworkSpecError::NetworkSpecError(const std::string& context, std::vector<SpecProblem> problems)
    : ConfigError(problemList(context, problems)), m_problems(std::move(problems))
{
}

NetworkSpec parseNetworkSpec(const nlohmann::json& j, std::vector<SpecProblem>& problems)
{
    try {
        return parseWith(j, problems);
    } catch (const std::exception& e) {
        // Nothing above should throw; if it does, the caller still gets a problem, not a crash.
        problems.push_back({"", std::string("cannot read the network spec: ") + e.what(), {}, ""});
        return {};
    }
}

NetworkSpec parseNetworkSpecText(std::string_view text, std::vector<SpecProblem>& problems)
{
    json j;
    try {
        j = json::parse(text.begin(), text.end());
    } catch (const json::parse_error& e) {
        // e.byte is 1-based; count lines up to it for a position people can find.
        const size_t end = std::min<size_t>(e.byte == 0 ? 0 : e.byte - 1, text.size());
        size_t line = 1, column = 1;
        for (size_t i = 0; i < end; ++i) {
            if (text[i] == '\n') {
                ++line;
                column = 1;
            } else {
                ++column;
            }
        }
        // nlohmann says "[json.exception.parse_error.101] parse error at line 2, column 14: why".
        std::string why = e.what();
        if (auto at = why.find("parse error"); at != std::string::npos) {
            if (auto colon = why.find(": ", at); colon != std::string::npos)
                why = why.substr(colon + 2);
        }
        problems.push_back({"", "not valid JSON at line " + std::to_string(line) + ", column " + std::to_string(column) +
                                    ": " + why,
                            {}, ""});
        return {};
    } catch (const std::exception& e) {
        problems.push_back({"", std::string("not valid JSON: ") + e.what(), {}, ""});
        return {};
    }
    return parseNetworkSpec(j, problems);
}

NetworkSpec networkSpecFromText(std::string_view text, const std::string& source)
{
    std::vector<SpecProblem> problems;
    NetworkSpec spec = parseNetworkSpecText(text, problems);
    if (!problems.empty())
        throw NetworkSpecError(source, std::move(problems));
    return spec;
}

NetworkSpec readNetworkSpecFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw IoError("network spec " + path + " cannot be opened");
    std::stringstream buf;
    buf << in.rdbuf();
    if (in.bad())
        throw IoError("network spec " + path + " cannot be read");
    return networkSpecFromText(buf.str(), path);
}

std::vector<SpecProblem> validateNetworkSpec(const NetworkSpec& spec)
{
    std::vector<SpecProblem> problems;
    Analyzer analyzer(&problems, nullptr);
    analyzer.network(spec, false, false);
    return problems;
}

nlohmann::json toJson(const NetworkSpec& spec)
{
    return json::parse(networkOrdered(spec).dump());
}

std::string formatNetworkSpec(const NetworkSpec& spec)
{
    const nlohmann::ordered_json j = networkOrdered(spec);
    std::string out = "{\n";
    bool first = true;
    for (const auto& [k, v] : j.items()) {
        out += (first ? "" : ",\n") + std::string("  ") + nlohmann::ordered_json(k).dump() + ": ";
        first = false;
        if (k == "layers" && !v.empty())
            formatList(out, v, "  ");
        else
            out += inlineText(v);
    }
    return out + "\n}\n";
}

NetworkSummary analyzeNetwork(const NetworkSpec& spec, std::vector<SpecProblem>* problems)
{
    Analyzer analyzer(problems, nullptr);
    analyzer.network(spec, false, false);
    return std::move(analyzer.summary);
}

NetworkSummary describeNetwork(const NetworkSpec& spec)
{
    std::vector<SpecProblem> problems;
    NetworkSummary summary = analyzeNetwork(spec, &problems);
    if (!problems.empty())
        throw NetworkSpecError("network " + spec.name, std::move(problems));
    return summary;
}

StateDictShapes expectedStateDict(const NetworkSpec& spec)
{
    std::vector<SpecProblem> problems;
    Analyzer analyzer(&problems, nullptr);
    analyzer.network(spec, false, false);
    if (!problems.empty())
        throw NetworkSpecError("network " + spec.name, std::move(problems));
    return std::move(analyzer.state);
}

const std::vector<NetworkSpec>& builtinNetworkSpecs()
{
    static const std::vector<NetworkSpec> specs = [] {
        static const std::vector<std::string> order = {"LeNet",      "LeNetBN",    "LeNetDrop", "LeNetDropBN",
                                                       "LeNetDL-k5", "LeNetDL-k3", "LeNetDeep", "SimpleNet",
                                                       "DeepNoPool3", "ResNetSmall"};
        std::vector<NetworkSpec> v;
        for (const auto& r : embeddedResources("architectures")) {
            const std::string path = "resources/" + std::string(r.path);
            if (path.size() < 5 || path.substr(path.size() - 5) != ".json")
                continue;
            NetworkSpec spec = networkSpecFromText(r.data, path);
            const std::string stem = std::string(r.path.substr(14, r.path.size() - 14 - 5)); // "architectures/"
            if (spec.name != stem)
                throw NetworkSpecError(path, {{"name", "is \"" + spec.name + "\" but the file is " + stem + ".json", {}, "name"}});
            v.push_back(std::move(spec));
        }
        const auto rank = [&](const NetworkSpec& s) {
            return static_cast<size_t>(std::find(order.begin(), order.end(), s.name) - order.begin());
        };
        std::stable_sort(v.begin(), v.end(), [&](const NetworkSpec& a, const NetworkSpec& b) {
            return rank(a) != rank(b) ? rank(a) < rank(b) : a.name < b.name;
        });
        return v;
    }();
    return specs;
}

const NetworkSpec* findBuiltinNetworkSpec(std::string_view name)
{
    for (const auto& s : builtinNetworkSpecs())
        if (s.name == name)
            return &s;
    return nullptr;
}

std::string formatShape(const std::vector<int64_t>& shape)
{
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i)
        s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

} // namespace mnist
