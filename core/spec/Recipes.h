#pragma once
// Ready-made set-ups, kept as data in resources/recipes/ and compiled into the core
// (core/Resources.h): MNIST Studio's own (resources/recipes/NAME.json, for `mnist-train --recipe
// NAME` and the GUI) and the notebook's experiments (resources/recipes/notebook/*.json, in the
// order of their file names). A file holds a title, summary, result and note, and a "config" in
// config.json's format, in which an omitted field keeps its default.
#include "spec/TrainConfig.h"

#include <string>
#include <string_view>
#include <vector>

namespace mnist {

struct Recipe {
    std::string name;    // the file's name without .json: "fast", "01-lenet-10-epochs"
    std::string file;    // where it came from, e.g. "resources/recipes/fast.json"
    std::string title;   // one line, e.g. "LeNetDeep · cosine T_max 1000 · lr 1e-3"; the name when the file has none
    std::string summary; // one line: network, schedule, epochs
    std::string result;  // the notebook's: what it observed, in words
    std::string note;    // a comment on the set-up
    // No measured figures in these strings: accuracies and times, with the machines they were
    // measured on, are in docs/accuracy.md.
    TrainConfig config;
};

// MNIST Studio's recipes: fast, balanced, best (then any other, by name).
const std::vector<Recipe>& recipes();

// One of recipes(); nullptr when unknown.
const Recipe* findRecipe(const std::string& name);

// The notebook's experiments, in its order. All use Adam, the notebook's split and no shuffling.
const std::vector<Recipe>& notebookRecipes();

// `recipe`'s config with the dataset, data folder, device, threads and evaluation batch size of
// `current`: those belong to the machine, not to the experiment.
TrainConfig applyRecipe(const Recipe& recipe, const TrainConfig& current);

// Reads one recipe file's text; `file` names it in messages and gives the recipe its name. Throws
// ConfigError naming the file and the key at fault (an unknown key, a wrong type, a config the
// trainer would refuse).
Recipe recipeFromJsonText(std::string_view text, const std::string& file);

} // namespace mnist
