#include "TestPaths.h"
#include "Error.h"
#include "Resources.h"
#include "spec/Recipes.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

using Catch::Matchers::Contains;

namespace {

std::string readText(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in);
    std::stringstream buf;
    buf << in.rdbuf();
    return buf.str();
}

std::string errorOf(const std::string& text, const std::string& file = "resources/recipes/bad.json")
{
    try {
        mnist::recipeFromJsonText(text, file);
    } catch (const mnist::ConfigError& e) {
        return e.what();
    }
    return "";
}

} // namespace

// tests/data/recipes/expected.json was written from the C++ tables the recipe files replaced
// (core/train/Recipes.cpp and ui/NotebookRecipes.cpp of commit a461597): to_json of every config,
// and every string, so the move to data changed nothing.
TEST_CASE("Every embedded recipe yields the set-up the C++ tables held", "[train][recipes]")
{
    const nlohmann::json expected =
        nlohmann::json::parse(readText(std::string(MNIST_SOURCE_DIR) + "/tests/data/recipes/expected.json"));

    const auto& named = mnist::recipes();
    REQUIRE(named.size() == expected["recipes"].size());
    for (size_t i = 0; i < named.size(); ++i) {
        const nlohmann::json& e = expected["recipes"][i];
        INFO(named[i].file);
        CHECK(named[i].name == e["name"].get<std::string>());
        CHECK(named[i].summary == e["summary"].get<std::string>());
        CHECK(nlohmann::json(named[i].config).dump(2) == e["config"].dump(2));
    }

    const auto& notebook = mnist::notebookRecipes();
    REQUIRE(notebook.size() == expected["notebook"].size());
    for (size_t i = 0; i < notebook.size(); ++i) {
        const nlohmann::json& e = expected["notebook"][i];
        INFO(notebook[i].file);
        CHECK(notebook[i].title == e["title"].get<std::string>());
        CHECK(notebook[i].result == e["result"].get<std::string>());
        CHECK(notebook[i].note == e["note"].get<std::string>());
        CHECK(nlohmann::json(notebook[i].config).dump(2) == e["config"].dump(2));
    }
    // In the order of their file names.
    for (size_t i = 1; i < notebook.size(); ++i)
        CHECK(notebook[i - 1].name < notebook[i].name);
}

TEST_CASE("Every recipe file under resources/recipes is embedded as it is", "[train][recipes]")
{
    namespace fs = std::filesystem;
    const fs::path root = fs::path(MNIST_SOURCE_DIR) / "resources";
    std::set<std::string> onDisk;
    for (const auto& entry : fs::recursive_directory_iterator(root / "recipes"))
        if (entry.is_regular_file() && entry.path().extension() == ".json") {
            const std::string rel = fs::relative(entry.path(), root).generic_string();
            onDisk.insert(rel);
            INFO(rel << " (add it to MNIST_EMBEDDED_RESOURCES in core/CMakeLists.txt)");
            const auto embedded = mnist::embeddedResource(rel);
            REQUIRE(embedded.has_value());
            CHECK(std::string(*embedded) == readText(entry.path()));
        }
    std::set<std::string> embedded;
    for (const auto& r : mnist::embeddedResources("recipes"))
        embedded.insert(std::string(r.path));
    CHECK(embedded == onDisk);
    CHECK(onDisk.size() == mnist::recipes().size() + mnist::notebookRecipes().size());
}

TEST_CASE("A recipe's config takes the defaults for the fields it omits", "[train][recipes]")
{
    const mnist::Recipe r = mnist::recipeFromJsonText(R"({"summary": "three epochs", "config": {"epochs": 3}})",
                                                      "resources/recipes/short.json");
    CHECK(r.name == "short");
    CHECK(r.title == "short"); // no title: the name
    CHECK(r.summary == "three epochs");
    CHECK(r.result.empty());
    CHECK(r.file == "resources/recipes/short.json");
    mnist::TrainConfig expected;
    expected.epochs = 3;
    CHECK(mnist::toJsonText(r.config) == mnist::toJsonText(expected));
}

