// The layer editor's edits of a spec document (spec/SpecEdit.h): each edit, what it refuses,
// and that a network built by edits alone parses to the state_dict PyTorch would have.
#include "spec/NetworkSpec.h"
#include "spec/SpecEdit.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>

using nlohmann::json;
using namespace mnist;
using List = LayerStep::List;

namespace {

LayerLocation top(size_t i)
{
    return {{List::Layers, i}};
}

std::vector<std::string> types(const json& list)
{
    std::vector<std::string> out;
    for (const auto& l : list)
        out.push_back(l.value("type", std::string("?")));
    return out;
}

std::vector<std::string> stateDictNames(const json& doc)
{
    std::vector<SpecProblem> problems;
    const NetworkSpec spec = parseNetworkSpec(doc, problems);
    std::string all;
    for (const auto& p : problems)
        all += p.text() + "\n";
    INFO(all);
    REQUIRE(problems.empty());
    std::vector<std::string> names;
    for (const auto& [name, shape] : expectedStateDict(spec))
        names.push_back(name);
    return names;
}

// Conv, ReLU, MaxPool, Flatten, Linear.
json smallNet()
{
    json doc = emptyNetworkJson("Small");
    for (LayerType t : {LayerType::Conv2d, LayerType::ReLU, LayerType::MaxPool2d, LayerType::Flatten, LayerType::Linear})
        REQUIRE(insertLayer(doc, top(doc["layers"].size()), newLayerJson(t, 10)));
    return doc;
}

} // namespace

TEST_CASE("spec edit: new layers start valid and an empty network is a problem at layers", "[specedit]")
{
    const json doc = smallNet();
    CHECK(stateDictNames(doc) == std::vector<std::string>{"0.weight", "0.bias", "4.weight", "4.bias"});

    std::vector<SpecProblem> problems;
    parseNetworkSpec(emptyNetworkJson("Nothing"), problems);
    REQUIRE_FALSE(problems.empty());
}

TEST_CASE("spec edit: insert, remove and locations that hold no layer", "[specedit]")
{
    json doc = smallNet();
    REQUIRE(insertLayer(doc, top(1), newLayerJson(LayerType::BatchNorm2d, 10)));
    CHECK(types(doc["layers"]) == std::vector<std::string>{"Conv2d", "BatchNorm2d", "ReLU", "MaxPool2d", "Flatten", "Linear"});
    REQUIRE(removeLayer(doc, top(1)));
    CHECK(types(doc["layers"]) == std::vector<std::string>{"Conv2d", "ReLU", "MaxPool2d", "Flatten", "Linear"});

    const json before = doc;
    CHECK_FALSE(insertLayer(doc, top(99), newLayerJson(LayerType::ReLU, 10)));
    CHECK_FALSE(removeLayer(doc, top(5)));
    CHECK_FALSE(insertLayer(doc, {{List::Body, 0}}, newLayerJson(LayerType::ReLU, 10))); // the network has no body
    CHECK_FALSE(insertLayer(doc, {{List::Layers, 0}, {List::Layers, 0}}, newLayerJson(LayerType::ReLU, 10))); // Conv2d holds no layers
    CHECK(layerJson(doc, {}) == nullptr);
    CHECK(layerJson(doc, {{List::Layers, 0}, {List::Body, 0}}) == nullptr);
    CHECK(doc == before);
}

TEST_CASE("spec edit: grouping gives PyTorch's nested names, ungrouping undoes it", "[specedit]")
{
    json doc = smallNet();
    const json flat = doc;
    auto block = groupLayers(doc, top(0), 3, LayerType::Sequential);
    REQUIRE(block);
    CHECK((*block == top(0)));
    layerJson(doc, *block)->emplace("name", "block1");
    CHECK(stateDictNames(doc) == std::vector<std::string>{"block1.0.weight", "block1.0.bias", "2.weight", "2.bias"});

    auto first = ungroupLayer(doc, *block);
    REQUIRE(first);
    CHECK((*first == top(0)));
    CHECK(doc == flat);

    CHECK_FALSE(groupLayers(doc, top(3), 3, LayerType::Sequential)); // runs past the end
    CHECK_FALSE(groupLayers(doc, top(0), 0, LayerType::Sequential));
    CHECK_FALSE(groupLayers(doc, top(0), 2, LayerType::Conv2d));
    CHECK_FALSE(ungroupLayer(doc, top(0))); // not a container
    CHECK(doc == flat);
}

