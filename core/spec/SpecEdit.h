#pragma once
// Structural edits of a network spec's JSON document, for the window's layer editor. The editor
// keeps the JSON the user is writing (not a parsed NetworkSpec) so that a half-typed value such
// as "3," stays in the document and is reported at its field by parseNetworkSpec() instead of
// being replaced by a default. Locations are NetworkSpec.h's LayerLocation, which is also what
// every SpecProblem and LayerRow carries, so a problem or a table row maps straight to a layer.
// No LibTorch, no Qt.
#include "spec/NetworkSpec.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace mnist {

// An empty network: the format's input and classes, no layers.
nlohmann::json emptyNetworkJson(const std::string& name);

// A new layer of `type` with the arguments a user would start from (a 3x3 convolution with 32
// channels, a 2x2 pool, a Linear to `classes`); containers start empty.
nlohmann::json newLayerJson(LayerType type, int64_t classes);

// The layer object at `where`, or nullptr (a location past the document, or through something that
// is not a layer list).
nlohmann::json* layerJson(nlohmann::json& doc, const LayerLocation& where);
const nlohmann::json* layerJson(const nlohmann::json& doc, const LayerLocation& where);

// The list that holds `where`'s last step (created when its container lacks it), or nullptr.
nlohmann::json* listHolding(nlohmann::json& doc, const LayerLocation& where);

// Inserts `layer` so that it ends up at `where` (an index equal to the list's size appends).
// Returns false, changing nothing, when `where` cannot hold a layer.
bool insertLayer(nlohmann::json& doc, const LayerLocation& where, nlohmann::json layer);

// Removes the layer at `where`; false when there is none.
bool removeLayer(nlohmann::json& doc, const LayerLocation& where);

// Moves a layer one place up (delta -1) or down (+1) in its list. At the top or the bottom of a
// nested list it leaves its container, going before or after it in the list above, so a layer
// can be taken out of a block with the same keys that reorder it. Returns its new location, or
// nothing when it cannot move (the first or last layer of the network).
std::optional<LayerLocation> moveLayer(nlohmann::json& doc, const LayerLocation& where, int delta);

// Puts `count` consecutive layers starting at `first` into a new Sequential (its "layers") or
// Residual (its "body", identity shortcut). Returns the container's location.
std::optional<LayerLocation> groupLayers(nlohmann::json& doc, const LayerLocation& first, size_t count,
                                         LayerType container);

// Replaces a Sequential, or a Residual whose shortcut is empty, by its layers (the body's). A
// Residual with a shortcut is refused: dropping the shortcut would change the network silently.
// Returns the location of the first layer taken out (the container's own when it was empty).
std::optional<LayerLocation> ungroupLayer(nlohmann::json& doc, const LayerLocation& where);

// Changes a layer's type, keeping the arguments the new type also takes (a Conv2d's kernel_size
// becomes a pool's), adding the new type's starting arguments for the rest, and keeping the
// layers of a Sequential or a Residual's body when switching between the two.
void setLayerType(nlohmann::json& layer, LayerType type, int64_t classes);

// An argument as the user typed it: empty removes the key (the default applies), text that is JSON
// ("3", "[3, 5]", "true", "0.2") is stored as that value, anything else as a string, which the
// spec's parser then reports at its key ("must be an integer ..."), keeping what was typed.
void setLayerArgument(nlohmann::json& layer, const std::string& key, const std::string& text);

// The text setLayerArgument() would turn back into the same value ("" for an absent key).
std::string layerArgumentText(const nlohmann::json& layer, const std::string& key);

} // namespace mnist
