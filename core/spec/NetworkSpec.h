#pragma once
// Networks as data: the JSON layer spec of issue 18, parsed, validated and measured without
// LibTorch, so the window's layer editor, the CLI's --describe-arch and the fuzzers can use it
// without building a network. SpecNetwork.h builds the LibTorch modules from a valid spec.
//
// The format (users and other tools write it; keep it exactly):
//   {"name": "MyNet", "description": "one line", "input": [1, 28, 28], "classes": 10,
//    "layers": [{"name": "block1", "type": "Sequential", "layers": [...]},
//               {"name": "res", "type": "Residual", "body": [...], "shortcut": []},
//               {"type": "Flatten"}, {"name": "fc", "type": "Linear", "out_features": 10}]}
// The network is PyTorch's nn.Sequential(OrderedDict(...)) of its layers: a layer's key is its
// "name", else its index in its list; Sequential nests the same way; Residual is
// body(x) + shortcut(x), or body(x) + x when the shortcut is empty or absent, with children
// "body" and "shortcut". Arguments carry PyTorch's names and defaults; sizes are an integer or a
// pair [h, w]; in_channels, in_features and num_features come from the shape flowing in.
//
// Problem paths (SpecProblem::path), one rule everywhere: a layer is written as its state_dict
// prefix ("block1.conv", "res.body.conv", "fc"), except that a layer without a name is written
// by its position in the file instead of its bare index: "layers[3]" at the top or in a
// Sequential ("block1.layers[0]"), "body[i]" / "shortcut[i]" in a Residual ("res.body[0]").
// An argument follows with a dot ("layers[3].kernel_size", "res.body[0].stride[1]"). A
// problem of a whole unnamed layer adds its type, so that it can be found without counting:
// "layers[5] (Linear): expects a flat input, got [32, 7, 7]; add a Flatten"; a named one does
// not ("res: body gives [64, 14, 14] but the input is [32, 14, 14]; add a shortcut").
// Top-level fields are their key ("classes", "input[2]"); the network as a whole is "layers".
#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "Error.h"

namespace mnist {

enum class LayerType {
    Conv2d,
    BatchNorm2d,
    BatchNorm1d,
    ReLU,
    LeakyReLU,
    GELU,
    SiLU,
    MaxPool2d,
    AvgPool2d,
    AdaptiveAvgPool2d,
    Dropout,
    Dropout2d,
    Flatten,
    Linear,
    Sequential,
    Residual,
    // Only in a spec whose JSON named a type that does not exist: parsing keeps the layer so that
    // the paths of the layers after it stay those of the file; validation stops shapes there.
    Unknown,
};

// "Conv2d", ... as the spec writes them; every type but Unknown, in the order above.
const std::vector<LayerType>& layerTypes();
std::string layerTypeName(LayerType type);
// False for a name that is no layer type.
bool layerTypeFromName(std::string_view name, LayerType& type);

// A kernel, stride, padding or output size: the spec writes an integer when h == w.
struct Size2 {
    int64_t h = 0;
    int64_t w = 0;
    bool operator==(const Size2& o) const { return h == o.h && w == o.w; }
    bool operator!=(const Size2& o) const { return !(*this == o); }
};

// One layer. A flat struct rather than a class per type, so that an editor can switch a layer's
// type and keep what it typed; only the fields of `type` mean anything (layerKeys() lists them),
// the others keep their defaults and are not written by toJson(). The defaults are PyTorch's.
struct LayerSpec {
    LayerType type = LayerType::ReLU;
    std::string name; // empty: the layer's key is its index in its list

    int64_t outChannels = 0;    // Conv2d (required)
    Size2 kernelSize{0, 0};     // Conv2d, MaxPool2d, AvgPool2d (required)
    std::optional<Size2> stride; // Conv2d, pools; absent: 1 for Conv2d, kernel_size for pools
    Size2 padding{0, 0};        // Conv2d, MaxPool2d, AvgPool2d
    int64_t groups = 1;         // Conv2d
    bool bias = true;           // Conv2d, Linear
    double eps = 1e-5;          // BatchNorm2d, BatchNorm1d
    double momentum = 0.1;      // BatchNorm2d, BatchNorm1d
    double negativeSlope = 0.01; // LeakyReLU
    Size2 outputSize{1, 1};     // AdaptiveAvgPool2d
    double p = 0.5;             // Dropout, Dropout2d
    int64_t outFeatures = 0;    // Linear (required)

    std::vector<LayerSpec> layers;   // Sequential
    std::vector<LayerSpec> body;     // Residual (at least one layer)
    std::vector<LayerSpec> shortcut; // Residual; empty: the identity

