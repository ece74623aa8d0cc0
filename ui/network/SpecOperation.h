#pragma once
// One change of a network spec's JSON document, as NetworkSpecModel applies it. Each kind has an
// exact inverse of the same kinds (what apply() returns), so an undo command is a list of these
// and its undo is their inverses: no snapshots, and the tree's rows move instead of being rebuilt.
#include "spec/NetworkSpec.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace studio {

struct SpecOperation {
    enum class Kind {
        InsertLayer, // `value` becomes the layer at `where` (an index equal to the list's size appends)
        RemoveLayer, // the layer at `where` goes; with `dropList`, its list's key too if it is left empty
        MoveLayer,   // the layer at `where` goes to `to`, a location in the document without it
        SetLayer,    // the layer at `where` becomes `value` (its arguments, type and layers)
        SetField,    // the network's `field` ("name", "description") becomes `value`; no value erases it
    };
    Kind kind = Kind::SetField;
    mnist::LayerLocation where;
    mnist::LayerLocation to;
    std::string field;
    std::optional<nlohmann::json> value;
    // RemoveLayer that undoes an insert which created the list ("shortcut" written only when
    // needed): the document gets back without the key.
    bool dropList = false;

    static SpecOperation insertLayer(mnist::LayerLocation where, nlohmann::json layer)
    {
        return {Kind::InsertLayer, std::move(where), {}, {}, std::move(layer), false};
    }
    static SpecOperation removeLayer(mnist::LayerLocation where, bool dropList = false)
    {
        return {Kind::RemoveLayer, std::move(where), {}, {}, {}, dropList};
    }
    static SpecOperation moveLayer(mnist::LayerLocation from, mnist::LayerLocation to)
    {
        return {Kind::MoveLayer, std::move(from), std::move(to), {}, {}, false};
    }
    static SpecOperation setLayer(mnist::LayerLocation where, nlohmann::json layer)
    {
        return {Kind::SetLayer, std::move(where), {}, {}, std::move(layer), false};
    }
    static SpecOperation setField(std::string field, std::optional<nlohmann::json> value)
    {
        return {Kind::SetField, {}, {}, std::move(field), std::move(value), false};
    }

    bool operator==(const SpecOperation& o) const
    {
        return kind == o.kind && where == o.where && to == o.to && field == o.field && value == o.value && dropList == o.dropList;
    }
};

} // namespace studio
