#include "spec/SpecEdit.h"

#include "spec/LayerArguments.h"

#include <algorithm>
#include <cctype>

namespace mnist {
namespace {

using json = nlohmann::json;
using List = LayerStep::List;

// The list called `key` of a layer object (or of the network), or nullptr.
json* childList(json& owner, const char* key, bool create)
{
    if (!owner.is_object())
        return nullptr;
    auto it = owner.find(key);
    if (it == owner.end()) {
        if (!create)
            return nullptr;
        owner[key] = json::array();
        return &owner[key];
    }
    return it->is_array() ? &*it : nullptr;
}

LayerType typeOf(const json& layer)
{
    LayerType t = LayerType::Unknown;
    if (layer.is_object()) {
        auto it = layer.find("type");
        if (it != layer.end() && it->is_string() && layerTypeFromName(it->get<std::string>(), t))
            return t;
    }
    return LayerType::Unknown;
}

json* listOf(json& doc, const LayerLocation& parent, List list, bool create)
{
    if (parent.empty())
        return list == List::Layers ? childList(doc, "layers", create) : nullptr;
    json* owner = layerJson(doc, parent);
    if (!owner)
        return nullptr;
    // Only a Sequential holds "layers", only a Residual a body and a shortcut.
    if (!findListArgument(typeOf(*owner), list))
        return nullptr;
    return childList(*owner, layerListKey(list), create);
}

LayerLocation parentOf(const LayerLocation& where)
{
    return LayerLocation(where.begin(), where.end() - 1);
}

std::string trimmed(const std::string& s)
{
    size_t a = 0, b = s.size();
    while (a < b && std::isspace(static_cast<unsigned char>(s[a])))
        ++a;
    while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1])))
        --b;
    return s.substr(a, b - a);
}

// The list a container's layers live in: its first (a Sequential's "layers", a Residual's "body").
std::string contentsKey(LayerType t)
{
    for (const LayerArgument& a : layerArguments(t))
        if (a.kind == ArgumentKind::Layers)
            return a.key;
    return layerListKey(List::Layers);
}

} // namespace

json emptyNetworkJson(const std::string& name)
{
    const NetworkSpec defaults;
    return json{{"name", name},
                {"description", ""},
                {"input", defaults.input},
                {"classes", defaults.classes},
                {"layers", json::array()}};
}

json newLayerJson(LayerType type, int64_t classes)
{
    json j{{"type", layerTypeName(type)}};
    for (const LayerArgument& a : layerArguments(type)) {
        if (a.startsAtClasses)
            j[a.key] = classes;
        else if (!a.start.is_null())
            j[a.key] = a.start;
    }
    return j;
}

json* layerJson(json& doc, const LayerLocation& where)
{
    if (where.empty())
        return nullptr;
    json* owner = &doc;
    json* found = nullptr;
    for (size_t i = 0; i < where.size(); ++i) {
        const LayerStep& step = where[i];
        if (i == 0 && step.list != List::Layers)
            return nullptr;
        json* list = childList(*owner, layerListKey(step.list), false);
        if (!list || step.index >= list->size())
            return nullptr;
        found = &(*list)[step.index];
        owner = found;
    }
    return found;
}

const json* layerJson(const json& doc, const LayerLocation& where)
{
    return layerJson(const_cast<json&>(doc), where);
}

json* listHolding(json& doc, const LayerLocation& where)
{
    if (where.empty())
        return nullptr;
    return listOf(doc, parentOf(where), where.back().list, true);
}

bool insertLayer(json& doc, const LayerLocation& where, json layer)
{
    json* list = listHolding(doc, where);
    if (!list || where.back().index > list->size())
        return false;
    list->insert(list->begin() + static_cast<std::ptrdiff_t>(where.back().index), std::move(layer));
    return true;
}

bool removeLayer(json& doc, const LayerLocation& where)
{
    json* list = where.empty() ? nullptr : listOf(doc, parentOf(where), where.back().list, false);
    if (!list || where.back().index >= list->size())
        return false;
    list->erase(list->begin() + static_cast<std::ptrdiff_t>(where.back().index));
    return true;
}

