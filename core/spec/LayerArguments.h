#pragma once
// The argument table: each layer type's JSON arguments described once (key, kind, the LayerSpec
// member that holds it, whether the spec must write it, its range, what the editor starts a new
// layer with), as spec/ConfigFields.h describes TrainConfig. Parsing, range checks, key order,
// equality, toJson(), layerKeys(), layerKeyRequired(), newLayerJson() and the editor's default
// hints are loops over it; only what really differs per type (shape rules, the module to build,
// the Python or ONNX node to write) stays a switch over LayerType.
//
// PyTorch's defaults are LayerSpec's member initialisers (so a LayerSpec made in code has them
// too); the table reads them through the member, except a stride's, which depends on the type and
// so is the table's (`fixedDefault` or `defaultFrom`). No LibTorch, no Qt.
#include "spec/NetworkSpec.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mnist {

// What an argument holds, and so how the spec reads, writes and checks it.
enum class ArgumentKind {
    Integer,      // a whole number in [minimum, the spec's largest argument]
    Size,         // an integer or a pair [h, w], each half in [minimum, the largest argument]
    OptionalSize, // a Size that may be absent: then `defaultFrom`'s value, else `fixedDefault`
    Flag,         // true or false
    Real,         // a number in `realRange`
    Layers,       // a list of layers (a container's), at least `minimum` of them
};

// Which numbers a Real argument takes.
enum class RealRange {
    Finite,       // any finite number (LeakyReLU's negative_slope)
    Positive,     // above 0 (BatchNorm's eps)
    UnitInterval, // from 0 to 1 (a probability, BatchNorm's momentum)
};

// One argument of one layer type. Make rows with the factories below; exactly the member pointer of
// `kind` is set.
struct LayerArgument {
    std::string key; // the JSON key, PyTorch's argument name
    ArgumentKind kind = ArgumentKind::Integer;
    int64_t LayerSpec::*integer = nullptr;
    Size2 LayerSpec::*size = nullptr;
    std::optional<Size2> LayerSpec::*optionalSize = nullptr;
    bool LayerSpec::*flag = nullptr;
    double LayerSpec::*real = nullptr;
    std::vector<LayerSpec> LayerSpec::*layers = nullptr;
    LayerStep::List list = LayerStep::List::Layers; // Layers: which list of a location it is

    bool required = false;  // the spec must write it (no PyTorch default)
    int64_t minimum = 0;    // Integer and Size: the lowest value; Layers: the fewest layers
    RealRange realRange = RealRange::Finite;
    // OptionalSize: the Size argument whose value applies when this one is absent (a pool's
    // stride is its kernel_size), or nullptr for `fixedDefault`.
    Size2 LayerSpec::*defaultFrom = nullptr;
    std::string defaultFromKey;
    Size2 fixedDefault{1, 1};
    // What newLayerJson() writes for it: null writes nothing; `startsAtClasses` writes the
    // network's class count (a Linear's out_features).
    nlohmann::json start;
    bool startsAtClasses = false;

    static LayerArgument makeInteger(std::string key, int64_t LayerSpec::*member, int64_t minimum);
    static LayerArgument makeSize(std::string key, Size2 LayerSpec::*member, int64_t minimum);
    // Absent: `from`'s value (a Size row of the same type).
    static LayerArgument makeOptionalSize(std::string key, std::optional<Size2> LayerSpec::*member, int64_t minimum,
                                          const LayerArgument& from);
    // Absent: `fixed`.
    static LayerArgument makeOptionalSize(std::string key, std::optional<Size2> LayerSpec::*member, int64_t minimum,
                                          Size2 fixed);
    static LayerArgument makeFlag(std::string key, bool LayerSpec::*member);
    static LayerArgument makeReal(std::string key, double LayerSpec::*member, RealRange range);
    // The key is layerListKey(list).
    static LayerArgument makeLayers(LayerStep::List list, std::vector<LayerSpec> LayerSpec::*member, int64_t minimum);

    // Copies with one property changed, so that rows read as sentences.
    LayerArgument mustBeWritten() const;
    LayerArgument startingAt(nlohmann::json value) const;
    LayerArgument startingAtClasses() const;
};

// A layer type: its name as the spec writes it and its arguments after "name" and "type", in the
// order toJson() writes them.
struct LayerTypeInfo {
    LayerType type = LayerType::Unknown;
    std::string name;
    std::vector<LayerArgument> arguments;
};

// Every type but Unknown, in LayerType's order.
const std::vector<LayerTypeInfo>& layerTypeTable();

// The arguments of `type`; empty for Unknown.
const std::vector<LayerArgument>& layerArguments(LayerType type);

// The argument `key` of `type`, or nullptr.
const LayerArgument* findLayerArgument(LayerType type, std::string_view key);

// The list argument of `type` that holds `list`, or nullptr (only a Sequential has "layers", only a
// Residual "body" and "shortcut").
const LayerArgument* findListArgument(LayerType type, LayerStep::List list);

// The value a Size or OptionalSize argument has in `layer`, its default applied.
Size2 sizeArgument(const LayerArgument& argument, const LayerSpec& layer);

// The value of a scalar argument (any kind but Layers) as toJson() writes it: a size as an integer
// when h == w, an absent OptionalSize as its default. Null for Layers.
nlohmann::json argumentJson(const LayerArgument& argument, const LayerSpec& layer);

// Whether `a` and `b` hold the same value of `argument` (as toJson() would write it).
bool sameArgument(const LayerArgument& argument, const LayerSpec& a, const LayerSpec& b);

} // namespace mnist
