#include "spec/Recipes.h"

#include "Error.h"
#include "Resources.h"
#include "spec/ConfigFields.h"
#include "spec/MachineSettings.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace mnist {
namespace {

// The recipe files of one folder of resources/ (not of its sub-folders), in path order.
std::vector<Recipe> readFolder(std::string_view folder)
{
    std::vector<Recipe> out;
    for (const auto& r : embeddedResources(folder)) {
        const std::string_view rest = r.path.substr(folder.size() + 1);
        if (rest.find('/') != std::string_view::npos || rest.size() < 5 || rest.substr(rest.size() - 5) != ".json")
            continue;
        out.push_back(recipeFromJsonText(r.data, "resources/" + std::string(r.path)));
    }
    return out;
}

} // namespace

Recipe recipeFromJsonText(std::string_view text, const std::string& file)
{
    const auto fail = [&](const std::string& what) { return ConfigError(file + ": " + what); };
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const std::exception& e) {
        throw fail(std::string("not valid JSON: ") + e.what());
    }
    if (!j.is_object())
        throw fail("a recipe must be a JSON object");

    Recipe r;
    r.file = file;
    const size_t slash = file.find_last_of('/');
    r.name = file.substr(slash == std::string::npos ? 0 : slash + 1);
    if (r.name.size() > 5 && r.name.compare(r.name.size() - 5, 5, ".json") == 0)
        r.name.resize(r.name.size() - 5);

    bool hasConfig = false;
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& key = it.key();
        std::string* text = key == "title" ? &r.title : key == "summary" ? &r.summary : key == "result" ? &r.result
                          : key == "note"  ? &r.note  : nullptr;
        if (text) {
            if (!it.value().is_string())
                throw fail("'" + key + "' must be a string");
            *text = it.value().get<std::string>();
        } else if (key == "config") {
            try {
                it.value().get_to(r.config);
            } catch (const ConfigError& e) {
                throw fail(std::string("in 'config': ") + e.what());
            }
            hasConfig = true;
        } else {
            throw fail("unknown key '" + key + "' (a recipe has title, summary, result, note and config)");
        }
    }
    if (!hasConfig)
        throw fail("'config' is missing");
    if (r.title.empty())
        r.title = r.name;
    const auto problems = fieldProblems(r.config);
    if (!problems.empty())
        throw fail("config." + problems.front().field + ": " + problems.front().message);
    return r;
}

const std::vector<Recipe>& recipes()
{
    static const std::vector<Recipe> list = [] {
        std::vector<Recipe> v = readFolder("recipes");
        // The order of the menus and of `mnist-train --help`: quickest first.
        static const std::vector<std::string> order = {"fast", "balanced", "best"};
        const auto rank = [&](const Recipe& r) {
            return static_cast<size_t>(std::find(order.begin(), order.end(), r.name) - order.begin());
        };
        std::stable_sort(v.begin(), v.end(), [&](const Recipe& a, const Recipe& b) {
            return rank(a) != rank(b) ? rank(a) < rank(b) : a.name < b.name;
        });
        return v;
    }();
    return list;
}

const Recipe* findRecipe(const std::string& name)
{
    for (const auto& r : recipes())
        if (r.name == name)
            return &r;
    return nullptr;
}

const std::vector<Recipe>& notebookRecipes()
{
    static const std::vector<Recipe> list = readFolder("recipes/notebook");
    return list;
}

TrainConfig applyRecipe(const Recipe& recipe, const TrainConfig& current)
{
    // The data set is the user's choice too: a recipe is a training, not a data set.
    TrainConfig c = withMachineSettings(recipe.config, current);
    c.dataset = current.dataset;
    return c;
}

} // namespace mnist