std::optional<LayerLocation> moveLayer(json& doc, const LayerLocation& where, int delta)
{
    if (delta != -1 && delta != 1)
        return std::nullopt;
    json* list = where.empty() ? nullptr : listOf(doc, parentOf(where), where.back().list, false);
    if (!list || where.back().index >= list->size())
        return std::nullopt;
    const size_t index = where.back().index;
    const bool inside = delta < 0 ? index > 0 : index + 1 < list->size();
    if (inside) {
        const size_t other = delta < 0 ? index - 1 : index + 1;
        std::swap((*list)[index], (*list)[other]);
        LayerLocation moved = where;
        moved.back().index = other;
        return moved;
    }
    if (where.size() == 1)
        return std::nullopt; // the first or last layer of the network
    // Out of its container, before or after it.
    const LayerLocation container = parentOf(where);
    json* outer = listOf(doc, parentOf(container), container.back().list, false);
    if (!outer)
        return std::nullopt;
    json layer = std::move((*list)[index]);
    list->erase(list->begin() + static_cast<std::ptrdiff_t>(index));
    LayerLocation moved = container;
    if (delta > 0)
        moved.back().index += 1;
    outer->insert(outer->begin() + static_cast<std::ptrdiff_t>(moved.back().index), std::move(layer));
    return moved;
}

std::optional<LayerLocation> groupLayers(json& doc, const LayerLocation& first, size_t count, LayerType container)
{
    if (!isContainer(container) || count == 0 || first.empty())
        return std::nullopt;
    json* list = listOf(doc, parentOf(first), first.back().list, false);
    const size_t start = first.back().index;
    if (!list || start >= list->size() || count > list->size() - start)
        return std::nullopt;
    json contents = json::array();
    for (size_t i = 0; i < count; ++i)
        contents.push_back(std::move((*list)[start + i]));
    const auto begin = list->begin() + static_cast<std::ptrdiff_t>(start);
    list->erase(begin, begin + static_cast<std::ptrdiff_t>(count));
    json group{{"type", layerTypeName(container)}, {contentsKey(container), std::move(contents)}};
    list->insert(list->begin() + static_cast<std::ptrdiff_t>(start), std::move(group));
    return first;
}

std::optional<LayerLocation> ungroupLayer(json& doc, const LayerLocation& where)
{
    json* layer = layerJson(doc, where);
    if (!layer)
        return std::nullopt;
    const LayerType type = typeOf(*layer);
    if (!isContainer(type))
        return std::nullopt;
    if (type == LayerType::Residual) {
        auto sc = layer->find("shortcut");
        if (sc != layer->end() && !(sc->is_array() && sc->empty()) && !sc->is_null())
            return std::nullopt;
    }
    json contents = json::array();
    if (auto it = layer->find(contentsKey(type)); it != layer->end()) {
        if (!it->is_array())
            return std::nullopt;
        contents = std::move(*it);
    }
    json* list = listOf(doc, parentOf(where), where.back().list, false);
    const size_t index = where.back().index;
    list->erase(list->begin() + static_cast<std::ptrdiff_t>(index));
    list->insert(list->begin() + static_cast<std::ptrdiff_t>(index), contents.begin(), contents.end());
    return where;
}

void setLayerType(json& layer, LayerType type, int64_t classes)
{
    const json old = layer.is_object() ? layer : json::object();
    const LayerType oldType = typeOf(old);
    json fresh = newLayerJson(type, classes);
    json out = json::object();
    if (auto it = old.find("name"); it != old.end())
        out["name"] = *it;
    out["type"] = layerTypeName(type);
    for (const std::string& key : layerKeys(type)) {
        if (key == "name" || key == "type")
            continue;
        if (auto it = old.find(key); it != old.end())
            out[key] = *it;
        else if (auto f = fresh.find(key); f != fresh.end())
            out[key] = *f;
    }
    if (isContainer(type) && isContainer(oldType) && type != oldType) {
        if (auto it = old.find(contentsKey(oldType)); it != old.end())
            out[contentsKey(type)] = *it;
    }
    layer = std::move(out);
}

void setLayerArgument(json& layer, const std::string& key, const std::string& text)
{
    if (!layer.is_object())
        return;
    const std::string t = trimmed(text);
    if (t.empty() && key != "type") {
        layer.erase(key);
        return;
    }
    if (key == "name" || key == "type") {
        layer[key] = t;
        return;
    }
    json value = json::parse(t, nullptr, false);
    if (value.is_discarded() || value.is_object())
        layer[key] = t;
    else
        layer[key] = std::move(value);
}

std::string layerArgumentText(const json& layer, const std::string& key)
{
    if (!layer.is_object())
        return {};
    auto it = layer.find(key);
    if (it == layer.end() || it->is_null())
        return {};
    if (it->is_string())
        return it->get<std::string>();
    if (it->is_array()) {
        std::string s = "[";
        for (size_t i = 0; i < it->size(); ++i) {
            if (i)
                s += ", ";
            s += (*it)[i].is_string() ? (*it)[i].get<std::string>() : (*it)[i].dump();
        }
        return s + "]";
    }
    return it->dump();
}

} // namespace mnist
