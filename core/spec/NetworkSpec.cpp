#include "spec/NetworkSpec.h"

#include "JsonInteger.h"
#include "spec/LayerArguments.h"
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
    for (const auto& t : layerTypeTable())
        names.push_back(t.name);
    return joined(names);
}

const std::vector<std::string>& topLevelKeys()
{
    static const std::vector<std::string> keys = {"name", "description", "input", "classes", "layers"};
    return keys;
}

// Where a layer is: its problem path, state_dict prefix and location (the rule is in the header).
struct Where {
    std::string key; // its name, else its index
    std::string path;
    std::string prefix;
    LayerLocation loc;
    bool named = false;
};

Where childWhere(const Where* parent, List list, size_t i, const std::string& name)
{
    Where w;
    w.named = !name.empty();
    w.key = w.named ? name : std::to_string(i);
    const std::string& key = w.key;
    const std::string position = std::string(layerListKey(list)) + "[" + std::to_string(i) + "]";
    if (!parent) {
        w.path = w.named ? name : position;
        w.prefix = key;
    } else if (list == List::Layers) {
        w.path = parent->path + "." + (w.named ? name : position);
        w.prefix = parent->prefix + "." + key;
    } else {
        w.path = parent->path + "." + (w.named ? std::string(layerListKey(list)) + "." + name : position);
        w.prefix = parent->prefix + "." + layerListKey(list) + "." + key;
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
            add(ownerLoc, layerListKey(kind), path, "must be a list of layers, got " + describe(v));
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
        for (const LayerArgument& a : layerArguments(l.type)) {
            const json* v = a.required ? field(j, a.key.c_str(), loc, w.path, "missing (" + typeName + " needs it)")
                                       : find(j, a.key.c_str());
            if (v)
                argument(*v, a, w, l);
        }
    }

    // Reads one argument of the table into `l`; a problem at its path when the JSON does not fit.
    void argument(const json& v, const LayerArgument& a, const Where& w, LayerSpec& l)
    {
        const std::string path = w.path + "." + a.key;
        switch (a.kind) {
        case ArgumentKind::Integer:
            readInt(v, path, w.loc, a.key, l.*a.integer);
            break;
        case ArgumentKind::Size:
            readSize(v, path, w.loc, a.key, l.*a.size);
            break;
        case ArgumentKind::OptionalSize: {
            Size2 s;
            if (readSize(v, path, w.loc, a.key, s))
                l.*a.optionalSize = s;
            break;
        }
        case ArgumentKind::Flag:
            readBool(v, path, w.loc, a.key, l.*a.flag);
            break;
        case ArgumentKind::Real:
            readNumber(v, path, w.loc, a.key, l.*a.real);
            break;
        case ArgumentKind::Layers:
            l.*a.layers = list(v, path, &w, a.list, w.loc);
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
        const Shape out = list(spec.layers, nullptr, List::Layers, in, 0, summary.tree);
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
        flatten(summary.tree, summary.rows);
        if (summary.parameters > kMaxParameters)
            add({}, "layers", "layers",
                "the network has " + withThousands(summary.parameters) + " parameters, more than the " +
                    withThousands(kMaxParameters) + " this program builds");
    }

private:
    std::vector<SpecProblem>* m_problems;
    const std::set<std::string>* m_broken;

    static void flatten(const std::vector<LayerNode>& nodes, std::vector<LayerRow>& rows)
    {
        for (const LayerNode& n : nodes) {
            rows.push_back(n);
            flatten(n.children, rows);
        }
    }

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

    static std::string boundText(int64_t v, int64_t lo)
    {
        return v < lo ? (lo == 1 ? std::string("must be positive") : "must be at least " + std::to_string(lo))
                      : "must be at most " + std::to_string(kMaxArgument);
    }

    // Both halves of a size; one problem for the pair when they are equal (the file likely says
    // an integer), else one per half.
    bool sizeIn(const Where& w, const std::string& key, const Size2& s, int64_t lo)
    {
        const auto bad = [&](int64_t v) { return v < lo || v > kMaxArgument; };
        if (s.h == s.w) {
            if (!bad(s.h))
                return true;
            add(w.loc, key, w.path + "." + key, boundText(s.h, lo));
            return false;
        }
        bool ok = true;
        if (bad(s.h)) {
            add(w.loc, key, w.path + "." + key + "[0]", boundText(s.h, lo));
            ok = false;
        }
        if (bad(s.w)) {
            add(w.loc, key, w.path + "." + key + "[1]", boundText(s.w, lo));
            ok = false;
        }
        return ok;
    }

    bool realIn(const Where& w, const std::string& key, double v, RealRange range)
    {
        const bool finite = std::isfinite(v);
        std::string message;
        switch (range) {
        case RealRange::Finite:
            if (!finite)
                message = "must be a finite number";
            break;
        case RealRange::Positive:
            if (!(finite && v > 0))
                message = "must be positive, got " + json(v).dump();
            break;
        case RealRange::UnitInterval:
            if (!(finite && v >= 0 && v <= 1))
                message = "must be from 0 to 1, got " + json(v).dump();
            break;
        }
        if (message.empty())
            return true;
        add(w.loc, key, w.path + "." + key, message);
        return false;
    }

    // One argument of the table within its range.
    bool argumentIn(const LayerArgument& a, const LayerSpec& l, const Where& w)
    {
        switch (a.kind) {
        case ArgumentKind::Integer: {
            const int64_t v = l.*a.integer;
            if (v >= a.minimum && v <= kMaxArgument)
                return true;
            add(w.loc, a.key, w.path + "." + a.key, boundText(v, a.minimum));
            return false;
        }
        case ArgumentKind::Size: return sizeIn(w, a.key, l.*a.size, a.minimum);
        case ArgumentKind::OptionalSize: return !(l.*a.optionalSize) || sizeIn(w, a.key, *(l.*a.optionalSize), a.minimum);
        case ArgumentKind::Flag: return true;
        case ArgumentKind::Real: return realIn(w, a.key, l.*a.real, a.realRange);
        case ArgumentKind::Layers:
            if (static_cast<int64_t>((l.*a.layers).size()) >= a.minimum)
                return true;
            add(w.loc, a.key, w.path + "." + a.key,
                a.minimum == 1 ? std::string("must hold at least one layer")
                               : "must hold at least " + std::to_string(a.minimum) + " layers");
            return false;
        }
        return true;
    }

    // The arguments of `l` alone; false when the layer cannot be sized.
    bool arguments(const LayerSpec& l, const Where& w, bool broken)
    {
        if (l.type == LayerType::Unknown) {
            if (!broken) // else the JSON level said why
                add(w.loc, "type", w.path + ".type", "unknown layer type (known: " + typeNames() + ")");
            return false;
        }
        bool ok = true, kernelOk = true, paddingOk = true;
        for (const LayerArgument& a : layerArguments(l.type)) {
            const bool fits = argumentIn(a, l, w);
            ok &= fits;
            if (a.size == &LayerSpec::kernelSize)
                kernelOk = fits;
            else if (a.size == &LayerSpec::padding)
                paddingOk = fits;
        }
        // PyTorch refuses a pool's padding past half its window (a window of padding only).
        const bool pool = l.type == LayerType::MaxPool2d || l.type == LayerType::AvgPool2d;
        if (pool && kernelOk && paddingOk && (l.padding.h > l.kernelSize.h / 2 || l.padding.w > l.kernelSize.w / 2)) {
            add(w.loc, "padding", w.path + ".padding",
                "must be at most half the kernel_size (" + sizeText({l.kernelSize.h / 2, l.kernelSize.w / 2}) + ")");
            ok = false;
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

    // Appends the nodes of a list whose input is `x` to `into`; returns the list's output.
    Shape list(const std::vector<LayerSpec>& layers, const Where* parent, List kind, Shape x, int depth,
               std::vector<LayerNode>& into)
    {
        checkNames(layers, parent, kind);
        for (size_t i = 0; i < layers.size(); ++i) {
            into.push_back(layer(layers[i], childWhere(parent, kind, i, layers[i].name), x, depth));
            const LayerNode& node = into.back();
            x = {node.shapeKnown, node.outputShape};
        }
        return x;
    }

    // One layer's node (its layers' nodes inside), with its problems on the way.
    LayerNode layer(const LayerSpec& l, const Where& w, const Shape& in, int depth)
    {
        const bool broken = m_broken && m_broken->count(w.path) != 0;
        const bool argsOk = arguments(l, w, broken) && !broken;

        LayerNode node;
        node.prefix = w.prefix;
        node.path = w.path;
        node.layer = w.loc;
        node.depth = depth;
        node.type = l.type;
        node.container = isContainer(l.type);
        node.key = w.key;
        node.spec = &l;
        node.inputKnown = in.known;
        node.inputShape = in.dims;
        const auto entry = [&](const char* what, std::vector<int64_t> shape) {
            node.tensors.emplace_back(w.prefix + "." + what, std::move(shape));
        };
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
            entry("weight", {l.outChannels, c / l.groups, l.kernelSize.h, l.kernelSize.w});
            if (l.bias)
                entry("bias", {l.outChannels});
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
            entry("weight", {c});
            entry("bias", {c});
            entry("running_mean", {c});
            entry("running_var", {c});
            entry("num_batches_tracked", {});
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
            entry("weight", {l.outFeatures, d[0]});
            if (l.bias)
                entry("bias", {l.outFeatures});
            parameters = satAdd(satMul(l.outFeatures, d[0]), l.bias ? l.outFeatures : 0);
            macs = satMul(l.outFeatures, d[0]);
            break;
        }
        case LayerType::Sequential: {
            const Shape o = list(l.layers, &w, List::Layers, in, depth + 1, node.children);
            if (argsOk)
                out = o;
            break;
        }
        case LayerType::Residual: {
            const Shape body = list(l.body, &w, List::Body, in, depth + 1, node.children);
            const Shape shortcut =
                l.shortcut.empty() ? in : list(l.shortcut, &w, List::Shortcut, in, depth + 1, node.children);
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

        if (node.container) {
            // Sums of the layers directly inside (they hold their own sums).
            for (const LayerNode& child : node.children) {
                parameters = satAdd(parameters, child.parameters);
                macs = satAdd(macs, child.multiplyAdds);
            }
        } else {
            summary.parameters = satAdd(summary.parameters, parameters);
            summary.multiplyAdds = satAdd(summary.multiplyAdds, macs);
        }
        node.parameters = parameters;
        node.multiplyAdds = macs;
        node.shapeKnown = out.known;
        node.outputShape = out.dims;
        return node;
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
    for (const LayerArgument& a : layerArguments(l.type)) {
        if (a.kind != ArgumentKind::Layers)
            j[a.key] = argumentJson(a, l);
        else if (a.required || !(l.*a.layers).empty()) // an optional list is written when it holds layers
            j[a.key] = listOrdered(l.*a.layers);
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

bool LayerSpec::operator==(const LayerSpec& o) const
{
    if (type != o.type || name != o.name)
        return false;
    for (const LayerArgument& a : layerArguments(type))
        if (!sameArgument(a, *this, o))
            return false;
    return true;
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

namespace {

void appendTensors(const std::vector<LayerNode>& nodes, StateDictShapes& out)
{
    for (const LayerNode& n : nodes) {
        out.insert(out.end(), n.tensors.begin(), n.tensors.end());
        appendTensors(n.children, out);
    }
}

} // namespace

StateDictShapes expectedStateDict(const NetworkSpec& spec)
{
    StateDictShapes out;
    appendTensors(describeNetwork(spec).tree, out);
    return out;
}

std::vector<const LayerNode*> nodesIn(const std::vector<LayerNode>& nodes, LayerStep::List list)
{
    std::vector<const LayerNode*> out;
    for (const LayerNode& n : nodes)
        if (!n.layer.empty() && n.layer.back().list == list)
            out.push_back(&n);
    return out;
}

std::vector<const LayerNode*> LayerNode::childrenIn(LayerStep::List list) const
{
    return nodesIn(children, list);
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