TEST_CASE("A recipe file with a problem is an error naming the file and the key", "[train][recipes]")
{
    CHECK_THAT(errorOf("{\"config\": {"), Contains("resources/recipes/bad.json: not valid JSON"));
    CHECK_THAT(errorOf("[1, 2]"), Contains("resources/recipes/bad.json: a recipe must be a JSON object"));
    CHECK_THAT(errorOf(R"({"title": "x"})"), Contains("resources/recipes/bad.json: 'config' is missing"));
    CHECK_THAT(errorOf(R"({"title": 3, "config": {}})"), Contains("resources/recipes/bad.json: 'title' must be a string"));
    CHECK_THAT(errorOf(R"({"titel": "x", "config": {}})"), Contains("resources/recipes/bad.json: unknown key 'titel'"));
    // Inside the config: the key, as config.json's reader names it.
    const std::string typo = errorOf(R"({"config": {"batch_sise": 10}})");
    CHECK_THAT(typo, Contains("resources/recipes/bad.json") && Contains("config") && Contains("'batch_sise'"));
    const std::string type = errorOf(R"({"config": {"epochs": "ten"}})");
    CHECK_THAT(type, Contains("resources/recipes/bad.json") && Contains("'epochs'"));
    const std::string nested = errorOf(R"({"config": {"scheduler": {"type": "cosine", "T_max": "long"}}})");
    CHECK_THAT(nested, Contains("resources/recipes/bad.json") && Contains("'scheduler.T_max'"));
    // A config the trainer would refuse.
    const std::string range = errorOf(R"({"config": {"batch_size": 0}})");
    CHECK_THAT(range, Contains("resources/recipes/bad.json: config.batch_size: batch size must be between 1 and 65536"));
    CHECK_THAT(errorOf(R"({"config": {"arch": "NoSuchNet"}})"), Contains("config.arch"));
}

TEST_CASE("Every notebook recipe is a valid set-up with the notebook's settings", "[train][recipes]")
{
    const auto& recipes = mnist::notebookRecipes();
    CHECK(recipes.size() >= 18);
    mnist::TrainConfig machine;
    machine.device = "cpu";
    machine.threads = 2;
    for (const auto& r : recipes) {
        INFO(r.file);
        const mnist::TrainConfig c = mnist::applyRecipe(r, machine);
        CHECK(c.validate().empty());
        CHECK(c.optimizer == "adam");
        CHECK_FALSE(c.shuffle);
        CHECK(c.trainFraction == Approx(0.8));
        CHECK(c.device == "cpu");
        CHECK(c.threads == 2);
        CHECK_FALSE(r.title.empty());
        CHECK_FALSE(r.result.empty());
        CHECK_FALSE(r.note.empty());
    }
    // The cyclic recipes step up over 10x and 4x the batch size.
    int cyclic = 0;
    for (const auto& r : recipes)
        if (r.config.scheduler.type == "cyclic" && r.config.scheduler.mode == "triangular") {
            ++cyclic;
            CHECK((r.config.scheduler.stepSizeUp == 2500 || r.config.scheduler.stepSizeUp == 1000));
        }
    CHECK(cyclic == 2);
}

TEST_CASE("Applying a recipe keeps the machine's settings of the current set-up", "[train][recipes]")
{
    mnist::TrainConfig current;
    current.dataset = "fashion-mnist";
    current.dataDir = "/data/elsewhere";
    current.device = "cpu";
    current.threads = 1;
    current.evalBatchSize = 50;
    current.epochs = 77;
    current.memoryFormat = "contiguous";
    const mnist::Recipe& fast = *mnist::findRecipe("fast");
    mnist::TrainConfig expected = fast.config;
    expected.dataset = "fashion-mnist";
    expected.dataDir = "/data/elsewhere";
    expected.device = "cpu";
    expected.threads = 1;
    expected.evalBatchSize = 50;
    expected.memoryFormat = "contiguous"; // a layout is this machine's speed choice, not the recipe's
    CHECK(mnist::toJsonText(mnist::applyRecipe(fast, current)) == mnist::toJsonText(expected));
}

TEST_CASE("The recipes' words hold no measured figures", "[train][recipes]")
{
    // Accuracies and times, with the machines they were measured on, are in docs/accuracy.md.
    const std::regex measured(R"([0-9]\.[0-9]+ ?%|[0-9] ?(s|min|h)\b|img/s|CPU|GPU|~)");
    std::vector<const mnist::Recipe*> all;
    for (const auto& r : mnist::recipes())
        all.push_back(&r);
    for (const auto& r : mnist::notebookRecipes())
        all.push_back(&r);
    for (const mnist::Recipe* r : all)
        for (const std::string* s : {&r->title, &r->summary, &r->result, &r->note}) {
            INFO(r->file << ": " << *s);
            CHECK_FALSE(std::regex_search(*s, measured));
        }
}
