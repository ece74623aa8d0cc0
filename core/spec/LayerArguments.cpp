#include "spec/LayerArguments.h"

#include <algorithm>

namespace mnist {
namespace {

using json = nlohmann::json;
using List = LayerStep::List;

std::vector<LayerTypeInfo> makeTable()
{
    using A = LayerArgument;
    // Rows that several types share are written once here.
    const A kernelSize = A::makeSize("kernel_size", &LayerSpec::kernelSize, 1).mustBeWritten();
    const A padding = A::makeSize("padding", &LayerSpec::padding, 0);
    const A bias = A::makeFlag("bias", &LayerSpec::bias);
    const A eps = A::makeReal("eps", &LayerSpec::eps, RealRange::Positive);
    const A momentum = A::makeReal("momentum", &LayerSpec::momentum, RealRange::UnitInterval);
    const A p = A::makeReal("p", &LayerSpec::p, RealRange::UnitInterval);
    const A convStride = A::makeOptionalSize("stride", &LayerSpec::stride, 1, Size2{1, 1});
    const A poolStride = A::makeOptionalSize("stride", &LayerSpec::stride, 1, kernelSize);
    const std::vector<A> pool = {kernelSize.startingAt(2), poolStride, padding};
    const std::vector<A> batchNorm = {eps, momentum};

    return {
        {LayerType::Conv2d,
         "Conv2d",
         {A::makeInteger("out_channels", &LayerSpec::outChannels, 1).mustBeWritten().startingAt(32),
          kernelSize.startingAt(3), convStride, padding.startingAt(1),
          A::makeInteger("groups", &LayerSpec::groups, 1), bias}},
        {LayerType::BatchNorm2d, "BatchNorm2d", batchNorm},
        {LayerType::BatchNorm1d, "BatchNorm1d", batchNorm},
        {LayerType::ReLU, "ReLU", {}},
        {LayerType::LeakyReLU, "LeakyReLU", {A::makeReal("negative_slope", &LayerSpec::negativeSlope, RealRange::Finite)}},
        {LayerType::GELU, "GELU", {}},
        {LayerType::SiLU, "SiLU", {}},
        {LayerType::MaxPool2d, "MaxPool2d", pool},
        {LayerType::AvgPool2d, "AvgPool2d", pool},
        {LayerType::AdaptiveAvgPool2d, "AdaptiveAvgPool2d", {A::makeSize("output_size", &LayerSpec::outputSize, 1)}},
        {LayerType::Dropout, "Dropout", {p}},
        {LayerType::Dropout2d, "Dropout2d", {p}},
        {LayerType::Flatten, "Flatten", {}},
        {LayerType::Linear,
         "Linear",
         {A::makeInteger("out_features", &LayerSpec::outFeatures, 1).mustBeWritten().startingAtClasses(), bias}},
        {LayerType::Sequential,
         "Sequential",
         {A::makeLayers(List::Layers, &LayerSpec::layers, 0).mustBeWritten().startingAt(json::array())}},
        {LayerType::Residual,
         "Residual",
         {A::makeLayers(List::Body, &LayerSpec::body, 1).mustBeWritten().startingAt(json::array()),
          A::makeLayers(List::Shortcut, &LayerSpec::shortcut, 0)}},
    };
}

const LayerTypeInfo* typeInfo(LayerType type)
{
    for (const auto& t : layerTypeTable())
        if (t.type == type)
            return &t;
    return nullptr;
}

// A layer of `type` with every argument at its default.
LayerSpec defaultLayer(LayerType type)
{
    LayerSpec l;
    l.type = type;
    return l;
}

// The fields every row has; the factories add their member.
LayerArgument row(std::string key, ArgumentKind kind, int64_t minimum)
{
    LayerArgument a;
    a.key = std::move(key);
    a.kind = kind;
    a.minimum = minimum;
    return a;
}

json sizeJson(const Size2& s)
{
    return s.h == s.w ? json(s.h) : json::array({s.h, s.w});
}

} // namespace

LayerArgument LayerArgument::makeInteger(std::string key, int64_t LayerSpec::*member, int64_t minimum)
{
    LayerArgument a = row(std::move(key), ArgumentKind::Integer, minimum);
    a.integer = member;
    return a;
}

LayerArgument LayerArgument::makeSize(std::string key, Size2 LayerSpec::*member, int64_t minimum)
{
    LayerArgument a = row(std::move(key), ArgumentKind::Size, minimum);
    a.size = member;
    return a;
}

LayerArgument LayerArgument::makeOptionalSize(std::string key, std::optional<Size2> LayerSpec::*member, int64_t minimum,
                                              const LayerArgument& from)
{
    LayerArgument a = makeOptionalSize(std::move(key), member, minimum, Size2{});
    a.defaultFrom = from.size;
    a.defaultFromKey = from.key;
    return a;
}

LayerArgument LayerArgument::makeOptionalSize(std::string key, std::optional<Size2> LayerSpec::*member, int64_t minimum,
                                              Size2 fixed)
{
    LayerArgument a = row(std::move(key), ArgumentKind::OptionalSize, minimum);
    a.optionalSize = member;
    a.fixedDefault = fixed;
    return a;
}

LayerArgument LayerArgument::makeFlag(std::string key, bool LayerSpec::*member)
{
    LayerArgument a = row(std::move(key), ArgumentKind::Flag, 0);
    a.flag = member;
    return a;
}

LayerArgument LayerArgument::makeReal(std::string key, double LayerSpec::*member, RealRange range)
{
    LayerArgument a = row(std::move(key), ArgumentKind::Real, 0);
    a.real = member;
    a.realRange = range;
    return a;
}

LayerArgument LayerArgument::makeLayers(LayerStep::List list, std::vector<LayerSpec> LayerSpec::*member, int64_t minimum)
{
    LayerArgument a = row(layerListKey(list), ArgumentKind::Layers, minimum);
    a.layers = member;
    a.list = list;
    return a;
}

LayerArgument LayerArgument::mustBeWritten() const
{
    LayerArgument a = *this;
    a.required = true;
    return a;
}

LayerArgument LayerArgument::startingAt(nlohmann::json value) const
{
    LayerArgument a = *this;
    a.start = std::move(value);
    return a;
}

LayerArgument LayerArgument::startingAtClasses() const
{
    LayerArgument a = *this;
    a.startsAtClasses = true;
    return a;
}

const std::vector<LayerTypeInfo>& layerTypeTable()
{
    static const std::vector<LayerTypeInfo> table = makeTable();
    return table;
}

const std::vector<LayerArgument>& layerArguments(LayerType type)
{
    static const std::vector<LayerArgument> none;
    const LayerTypeInfo* t = typeInfo(type);
    return t ? t->arguments : none;
}

const LayerArgument* findLayerArgument(LayerType type, std::string_view key)
{
    for (const auto& a : layerArguments(type))
        if (a.key == key)
            return &a;
    return nullptr;
}

const LayerArgument* findListArgument(LayerType type, LayerStep::List list)
{
    for (const auto& a : layerArguments(type))
        if (a.kind == ArgumentKind::Layers && a.list == list)
            return &a;
    return nullptr;
}

Size2 sizeArgument(const LayerArgument& a, const LayerSpec& l)
{
    if (a.kind == ArgumentKind::Size)
        return l.*a.size;
    const std::optional<Size2>& value = l.*a.optionalSize;
    if (value)
        return *value;
    return a.defaultFrom ? l.*a.defaultFrom : a.fixedDefault;
}

json argumentJson(const LayerArgument& a, const LayerSpec& l)
{
    switch (a.kind) {
    case ArgumentKind::Integer: return l.*a.integer;
    case ArgumentKind::Size:
    case ArgumentKind::OptionalSize: return sizeJson(sizeArgument(a, l));
    case ArgumentKind::Flag: return l.*a.flag;
    case ArgumentKind::Real: return l.*a.real;
    case ArgumentKind::Layers: break;
    }
    return nullptr;
}

bool sameArgument(const LayerArgument& a, const LayerSpec& x, const LayerSpec& y)
{
    switch (a.kind) {
    case ArgumentKind::Integer: return x.*a.integer == y.*a.integer;
    case ArgumentKind::Size:
    case ArgumentKind::OptionalSize: return sizeArgument(a, x) == sizeArgument(a, y);
    case ArgumentKind::Flag: return x.*a.flag == y.*a.flag;
    case ArgumentKind::Real: return x.*a.real == y.*a.real;
    case ArgumentKind::Layers: {
        const auto& u = x.*a.layers;
        const auto& v = y.*a.layers;
        return u.size() == v.size() && std::equal(u.begin(), u.end(), v.begin());
    }
    }
    return false;
}

// NetworkSpec.h's questions about types and keys, answered from the table.

const char* layerListKey(LayerStep::List list)
{
    switch (list) {
    case List::Body: return "body";
    case List::Shortcut: return "shortcut";
    case List::Layers: break;
    }
    return "layers";
}

const std::vector<LayerType>& layerTypes()
{
    static const std::vector<LayerType> types = [] {
        std::vector<LayerType> v;
        for (const auto& t : layerTypeTable())
            v.push_back(t.type);
        return v;
    }();
    return types;
}

std::string layerTypeName(LayerType type)
{
    const LayerTypeInfo* t = typeInfo(type);
    return t ? t->name : "Unknown";
}

bool layerTypeFromName(std::string_view name, LayerType& type)
{
    for (const auto& t : layerTypeTable()) {
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
        for (const auto& t : layerTypeTable()) {
            std::vector<std::string> k{"name", "type"};
            for (const auto& a : t.arguments)
                k.push_back(a.key);
            v.push_back(k);
        }
        v.push_back({"name", "type"}); // Unknown
        return v;
    }();
    const auto& table = layerTypeTable();
    for (size_t i = 0; i < table.size(); ++i)
        if (table[i].type == type)
            return keys[i];
    return keys.back();
}

bool layerKeyRequired(LayerType type, const std::string& key)
{
    const LayerArgument* a = findLayerArgument(type, key);
    return a && a->required;
}

bool isContainer(LayerType type)
{
    for (const auto& a : layerArguments(type))
        if (a.kind == ArgumentKind::Layers)
            return true;
    return false;
}

Size2 effectiveStride(const LayerSpec& l)
{
    for (const auto& a : layerArguments(l.type))
        if (a.kind == ArgumentKind::OptionalSize && a.optionalSize == &LayerSpec::stride)
            return sizeArgument(a, l);
    return l.stride.value_or(Size2{1, 1});
}

std::string layerArgumentDefaultText(LayerType type, const std::string& key)
{
    const LayerArgument* a = findLayerArgument(type, key);
    if (!a || a->required || a->kind == ArgumentKind::Layers)
        return {};
    if (a->defaultFrom)
        return a->defaultFromKey;
    const json d = argumentJson(*a, defaultLayer(type));
    return d.is_array() ? std::string() : d.dump();
}

bool layerArgumentIsDefault(LayerType type, const nlohmann::json& layer, const std::string& key)
{
    if (type == LayerType::Unknown || !layer.is_object() || layerKeyRequired(type, key))
        return false;
    auto v = layer.find(key);
    if (v == layer.end())
        return true;
    if (key == "type")
        return *v == layerTypeName(type);
    const LayerArgument* a = findLayerArgument(type, key);
    if (!a || a->kind == ArgumentKind::Layers)
        return false;
    if (a->defaultFrom) {
        auto from = layer.find(a->defaultFromKey);
        return from != layer.end() && *from == *v;
    }
    return argumentJson(*a, defaultLayer(type)) == *v;
}

} // namespace mnist