    // Compares what toJson() writes: the fields of `type` (stride as effectiveStride()).
    bool operator==(const LayerSpec& o) const;
    bool operator!=(const LayerSpec& o) const { return !(*this == o); }
};

// The stride a layer runs with: `stride`, else PyTorch's default for its type.
Size2 effectiveStride(const LayerSpec& layer);

struct NetworkSpec {
    std::string name;        // e.g. "LeNet"; the CLI, configs and run folders use it
    std::string description; // one line for menus and --list-archs; may be empty
    std::vector<int64_t> input{1, 28, 28}; // [C, H, W] of one image
    int64_t classes = 10;    // the network must end in [classes]
    std::vector<LayerSpec> layers;

    bool operator==(const NetworkSpec& o) const;
    bool operator!=(const NetworkSpec& o) const { return !(*this == o); }
};

// Questions about types and keys, answered from the argument table (LayerArguments.h).

// The JSON keys a layer of `type` accepts ("name" and "type" included), in the order toJson()
// writes them: for "unknown key" messages and an editor's argument fields.
const std::vector<std::string>& layerKeys(LayerType type);
// Whether a layer of `type` must spell `key` out (out_channels, a window's size, out_features, a
// block's list); the others have PyTorch's defaults.
bool layerKeyRequired(LayerType type, const std::string& key);

// Sequential and Residual: layers that hold layers.
bool isContainer(LayerType type);

// What a layer of `type` uses for `key` when the spec leaves it out, as text for an editor's hint
// ("3", "true", or the other key it follows, as a pool's stride does its window's size); empty
// when the key is required or has none.
std::string layerArgumentDefaultText(LayerType type, const std::string& key);

// Whether `layer` (a layer's JSON) holds PyTorch's default for `key`, so that a summary can leave
// it out as PyTorch's repr does (a pool's stride equal to its kernel_size included).
bool layerArgumentIsDefault(LayerType type, const nlohmann::json& layer, const std::string& key);

// Where a layer sits in the spec, from the top down: in which list of its parent ("layers" of the
// network or of a Sequential, "body" or "shortcut" of a Residual) and at which index. Lets an
// editor put a problem or a row at its layer without parsing paths.
struct LayerStep {
    enum class List { Layers, Body, Shortcut };
    List list = List::Layers;
    size_t index = 0;
    bool operator==(const LayerStep& o) const { return list == o.list && index == o.index; }
};
using LayerLocation = std::vector<LayerStep>;

// The key of a layer list in a layer's JSON: "layers" (network or Sequential), "body", "shortcut".
const char* layerListKey(LayerStep::List list);

// The layer at `where`, or nullptr when there is none.
const LayerSpec* findLayer(const NetworkSpec& spec, const LayerLocation& where);

struct SpecProblem {
    std::string path;      // see the rule at the top of this file; "" for the file as a whole
    std::string message;   // for a person, says what to do where there is something to do
    LayerLocation layer;   // the layer it concerns; empty for top-level fields and the file
    std::string key;       // the argument it concerns ("padding"), "" for the layer itself