TEST_CASE("spec edit: a residual block made by edits is PyTorch's body/shortcut", "[specedit]")
{
    json doc = emptyNetworkJson("Res");
    REQUIRE(insertLayer(doc, top(0), newLayerJson(LayerType::Conv2d, 10)));
    REQUIRE(insertLayer(doc, top(1), newLayerJson(LayerType::Conv2d, 10)));
    REQUIRE(insertLayer(doc, top(2), newLayerJson(LayerType::BatchNorm2d, 10)));
    auto res = groupLayers(doc, top(1), 2, LayerType::Residual);
    REQUIRE(res);
    layerJson(doc, *res)->emplace("name", "res");
    for (LayerType t : {LayerType::ReLU, LayerType::AdaptiveAvgPool2d, LayerType::Flatten, LayerType::Linear})
        REQUIRE(insertLayer(doc, top(doc["layers"].size()), newLayerJson(t, 10)));
    CHECK(stateDictNames(doc) == std::vector<std::string>{
                                     "0.weight", "0.bias", "res.body.0.weight", "res.body.0.bias",
                                     "res.body.1.weight", "res.body.1.bias", "res.body.1.running_mean",
                                     "res.body.1.running_var", "res.body.1.num_batches_tracked", "5.weight", "5.bias"});

    // A 1x1 projection shortcut; ungrouping would drop it, so it is refused.
    LayerLocation sc = *res;
    sc.push_back({List::Shortcut, 0});
    json proj = newLayerJson(LayerType::Conv2d, 10);
    proj["kernel_size"] = 1;
    proj["padding"] = 0;
    REQUIRE(insertLayer(doc, sc, proj));
    CHECK(layerJson(doc, sc) != nullptr);
    const json withShortcut = doc;
    CHECK_FALSE(ungroupLayer(doc, *res));
    CHECK(doc == withShortcut);
}

TEST_CASE("spec edit: moving reorders, and at a block's edge leaves the block", "[specedit]")
{
    json doc = smallNet();
    auto seq = groupLayers(doc, top(1), 2, LayerType::Sequential); // [Conv, Seq[ReLU, Pool], Flatten, Linear]
    REQUIRE(seq);
    const LayerLocation relu = {{List::Layers, 1}, {List::Layers, 0}};

    auto down = moveLayer(doc, relu, +1); // [Pool, ReLU] inside
    REQUIRE(down);
    CHECK((*down == LayerLocation{{List::Layers, 1}, {List::Layers, 1}}));
    CHECK(types(doc["layers"][1]["layers"]) == std::vector<std::string>{"MaxPool2d", "ReLU"});

    auto out = moveLayer(doc, *down, +1); // after the block
    REQUIRE(out);
    CHECK((*out == top(2)));
    CHECK(types(doc["layers"]) == std::vector<std::string>{"Conv2d", "Sequential", "ReLU", "Flatten", "Linear"});

    auto outUp = moveLayer(doc, {{List::Layers, 1}, {List::Layers, 0}}, -1); // the pool, before the block
    REQUIRE(outUp);
    CHECK((*outUp == top(1)));
    CHECK(types(doc["layers"]) == std::vector<std::string>{"Conv2d", "MaxPool2d", "Sequential", "ReLU", "Flatten", "Linear"});
    CHECK(doc["layers"][2]["layers"].empty());

    CHECK_FALSE(moveLayer(doc, top(0), -1)); // the first layer of the network
    CHECK_FALSE(moveLayer(doc, top(5), +1)); // the last
    CHECK_FALSE(moveLayer(doc, top(9), +1));
    CHECK_FALSE(moveLayer(doc, top(1), 2));
}

TEST_CASE("spec edit: changing a type keeps the arguments both types take", "[specedit]")
{
    json conv = newLayerJson(LayerType::Conv2d, 10);
    conv["name"] = "c1";
    conv["kernel_size"] = 5;
    conv["stride"] = 2;
    setLayerType(conv, LayerType::MaxPool2d, 10);
    CHECK(conv == json{{"name", "c1"}, {"type", "MaxPool2d"}, {"kernel_size", 5}, {"stride", 2}, {"padding", 1}});
    setLayerType(conv, LayerType::Linear, 10);
    CHECK(conv == json{{"name", "c1"}, {"type", "Linear"}, {"out_features", 10}});

    json seq{{"type", "Sequential"}, {"layers", json::array({newLayerJson(LayerType::ReLU, 10)})}};
    setLayerType(seq, LayerType::Residual, 10);
    CHECK(seq == json{{"type", "Residual"}, {"body", json::array({json{{"type", "ReLU"}}})}});
    setLayerType(seq, LayerType::Sequential, 10);
    CHECK(seq == json{{"type", "Sequential"}, {"layers", json::array({json{{"type", "ReLU"}}})}});
}

TEST_CASE("spec edit: typed arguments keep what was typed and are reported at their key", "[specedit]")
{
    json doc = smallNet();
    json& conv = *layerJson(doc, top(0));
    setLayerArgument(conv, "kernel_size", " [3, 5] ");
    CHECK(conv["kernel_size"] == json::array({3, 5}));
    CHECK(layerArgumentText(conv, "kernel_size") == "[3, 5]");
    setLayerArgument(conv, "bias", "false");
    CHECK(conv["bias"] == false);
    setLayerArgument(conv, "name", "7");
    CHECK(conv["name"] == "7"); // a name is text, even when it looks like a number
    setLayerArgument(conv, "padding", "");
    CHECK_FALSE(conv.contains("padding"));

    setLayerArgument(conv, "out_channels", "3,");
    CHECK(conv["out_channels"] == "3,");
    CHECK(layerArgumentText(conv, "out_channels") == "3,");
    std::vector<SpecProblem> problems;
    parseNetworkSpec(doc, problems);
    const auto at = std::find_if(problems.begin(), problems.end(), [](const SpecProblem& p) { return p.key == "out_channels"; });
    REQUIRE(at != problems.end());
    CHECK((at->layer == top(0)));
    CHECK(at->path == "7.out_channels");
}