    // "path: message", or the message alone.
    std::string text() const;
};

// A spec with problems, thrown where a valid spec is needed. what() lists every problem, one a
// line; problems() gives them for the editor. A ConfigError, so that callers that only show
// messages need nothing new.
class NetworkSpecError : public ConfigError {
public:
    NetworkSpecError(const std::string& context, std::vector<SpecProblem> problems);
    const std::vector<SpecProblem>& problems() const { return m_problems; }

private:
    std::vector<SpecProblem> m_problems;
};

// JSON -> spec. Never throws: every problem (wrong JSON type, unknown type or key, missing
// argument, a value out of range, a shape that does not fit, a network that does not end in
// [classes]) is appended to `problems`, all of them in one pass: the JSON-level ones first, then
// ranges and shapes, each group in file order. Returns what could be read; it is usable (buildNetwork, describeNetwork) only when no problem was added.
NetworkSpec parseNetworkSpec(const nlohmann::json& j, std::vector<SpecProblem>& problems);

// Text -> spec, as parseNetworkSpec(); text that is not JSON is one problem with its line and
// column.
NetworkSpec parseNetworkSpecText(std::string_view text, std::vector<SpecProblem>& problems);

// A valid spec or NetworkSpecError, whose message starts with `source` (a file name, "built-in
// network LeNet", ...).
NetworkSpec networkSpecFromText(std::string_view text, const std::string& source);

// Reads and validates a spec file. IoError when it cannot be read, NetworkSpecError (naming the
// file) when it is not a valid spec.
NetworkSpec readNetworkSpecFile(const std::string& path);

// Every problem of a spec made in code (an editor's): ranges, names, shapes and the end in
// [classes]; the same problems parseNetworkSpec() reports past the JSON level.
std::vector<SpecProblem> validateNetworkSpec(const NetworkSpec& spec);

// The canonical JSON: every argument of each layer written (defaults included, so a file does not
// depend on them), a size as an integer when h == w, "name" only when set, "shortcut" only when
// not empty. parseNetworkSpec(toJson(s)) == s for any spec parsed without problems.
nlohmann::json toJson(const NetworkSpec& spec);

// toJson() as text for files people read (arch.json, exported specs): the top-level keys in the
// format's order, one layer a line, nested lists indented, a final newline.
std::string formatNetworkSpec(const NetworkSpec& spec);

// A layer of describeNetwork(), in forward order, containers included before their layers.
struct LayerRow {
    std::string prefix;        // state_dict prefix: "block1.0", "res.body.0", "fc"
    std::string path;          // problem path of the layer (see the top of this file)
    LayerLocation layer;
    int depth = 0;             // 0 at the top; a Sequential's or Residual's layers are one deeper
    LayerType type = LayerType::ReLU;
    bool container = false;    // Sequential or Residual: its numbers are its layers' sums
    bool shapeKnown = false;   // false past a problem (only in analyzeNetwork of a bad spec)
    std::vector<int64_t> outputShape; // one image's, e.g. [16, 14, 14] or [10]
    // Trainable parameters (weights and biases) and multiply-adds per image (only Conv2d and
    // Linear count: the rest is elementwise); 0 where the layer's input shape is unknown.
    int64_t parameters = 0;
    int64_t multiplyAdds = 0;
};

// The state_dict entries of a network or a layer: full names and shapes, in PyTorch's order.
using StateDictShapes = std::vector<std::pair<std::string, std::vector<int64_t>>>;

// A layer of the resolved tree the analyzer makes: its row (where it is, what comes out, what it
// costs) plus what flows in, what it holds and its layers. The builder, model.py, the ONNX export
// and Inspect walk it; none recomputes keys, prefixes or shapes.
struct LayerNode : LayerRow {
    std::string key;                 // its key in its list: its name, else its index ("0", "conv")
    const LayerSpec* spec = nullptr; // in the NetworkSpec analysed; valid while that lives
    bool inputKnown = false;
    std::vector<int64_t> inputShape; // one image's, as outputShape
    StateDictShapes tensors;         // its own state_dict entries (full names); a container has none
    // A Sequential's layers, or a Residual's body then its shortcut (each child's
    // layer.back().list says which).
    std::vector<LayerNode> children;

    // The children in `list`, in order.
    std::vector<const LayerNode*> childrenIn(LayerStep::List list) const;
};

// The nodes of `nodes` in `list`, in order (the network's own layers are all in List::Layers).
std::vector<const LayerNode*> nodesIn(const std::vector<LayerNode>& nodes, LayerStep::List list);

struct NetworkSummary {
    std::vector<LayerRow> rows; // the tree in forward order, containers before their layers
    std::vector<LayerNode> tree; // the network's layers; its spec pointers are the analysed spec's
    std::vector<int64_t> inputShape;
    std::vector<int64_t> outputShape;
    int64_t parameters = 0;   // equals parameterCount() of the built network
    int64_t multiplyAdds = 0; // per image
};

// Rows and totals of any spec, valid or not: past a problem the shapes are unknown
// (shapeKnown == false) but names, types and whatever does not depend on the shape remain, so an
// editor can show a table while the user types. `problems`, when given, receives
// validateNetworkSpec()'s problems.
NetworkSummary analyzeNetwork(const NetworkSpec& spec, std::vector<SpecProblem>* problems = nullptr);

// Rows and totals of a valid spec; NetworkSpecError for an invalid one.
NetworkSummary describeNetwork(const NetworkSpec& spec);

// The state_dict PyTorch (and the network buildNetwork() makes) has for the spec, in its order:
// each module's parameters, then its buffers, then its children. BatchNorm has weight, bias,
// running_mean, running_var and num_batches_tracked (shape []); a layer with bias=false has no
// bias entry. For --describe-arch --json and for checking weights files without LibTorch.
StateDictShapes expectedStateDict(const NetworkSpec& spec);

// The built-in networks: resources/architectures/*.json, compiled into the core, parsed once (a
// broken file there is a build bug: it throws NetworkSpecError naming the file on first use). In
// the notebook's order, then the other built-ins, then any further file alphabetically.
const std::vector<NetworkSpec>& builtinNetworkSpecs();

// The built-in network called `name`, or nullptr.
const NetworkSpec* findBuiltinNetworkSpec(std::string_view name);

// "[32, 7, 7]": how shapes appear in messages and tables.
std::string formatShape(const std::vector<int64_t>& shape);

} // namespace mnist
