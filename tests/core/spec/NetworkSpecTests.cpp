// Networks as data (spec/NetworkSpec.h, models/SpecNetwork.h): every spec problem with its
// path, the canonical JSON, shapes and counts, and the built networks against the hand-written
// classes and PyTorch's reference weights and logits.
#include "TestPaths.h"
#include "Error.h"
#include "formats/StateDict.h"
#include "spec/LayerArguments.h"
#include "models/MemoryLayout.h"
#include "models/ModelRegistry.h"
#include "spec/NetworkSpec.h"
#include "models/SpecNetwork.h"

#include "data/SkipTest.h"
#include "data/TempDir.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

using Catch::Matchers::Contains;
using nlohmann::json;

// Catch prints a location in a failed CHECK as "layers[3].layers[0]".
namespace Catch {
template <>
struct StringMaker<mnist::LayerLocation> {
    static std::string convert(const mnist::LayerLocation& where)
    {
        std::string s;
        for (const auto& step : where) {
            const char* list = step.list == mnist::LayerStep::List::Layers ? "layers"
                               : step.list == mnist::LayerStep::List::Body ? "body"
                                                                            : "shortcut";
            s += (s.empty() ? "" : ".") + std::string(list) + "[" + std::to_string(step.index) + "]";
        }
        return s.empty() ? "(top)" : s;
    }
};
} // namespace Catch

namespace {

const std::vector<std::string> kNotebook = {"LeNet",      "LeNetBN",    "LeNetDrop", "LeNetDropBN",
                                            "LeNetDL-k5", "LeNetDL-k3", "LeNetDeep", "SimpleNet"};

json network(json layers, json input = {1, 28, 28}, int classes = 10)
{
    return {{"name", "Test"}, {"input", std::move(input)}, {"classes", classes}, {"layers", std::move(layers)}};
}

std::vector<std::string> problemTexts(const json& j)
{
    std::vector<mnist::SpecProblem> problems;
    mnist::parseNetworkSpec(j, problems);
    std::vector<std::string> out;
    for (const auto& p : problems)
        out.push_back(p.text());
    return out;
}

std::string joinedLines(const std::vector<std::string>& lines)
{
    std::string s;
    for (const auto& l : lines)
        s += l + "\n";
    return s;
}

mnist::NetworkSpec parsed(const json& j)
{
    std::vector<mnist::SpecProblem> problems;
    mnist::NetworkSpec spec = mnist::parseNetworkSpec(j, problems);
    INFO(joinedLines(problemTexts(j)));
    REQUIRE(problems.empty());
    return spec;
}

json conv(int out, json kernel, json extra = json::object())
{
    json c = {{"type", "Conv2d"}, {"out_channels", out}, {"kernel_size", std::move(kernel)}};
    c.update(extra);
    return c;
}

json layer(const char* type, json extra = json::object())
{
    json l = {{"type", type}};
    l.update(extra);
    return l;
}

// Every layer type, both size forms, names and indices, nested Sequentials, a Residual with a
// shortcut and one without, bias off.
json everyLayerType()
{
    return network({
        {{"name", "stem"},
         {"type", "Sequential"},
         {"layers",
          {conv(8, {3, 5}, {{"stride", {1, 1}}, {"padding", {1, 2}}, {"bias", false}}),
           layer("BatchNorm2d", {{"eps", 1e-3}, {"momentum", 0.2}}), layer("LeakyReLU", {{"negative_slope", 0.1}})}}},
        conv(8, 3, {{"padding", 1}, {"groups", 2}}),
        layer("GELU"),
        layer("Dropout2d", {{"p", 0.1}}),
        layer("MaxPool2d", {{"kernel_size", 2}}),
        {{"name", "res"},
         {"type", "Residual"},
         {"body", {conv(16, 3, {{"stride", 2}, {"padding", 1}}), layer("SiLU")}},
         {"shortcut", {layer("AvgPool2d", {{"kernel_size", 2}}), conv(16, 1)}}},
        {{"name", "inner"},
         {"type", "Sequential"},
         {"layers",
          {{{"name", "nested"}, {"type", "Sequential"}, {"layers", {layer("ReLU")}}},
           {{"type", "Residual"}, {"body", {layer("BatchNorm2d")}}}}}},
        layer("AdaptiveAvgPool2d", {{"output_size", {2, 3}}}),
        layer("Flatten"),
        layer("Linear", {{"out_features", 20}, {"bias", false}}),
        layer("BatchNorm1d"),
        layer("Dropout", {{"p", 0.3}}),
        {{"name", "fc"}, {"type", "Linear"}, {"out_features", 10}},
    });
}

std::map<std::string, torch::Tensor> asMap(const mnist::NamedTensors& tensors)
{
    std::map<std::string, torch::Tensor> m;
    for (const auto& [name, t] : tensors)
        m.emplace(name, t.detach().clone());
    return m;
}

bool haveReference()
{
    return std::filesystem::exists(std::string(MNIST_REFERENCE_DIR) + "/models/architectures.json");
}

// Logits, input gradient and every parameter's gradient of one training step with fixed masks.
std::vector<torch::Tensor> trainStep(mnist::Network& net, const torch::Tensor& input)
{
    net.train();
    net.zero_grad();
    torch::Tensor x = input.detach().clone().requires_grad_(true);
    torch::manual_seed(11);
    const torch::Tensor y = net.forward(x);
    (y * torch::linspace(-1, 1, y.numel()).view(y.sizes())).sum().backward();
    std::vector<torch::Tensor> out{y.detach().clone(), x.grad().clone()};
    for (const auto& p : net.parameters())
        out.push_back(p.grad().clone());
    return out;
}

} // namespace

TEST_CASE("A network spec reports each kind of problem at its path", "[models][spec]")
{
    const auto block = [](json layers) {
        return json{{"name", "block1"}, {"type", "Sequential"}, {"layers", std::move(layers)}};
    };
    SECTION("a size that is not positive")
    {
        CHECK(problemTexts(network({layer("ReLU"), layer("ReLU"), layer("ReLU"), conv(4, -1), layer("Flatten"),
                                    layer("Linear", {{"out_features", 10}})})) ==
              std::vector<std::string>{"layers[3].kernel_size: must be positive"});
        CHECK(problemTexts(network({conv(4, {3, 0}), layer("Flatten"), layer("Linear", {{"out_features", 10}})})) ==
              std::vector<std::string>{"layers[0].kernel_size[1]: must be positive"});
        CHECK(problemTexts(network({block({conv(4, 3, {{"stride", 0}})}), layer("Flatten"),
                                    layer("Linear", {{"out_features", 10}})})) ==
              std::vector<std::string>{"block1.layers[0].stride: must be positive"});
    }
    SECTION("a Linear after an image")
    {
        CHECK(problemTexts(network({conv(16, 5, {{"padding", 2}}), layer("MaxPool2d", {{"kernel_size", 2}}),
                                    conv(32, 5, {{"padding", 2}}), layer("ReLU"), layer("MaxPool2d", {{"kernel_size", 2}}),
                                    layer("Linear", {{"out_features", 10}})})) ==
              std::vector<std::string>{"layers[5] (Linear): expects a flat input, got [32, 7, 7]; add a Flatten"});
    }
    SECTION("a Residual whose body changes the shape")
    {
        CHECK(problemTexts(network({conv(32, 3, {{"padding", 1}}), layer("MaxPool2d", {{"kernel_size", 2}}),
                                    {{"name", "res"}, {"type", "Residual"}, {"body", {conv(64, 3, {{"padding", 1}})}}},
                                    layer("Flatten"), layer("Linear", {{"out_features", 10}})})) ==
              std::vector<std::string>{"res: body gives [64, 14, 14] but the input is [32, 14, 14]; add a shortcut"});
        CHECK(problemTexts(network({{{"name", "res"},
                                     {"type", "Residual"},
                                     {"body", {conv(8, 3, {{"padding", 1}})}},
                                     {"shortcut", {conv(8, 1, {{"stride", 2}})}}},
                                    layer("Flatten"), layer("Linear", {{"out_features", 10}})})) ==
              std::vector<std::string>{"res: body gives [8, 28, 28] but the shortcut gives [8, 14, 14]"});
        CHECK(problemTexts(network({{{"name", "res"}, {"type", "Residual"}, {"body", json::array()}}, layer("Flatten"),
                                    layer("Linear", {{"out_features", 10}})})) ==
              std::vector<std::string>{"res.body: must hold at least one layer"});
    }
    SECTION("an unknown type")
    {
        const auto texts = problemTexts(network({layer("Conv3d"), layer("Flatten"), layer("Linear", {{"out_features", 10}})}));
        REQUIRE(texts.size() == 1);
        CHECK_THAT(texts[0], Contains("layers[0].type: unknown layer type \"Conv3d\" (known: Conv2d, BatchNorm2d") &&
                                 Contains("Sequential, Residual)"));
        CHECK(problemTexts(network({{{"out_channels", 3}}, layer("Flatten"), layer("Linear", {{"out_features", 10}})}))[0] ==
              "layers[0].type: missing; every layer needs a type (known: " + std::string("Conv2d, BatchNorm2d, BatchNorm1d, "
              "ReLU, LeakyReLU, GELU, SiLU, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, Dropout, Dropout2d, Flatten, Linear, "
              "Sequential, Residual)"));
    }
    SECTION("an unknown key, with the known ones")
    {
        CHECK(problemTexts(network({conv(4, 3, {{"kernal_size", 3}}), layer("Flatten"),
                                    layer("Linear", {{"out_features", 10}})})) ==
              std::vector<std::string>{"layers[0].kernal_size: unknown key for Conv2d (known: name, type, out_channels, "
                                       "kernel_size, stride, padding, groups, bias)"});
        CHECK(problemTexts(network({layer("Flatten"), layer("Linear", {{"out_features", 10}, {"in_features", 784}})})) ==
              std::vector<std::string>{
                  "layers[1].in_features: is not written: it is inferred from the shape flowing in; remove it"});
        json top = network({layer("Flatten"), layer("Linear", {{"out_features", 10}})});
        top["lyers"] = json::array();
        CHECK(problemTexts(top) ==
              std::vector<std::string>{"lyers: unknown key (known: name, description, input, classes, layers)"});
    }
    SECTION("a value of the wrong JSON type")
    {
        CHECK(problemTexts(network({conv(4, 3, {{"bias", "yes"}}), layer("Flatten"),
                                    layer("Linear", {{"out_features", 10}})})) ==
              std::vector<std::string>{"layers[0].bias: must be true or false, got string \"yes\""});
        CHECK(problemTexts(network({conv(4, "3"), layer("Flatten"), layer("Linear", {{"out_features", 10}})})) ==
              std::vector<std::string>{"layers[0].kernel_size: must be an integer or a pair [h, w] of integers, got "
                                       "string \"3\""});
        CHECK(problemTexts(network({layer("Flatten"), layer("Linear", {{"out_features", 2.5}})})) ==
              std::vector<std::string>{"layers[1].out_features: must be an integer, got 2.5"});
        CHECK(problemTexts(network({layer("Flatten"), 7})) ==
              std::vector<std::string>{"layers[1]: must be a layer, a JSON object such as {\"type\": \"ReLU\"}, got number 7"});
        CHECK(problemTexts(network(json::object())) ==
              std::vector<std::string>{"layers: must be a list of layers, got object {}"});
        CHECK(problemTexts(json::array()) == std::vector<std::string>{"a network spec must be a JSON object, got array []"});
    }
    SECTION("a network that does not end in [classes]")
    {
        CHECK(problemTexts(network({conv(16, 5, {{"padding", 2}}), layer("MaxPool2d", {{"kernel_size", 4}})})) ==
              std::vector<std::string>{"layers: the network ends in [16, 7, 7] but must end in [10] (classes); add a "
                                       "Flatten and a Linear with out_features 10"});
        CHECK(problemTexts(network({layer("Flatten"), layer("Linear", {{"out_features", 12}})})) ==
              std::vector<std::string>{"layers: the network ends in [12] but must end in [10] (classes); end with a "
                                       "Linear with out_features 10"});
        CHECK(problemTexts(network(json::array())) ==
              std::vector<std::string>{"layers: the network has no layers; it must end in [10] (e.g. a Flatten and a "
                                       "Linear with out_features 10)"});
    }
    SECTION("a spatial size that shrinks to nothing")
    {
        CHECK(problemTexts(network({conv(16, 5), layer("MaxPool2d", {{"kernel_size", 8}}), conv(32, 5), layer("Flatten"),
                                    layer("Linear", {{"out_features", 10}})})) ==
              std::vector<std::string>{"layers[2] (Conv2d): the input [16, 3, 3] is too small for kernel_size 5 (the "
                                       "output would be [32, -1, -1])"});
        CHECK(problemTexts(network({layer("MaxPool2d", {{"kernel_size", {2, 29}}}), layer("Flatten"),
                                    layer("Linear", {{"out_features", 10}})})) ==
              std::vector<std::string>{"layers[0] (MaxPool2d): the input [1, 28, 28] is too small for kernel_size [2, "
                                       "29] (the output would be [1, 14, 0])"});
    }
    SECTION("an image layer after a Flatten, bad names, ranges")
    {
        CHECK(problemTexts(network({layer("Flatten"), layer("BatchNorm2d"), layer("Linear", {{"out_features", 10}})})) ==
              std::vector<std::string>{
                  "layers[1] (BatchNorm2d): expects an input [C, H, W], got [784]; it cannot follow a Flatten or a Linear"});
        CHECK(problemTexts(network({{{"name", "a.b"}, {"type", "Flatten"}}, {{"name", "fc"}, {"type", "Linear"}, {"out_features", 10}},
                                    {{"name", "fc"}, {"type", "Dropout"}, {"p", 1.5}}})) ==
              std::vector<std::string>{"a.b.name: may hold up to 64 letters, digits, '_' and '-' only and not only digits "
                                       "(it becomes a state_dict key; an unnamed layer is keyed by its index), got \"a.b\"",
                                       "fc.name: another layer of this list is already called \"fc\"",
                                       "fc.p: must be from 0 to 1, got 1.5"});
        CHECK(problemTexts(network({layer("MaxPool2d", {{"kernel_size", 2}, {"padding", 2}}), layer("Flatten"),
                                    layer("Linear", {{"out_features", 10}})})) ==
              std::vector<std::string>{"layers[0].padding: must be at most half the kernel_size (1)"});
        CHECK(problemTexts(network({conv(5, 3, {{"groups", 2}}), layer("Flatten"), layer("Linear", {{"out_features", 10}})})) ==
              std::vector<std::string>{
                  "layers[0] (Conv2d): groups 2 must divide the input's 1 channels and out_channels 5"});
    }
    SECTION("top-level fields")
    {
        json j = {{"name", ""}, {"input", {1, 28}}, {"classes", 0}, {"layers", {layer("Flatten")}}};
        CHECK(problemTexts(j) == std::vector<std::string>{"input: must be [C, H, W], three integers such as [1, 28, 28], "
                                                          "got array [1,28]",
                                                          "name: must not be empty", "classes: must be positive"});
        CHECK(problemTexts(json{{"layers", json::array()}}) ==
              std::vector<std::string>{"name: missing (the network's name, e.g. \"MyNet\")",
                                       "input: missing (the shape of one image [C, H, W], e.g. [1, 28, 28])",
                                       "classes: missing (the number of classes, e.g. 10)",
                                       "layers: the network has no layers; it must end in [10] (e.g. a Flatten and a "
                                       "Linear with out_features 10)"});
    }
}

TEST_CASE("A network spec reports every problem in one pass", "[models][spec]")
{
    json j = network({
        conv(4, -1),                                                            // range
        conv(4, 3, {{"kernal", 3}}),                                           // unknown key
        layer("Conv3d"),                                                        // unknown type
        {{"name", "block1"}, {"type", "Sequential"}, {"layers", {conv(4, 3, {{"bias", 1}})}}}, // JSON type
        {{"name", "res"}, {"type", "Residual"}, {"body", {layer("Dropout", {{"p", -0.5}})}}},  // range in a body
        layer("Linear", {{"out_features", 32}}),                                // shape unknown here: no flat check
        layer("Linear", {{"out_features", 7}}),                                 // known again: wrong end
    });
    j["colour"] = "red";
    const std::vector<std::string> texts = problemTexts(j);
    INFO(joinedLines(texts));
    CHECK(texts == std::vector<std::string>{
                       "colour: unknown key (known: name, description, input, classes, layers)",
                       "layers[1].kernal: unknown key for Conv2d (known: name, type, out_channels, kernel_size, stride, "
                       "padding, groups, bias)",
                       texts.size() > 2 ? texts[2] : "", // the unknown type's list of names, checked above
                       "block1.layers[0].bias: must be true or false, got number 1",
                       "layers[0].kernel_size: must be positive",
                       "res.body[0].p: must be from 0 to 1, got -0.5",
                       "layers: the network ends in [7] but must end in [10] (classes); end with a Linear with "
                       "out_features 10",
                   });
    CHECK_THAT(texts.at(2), Contains("layers[2].type: unknown layer type \"Conv3d\""));

    // The locations say which layer, for an editor.
    std::vector<mnist::SpecProblem> problems;
    mnist::parseNetworkSpec(j, problems);
    REQUIRE(problems.size() == 7);
    CHECK(problems[3].layer == mnist::LayerLocation{{mnist::LayerStep::List::Layers, 3}, {mnist::LayerStep::List::Layers, 0}});
    CHECK(problems[3].key == "bias");
    CHECK(problems[5].layer == mnist::LayerLocation{{mnist::LayerStep::List::Layers, 4}, {mnist::LayerStep::List::Body, 0}});
    CHECK(problems[6].layer.empty());

    // Thrown where a valid spec is needed: a ConfigError that lists them all.
    try {
        mnist::networkSpecFromText(j.dump(), "my.json");
        FAIL("no error");
    } catch (const mnist::NetworkSpecError& e) {
        CHECK(e.problems().size() == 7);
        CHECK_THAT(e.what(), Contains("my.json: 7 problems in the network spec:\n  colour: unknown key") &&
                                 Contains("\n  res.body[0].p: must be from 0 to 1"));
    }
    CHECK_THROWS_AS(mnist::networkSpecFromText("{}", "x"), mnist::ConfigError);
}

TEST_CASE("A network spec fills in PyTorch's defaults and takes sizes as an integer or a pair", "[models][spec]")
{
    const mnist::NetworkSpec spec =
        parsed(network({conv(4, 3), layer("BatchNorm2d"), layer("LeakyReLU"), layer("MaxPool2d", {{"kernel_size", {2, 3}}}),
                        layer("AvgPool2d", {{"kernel_size", 2}, {"stride", 1}}), layer("AdaptiveAvgPool2d"),
                        layer("Dropout2d"), layer("Flatten"), layer("Linear", {{"out_features", 10}}), layer("Dropout")}));
    const auto& l = spec.layers;
    CHECK(mnist::effectiveStride(l[0]) == mnist::Size2{1, 1});
    CHECK(l[0].padding == mnist::Size2{0, 0});
    CHECK(l[0].groups == 1);
    CHECK(l[0].bias);
    CHECK(l[0].kernelSize == mnist::Size2{3, 3});
    CHECK(l[1].eps == 1e-5);
    CHECK(l[1].momentum == 0.1);
    CHECK(l[2].negativeSlope == 0.01);
    CHECK(l[3].kernelSize == mnist::Size2{2, 3});
    CHECK(mnist::effectiveStride(l[3]) == mnist::Size2{2, 3}); // a pool's stride is its kernel_size
    CHECK(mnist::effectiveStride(l[4]) == mnist::Size2{1, 1});
    CHECK(l[5].outputSize == mnist::Size2{1, 1});
    CHECK(l[6].p == 0.5);
    CHECK(l[8].bias);
    CHECK(l[9].p == 0.5);
    const mnist::NetworkSummary s = mnist::describeNetwork(spec);
    CHECK(s.rows[3].outputShape == std::vector<int64_t>{4, 13, 8}); // 26x26 pooled by 2x3
    CHECK(s.rows[4].outputShape == std::vector<int64_t>{4, 12, 7});
    CHECK(s.rows[5].outputShape == std::vector<int64_t>{4, 1, 1});

    // The canonical form writes every argument, a square size as an integer.
    const json out = mnist::toJson(spec);
    CHECK(out["layers"][0] == json{{"type", "Conv2d"}, {"out_channels", 4}, {"kernel_size", 3}, {"stride", 1},
                                   {"padding", 0}, {"groups", 1}, {"bias", true}});
    CHECK(out["layers"][3]["kernel_size"] == json{2, 3});
    CHECK(out["layers"][3]["stride"] == json{2, 3});
    CHECK(out["layers"][1] == json{{"type", "BatchNorm2d"}, {"eps", 1e-5}, {"momentum", 0.1}});
    CHECK(out["layers"][5] == json{{"type", "AdaptiveAvgPool2d"}, {"output_size", 1}});
}

TEST_CASE("toJson and formatNetworkSpec round-trip every spec", "[models][spec]")
{
    std::vector<mnist::NetworkSpec> specs = mnist::builtinNetworkSpecs();
    specs.push_back(parsed(everyLayerType()));
    for (const auto& spec : specs) {
        INFO(spec.name);
        CHECK(parsed(mnist::toJson(spec)) == spec);
        std::vector<mnist::SpecProblem> problems;
        const std::string text = mnist::formatNetworkSpec(spec);
        CHECK(mnist::parseNetworkSpecText(text, problems) == spec);
        CHECK(problems.empty());
        CHECK(mnist::toJson(parsed(mnist::toJson(spec))) == mnist::toJson(spec));
        CHECK(json::parse(text) == mnist::toJson(spec));
    }
    const std::string lenet = mnist::formatNetworkSpec(*mnist::findBuiltinNetworkSpec("LeNet"));
    CHECK_THAT(lenet, Contains("{\n  \"name\": \"LeNet\",\n") && Contains("\n  \"input\": [1, 28, 28],\n") &&
                          Contains("\n    {\"name\": \"block1\", \"type\": \"Sequential\", \"layers\": [\n      {\"type\": "
                                   "\"Conv2d\", \"out_channels\": 16, \"kernel_size\": 5, \"stride\": 1, \"padding\": 2, "
                                   "\"groups\": 1, \"bias\": true},\n"));
    // Equality is about what the file says: a field of another type does not count.
    mnist::LayerSpec a, b;
    a.type = b.type = mnist::LayerType::ReLU;
    b.outChannels = 7;
    CHECK(a == b);
    b.type = mnist::LayerType::Conv2d;
    CHECK(a != b);
}

TEST_CASE("describeNetwork gives each layer's shape, parameters and multiply-adds", "[models][spec]")
{
    const mnist::NetworkSpec spec = parsed(network(
        {conv(4, 3, {{"padding", 1}}), layer("BatchNorm2d"), layer("ReLU"), layer("MaxPool2d", {{"kernel_size", 2}}),
         {{"name", "res"}, {"type", "Residual"}, {"body", {conv(4, 3, {{"padding", 1}, {"bias", false}})}}},
         layer("Flatten"), layer("Linear", {{"out_features", 3}})},
        {1, 8, 8}, 3));
    const mnist::NetworkSummary s = mnist::describeNetwork(spec);
    struct Row {
        std::string prefix, path;
        std::vector<int64_t> shape;
        int64_t parameters, macs;
        int depth;
    };
    const std::vector<Row> expected = {
        {"0", "layers[0]", {4, 8, 8}, 4 * 9 + 4, 4 * 64 * 9, 0},    // 36 weights + 4 biases; 9 per output value
        {"1", "layers[1]", {4, 8, 8}, 8, 0, 0},
        {"2", "layers[2]", {4, 8, 8}, 0, 0, 0},
        {"3", "layers[3]", {4, 4, 4}, 0, 0, 0},
        {"res", "res", {4, 4, 4}, 144, 64 * 36, 0},                  // the sums of its body
        {"res.body.0", "res.body[0]", {4, 4, 4}, 4 * 4 * 9, 64 * 36, 1},
        {"5", "layers[5]", {64}, 0, 0, 0},
        {"6", "layers[6]", {3}, 64 * 3 + 3, 64 * 3, 0},
    };
    REQUIRE(s.rows.size() == expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
        INFO(expected[i].prefix);
        CHECK(s.rows[i].prefix == expected[i].prefix);
        CHECK(s.rows[i].path == expected[i].path);
        CHECK(s.rows[i].shapeKnown);
        CHECK(s.rows[i].outputShape == expected[i].shape);
        CHECK(s.rows[i].parameters == expected[i].parameters);
        CHECK(s.rows[i].multiplyAdds == expected[i].macs);
        CHECK(s.rows[i].depth == expected[i].depth);
    }
    CHECK(s.rows[4].container);
    CHECK(s.rows[4].type == mnist::LayerType::Residual);
    CHECK(s.parameters == 40 + 8 + 144 + 195);
    CHECK(s.multiplyAdds == 2304 + 2304 + 192);
    CHECK(s.inputShape == std::vector<int64_t>{1, 8, 8});
    CHECK(s.outputShape == std::vector<int64_t>{3});

    const mnist::StateDictShapes sd = mnist::expectedStateDict(spec);
    CHECK(sd == mnist::StateDictShapes{{"0.weight", {4, 1, 3, 3}},
                                       {"0.bias", {4}},
                                       {"1.weight", {4}},
                                       {"1.bias", {4}},
                                       {"1.running_mean", {4}},
                                       {"1.running_var", {4}},
                                       {"1.num_batches_tracked", {}},
                                       {"res.body.0.weight", {4, 4, 3, 3}},
                                       {"6.weight", {3, 64}},
                                       {"6.bias", {3}}});

    // A bad spec still has rows: what is known before the problem, names and types after it.
    mnist::NetworkSpec bad = spec;
    bad.layers[0].outChannels = 5; // the residual's body (4 channels) no longer fits
    std::vector<mnist::SpecProblem> problems;
    const mnist::NetworkSummary partial = mnist::analyzeNetwork(bad, &problems);
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].text() == "res: body gives [4, 4, 4] but the input is [5, 4, 4]; add a shortcut");
    CHECK(problems[0].layer == mnist::LayerLocation{{mnist::LayerStep::List::Layers, 4}});
    REQUIRE(partial.rows.size() == expected.size());
    CHECK(partial.rows[3].outputShape == std::vector<int64_t>{5, 4, 4});
    CHECK_FALSE(partial.rows[4].shapeKnown);
    CHECK_FALSE(partial.rows[6].shapeKnown);
    CHECK(partial.rows[7].shapeKnown); // a Linear's output does not depend on its input
    CHECK(partial.rows[7].parameters == 0);
    CHECK(partial.rows[7].type == mnist::LayerType::Linear);
    CHECK_THROWS_AS(mnist::describeNetwork(bad), mnist::NetworkSpecError);
    CHECK_THROWS_WITH(mnist::buildNetwork(bad), Contains("network Test: 1 problem in the network spec:\n  res: body gives"));
    CHECK(mnist::findLayer(bad, problems[0].layer) == &bad.layers[4]);
    CHECK(mnist::findLayer(bad, {{mnist::LayerStep::List::Layers, 4}, {mnist::LayerStep::List::Body, 0}}) ==
          &bad.layers[4].body[0]);
    CHECK(mnist::findLayer(bad, {{mnist::LayerStep::List::Layers, 9}}) == nullptr);
}

TEST_CASE("A spec file is read with errors that name the file", "[models][spec][io]")
{
    TempDir dir;
    const std::string good = dir.file("good.json");
    std::ofstream(good) << mnist::formatNetworkSpec(*mnist::findBuiltinNetworkSpec("LeNetBN"));
    CHECK(mnist::readNetworkSpecFile(good) == *mnist::findBuiltinNetworkSpec("LeNetBN"));

    const std::string broken = dir.file("broken.json");
    std::ofstream(broken) << "{\"name\": \"X\",\n  \"layers\": [}\n";
    CHECK_THROWS_WITH(mnist::readNetworkSpecFile(broken),
                      Contains(broken + ": 1 problem in the network spec:\n  not valid JSON at line 2, column 14"));
    CHECK_THROWS_AS(mnist::readNetworkSpecFile(broken), mnist::ConfigError);

    const std::string bad = dir.file("bad.json");
    std::ofstream(bad) << network({layer("Flatten"), layer("Linear", {{"out_features", 0}})}).dump();
    CHECK_THROWS_WITH(mnist::readNetworkSpecFile(bad), Contains(bad) && Contains("layers[1].out_features: must be positive"));

    CHECK_THROWS_AS(mnist::readNetworkSpecFile(dir.file("missing.json")), mnist::IoError);
    CHECK_THROWS_WITH(mnist::readNetworkSpecFile(dir.file("missing.json")), Contains("missing.json"));
}

TEST_CASE("The built-in networks are the notebook's eight and two more", "[models][spec]")
{
    std::vector<std::string> names;
    for (const auto& s : mnist::builtinNetworkSpecs())
        names.push_back(s.name);
    std::vector<std::string> expected = kNotebook;
    expected.push_back("DeepNoPool3");
    expected.push_back("ResNetSmall");
    CHECK(names == expected);
    for (const auto& a : mnist::architectures())
        CHECK(mnist::findBuiltinNetworkSpec(a.name)->description == a.description);
    CHECK(mnist::findBuiltinNetworkSpec("Nope") == nullptr);

    // The two beyond the notebook: no pooling and BatchNorm'd head; a residual network. Small
    // enough for a CPU (SimpleNet, the notebook's largest, has 20 M multiply-adds per image).
    const mnist::NetworkSummary deep = mnist::describeNetwork(*mnist::findBuiltinNetworkSpec("DeepNoPool3"));
    CHECK(deep.rows.back().type == mnist::LayerType::BatchNorm1d);
    for (const auto& r : deep.rows) {
        CHECK(r.type != mnist::LayerType::MaxPool2d);
        CHECK(r.type != mnist::LayerType::AvgPool2d);
    }
    CHECK(deep.parameters == 309812);
    CHECK(deep.multiplyAdds < 50'000'000);
    const mnist::NetworkSummary res = mnist::describeNetwork(*mnist::findBuiltinNetworkSpec("ResNetSmall"));
    CHECK(std::count_if(res.rows.begin(), res.rows.end(), [](const mnist::LayerRow& r) {
              return r.type == mnist::LayerType::Residual;
          }) == 3);
    CHECK(res.parameters < 100'000);
    CHECK(res.multiplyAdds < 15'000'000);
    for (const char* name : {"DeepNoPool3", "ResNetSmall"}) {
        INFO(name);
        torch::manual_seed(1);
        const auto net = mnist::buildNetwork(*mnist::findBuiltinNetworkSpec(name));
        const auto summary = mnist::describeNetwork(*mnist::findBuiltinNetworkSpec(name));
        CHECK(mnist::parameterCount(*net) == summary.parameters);
        const torch::Tensor y = net->forward(torch::randn({4, 1, 28, 28}));
        CHECK(y.sizes() == torch::IntArrayRef{4, 10});
        torch::NoGradGuard noGrad;
        net->eval();
        CHECK(net->forward(torch::randn({2, 1, 28, 28})).isfinite().all().item<bool>());
    }
}

TEST_CASE("A spec-built network has the state_dict its spec computes", "[models][spec]")
{
    torch::manual_seed(2);
    const mnist::NetworkSpec spec = parsed(everyLayerType());
    const auto net = mnist::buildNetwork(spec);
    const mnist::NamedTensors sd = mnist::stateDict(*net);
    const mnist::StateDictShapes expected = mnist::expectedStateDict(spec);
    REQUIRE(sd.size() == expected.size());
    for (size_t i = 0; i < sd.size(); ++i) {
        INFO(expected[i].first);
        CHECK(sd[i].first == expected[i].first);
        CHECK(sd[i].second.sizes().vec() == expected[i].second);
    }
    // Spot checks of PyTorch's names: keys, indices, body/shortcut, nesting; no bias where off.
    const auto has = [&](const std::string& name) {
        return std::any_of(sd.begin(), sd.end(), [&](const auto& e) { return e.first == name; });
    };
    CHECK(has("stem.0.weight"));
    CHECK_FALSE(has("stem.0.bias"));
    CHECK(has("stem.1.num_batches_tracked"));
    CHECK(has("1.weight"));
    CHECK(has("res.body.0.bias"));
    CHECK(has("res.shortcut.1.weight"));
    CHECK(has("inner.1.body.0.running_var"));
    CHECK(has("9.weight"));
    CHECK_FALSE(has("9.bias"));
    CHECK(has("10.running_mean"));
    CHECK(has("fc.bias"));
    CHECK(sd[0].second.sizes().vec() == std::vector<int64_t>{8, 1, 3, 5});
    CHECK(mnist::parameterCount(*net) == mnist::describeNetwork(spec).parameters);

    const torch::Tensor x = torch::randn({3, 1, 28, 28});
    net->train();
    const torch::Tensor y = net->forward(x);
    CHECK(y.sizes() == torch::IntArrayRef{3, 10});
    y.sum().backward();
    net->eval();
    {
        torch::NoGradGuard noGrad;
        const torch::Tensor e = net->forward(x);
        // Channels-last weights (the trainer's CPU layout) give the same outputs.
        mnist::setConvWeightLayout(*net, torch::MemoryFormat::ChannelsLast);
        const torch::Tensor cl = net->forward(x.contiguous(torch::MemoryFormat::ChannelsLast));
        mnist::setConvWeightLayout(*net, torch::MemoryFormat::Contiguous);
        CHECK(torch::allclose(cl, e, 1e-5, 1e-5));
    }

    // Saved and loaded through the existing safetensors code unchanged.
    TempDir dir;
    mnist::saveWeights(*net, dir.file("w.safetensors"));
    torch::manual_seed(3);
    const auto other = mnist::buildNetwork(spec);
    mnist::loadWeights(*other, dir.file("w.safetensors"));
    other->eval();
    torch::NoGradGuard noGrad;
    CHECK(torch::equal(other->forward(x), net->forward(x)));
}

TEST_CASE("A Residual adds its body to its input or to its shortcut", "[models][spec]")
{
    torch::NoGradGuard noGrad;
    torch::manual_seed(4);
    const mnist::NetworkSpec identity = parsed(network(
        {{{"name", "res"}, {"type", "Residual"}, {"body", {conv(1, 3, {{"padding", 1}}), layer("ReLU")}}}, layer("Flatten"),
         layer("Linear", {{"out_features", 10}})},
        {1, 6, 6}));
    const auto net = mnist::buildNetwork(identity);
    const torch::Tensor x = torch::randn({2, 1, 6, 6});
    auto* res = net->named_children()["res"]->as<mnist::ResidualImpl>();
    REQUIRE(res);
    auto* conv2d = res->body()->named_children()["0"]->as<torch::nn::Conv2d>();
    REQUIRE(conv2d);
    const torch::Tensor body = torch::relu(conv2d->forward(x));
    CHECK(torch::allclose(res->forward(x), body + x, 1e-6, 1e-6));
    CHECK(res->shortcut()->is_empty());

    const mnist::NetworkSpec withShortcut = parsed(network(
        {{{"name", "res"},
          {"type", "Residual"},
          {"body", {conv(2, 3, {{"stride", 2}, {"padding", 1}})}},
          {"shortcut", {conv(2, 1, {{"stride", 2}, {"bias", false}})}}},
         layer("Flatten"), layer("Linear", {{"out_features", 10}})},
        {1, 6, 6}));
    const auto net2 = mnist::buildNetwork(withShortcut);
    auto* res2 = net2->named_children()["res"]->as<mnist::ResidualImpl>();
    auto* b = res2->body()->named_children()["0"]->as<torch::nn::Conv2d>();
    auto* s = res2->shortcut()->named_children()["0"]->as<torch::nn::Conv2d>();
    REQUIRE((b && s));
    const torch::Tensor expected = b->forward(x) + s->forward(x);
    CHECK(torch::allclose(res2->forward(x), expected, 1e-6, 1e-6));
    const torch::Tensor logits = net2->forward(x);
    auto* fc = net2->named_children()["2"]->as<torch::nn::Linear>();
    REQUIRE(fc);
    CHECK(torch::allclose(logits, torch::linear(expected.flatten(1), fc->weight, fc->bias), 1e-6, 1e-6));
}

// The hand-written classes these specs replaced were checked equal to them (state_dict, eval
// logits bit for bit, one training step) before they were deleted (commit dd88617); the specs
// are held to PyTorch's reference below.

TEST_CASE("Each notebook spec reproduces PyTorch's reference state_dict and logits", "[models][spec]")
{
    if (!haveReference())
        return fixtures::skipTest("no reference values at " + std::string(MNIST_REFERENCE_DIR));
    std::ifstream in(std::string(MNIST_REFERENCE_DIR) + "/models/architectures.json");
    const json ref = json::parse(in).at("architectures");
    torch::NoGradGuard noGrad;
    for (const std::string& name : kNotebook) {
        INFO(name);
        const mnist::NetworkSpec& spec = *mnist::findBuiltinNetworkSpec(name);
        const json& r = ref.at(name);
        // Without LibTorch, from the spec alone.
        CHECK(mnist::describeNetwork(spec).parameters == r.at("parameters").get<int64_t>());
        const mnist::StateDictShapes computed = mnist::expectedStateDict(spec);
        REQUIRE(computed.size() == r.at("state_dict").size());
        for (size_t i = 0; i < computed.size(); ++i) {
            CHECK(computed[i].first == r["state_dict"][i][0].get<std::string>());
            CHECK(computed[i].second == r["state_dict"][i][1].get<std::vector<int64_t>>());
        }
        // Built, with PyTorch's weights.
        const auto tensors = mnist::readSafeTensors(std::string(MNIST_REFERENCE_DIR) + "/models/" + name + ".safetensors");
        const auto net = mnist::buildNetwork(spec);
        mnist::loadStateDict(*net, tensors);
        net->eval();
        const torch::Tensor logits = net->forward(tensors.at("__input__"));
        REQUIRE(logits.sizes() == tensors.at("__logits__").sizes());
        CHECK((logits - tensors.at("__logits__")).abs().max().item<double>() < 1e-4);
    }
}

TEST_CASE("A spec network pools before its ReLUs with PyTorch's outputs and gradients", "[models][spec]")
{
    const std::string name = GENERATE("LeNet", "LeNetDropBN", "LeNetDeep", "SimpleNet");
    CAPTURE(name);
    const mnist::NetworkSpec& spec = *mnist::findBuiltinNetworkSpec(name);
    mnist::SpecNetworkOptions early, last;
    early.poolEarly = true;
    last.poolEarly = false;
    torch::manual_seed(5);
    const auto a = mnist::buildNetwork(spec, early);
    const auto b = mnist::buildNetwork(spec, last);
    mnist::loadStateDict(*b, asMap(mnist::stateDict(*a)));
    const torch::Tensor input = torch::relu(torch::randn({16, 1, 28, 28}));
    const auto x = trainStep(*a, input);
    const auto y = trainStep(*b, input);
    REQUIRE(x.size() == y.size());
    for (size_t i = 0; i < x.size(); ++i) {
        CAPTURE(i);
        CHECK(torch::equal(x[i], y[i])); // value for value
    }

    // buildNetwork() takes the order from the environment, as forwardConvBlock() does.
    const char* before = std::getenv("MNIST_STUDIO_POOL_LAST");
    const std::string saved = before ? before : "";
    ::setenv("MNIST_STUDIO_POOL_LAST", "1", 1);
    const bool offWhenSet = !mnist::defaultSpecNetworkOptions().poolEarly;
    ::unsetenv("MNIST_STUDIO_POOL_LAST");
    const bool onByDefault = mnist::defaultSpecNetworkOptions().poolEarly;
    if (before)
        ::setenv("MNIST_STUDIO_POOL_LAST", saved.c_str(), 1);
    CHECK(offWhenSet);
    CHECK(onByDefault);
}

TEST_CASE("layerKeyRequired names exactly the keys the parser reports missing", "[models][spec]")
{
    // Every argument of every type with a value, then each left out in turn.
    const json full = {{"out_channels", 4}, {"kernel_size", 2}, {"stride", 1}, {"padding", 0}, {"groups", 1},
                       {"bias", true}, {"eps", 1e-5}, {"momentum", 0.1}, {"negative_slope", 0.01},
                       {"output_size", 1}, {"p", 0.5}, {"out_features", 10},
                       {"layers", json::array({{{"type", "ReLU"}}})}, {"body", json::array({{{"type", "ReLU"}}})},
                       {"shortcut", json::array()}};
    for (int t = 0; t < static_cast<int>(mnist::LayerType::Unknown); ++t) {
        const auto type = static_cast<mnist::LayerType>(t);
        for (const std::string& key : mnist::layerKeys(type)) {
            if (key == "name" || key == "type")
                continue;
            json layer = {{"type", mnist::layerTypeName(type)}};
            for (const std::string& k : mnist::layerKeys(type))
                if (k != "name" && k != "type" && k != key)
                    layer[k] = full.at(k);
            std::vector<mnist::SpecProblem> problems;
            mnist::parseNetworkSpec(json{{"name", "N"}, {"layers", json::array({layer})}}, problems);
            const bool missing = std::any_of(problems.begin(), problems.end(), [&](const mnist::SpecProblem& p) {
                return p.key == key && p.message.find("missing") != std::string::npos;
            });
            INFO(mnist::layerTypeName(type) << "." << key);
            CHECK(missing == mnist::layerKeyRequired(type, key));
        }
    }
}

namespace {

// A layer of `type` whose every argument differs from its default (a list holds one ReLU).
mnist::LayerSpec layerOffDefaults(mnist::LayerType type)
{
    mnist::LayerSpec l;
    l.type = type;
    l.name = "x";
    for (const mnist::LayerArgument& a : mnist::layerArguments(type)) {
        switch (a.kind) {
        case mnist::ArgumentKind::Integer: l.*a.integer = 3; break;
        case mnist::ArgumentKind::Size: l.*a.size = {3, 5}; break;
        case mnist::ArgumentKind::OptionalSize: l.*a.optionalSize = mnist::Size2{2, 4}; break;
        case mnist::ArgumentKind::Flag: l.*a.flag = !(l.*a.flag); break;
        case mnist::ArgumentKind::Real: l.*a.real = 0.25; break;
        case mnist::ArgumentKind::Layers: (l.*a.layers).emplace_back().type = mnist::LayerType::ReLU; break;
        }
    }
    return l;
}

} // namespace

TEST_CASE("Every layer type's arguments round-trip through the argument table", "[models][spec]")
{
    for (const mnist::LayerTypeInfo& info : mnist::layerTypeTable()) {
        INFO(info.name);
        const mnist::LayerSpec l = layerOffDefaults(info.type);
        mnist::NetworkSpec net;
        net.layers = {l};
        const json written = mnist::toJson(net)["layers"][0];
        // Every key of the type is written (the list in the table's order is layerKeys()).
        std::vector<std::string> keys{"name", "type"};
        for (const auto& a : info.arguments)
            keys.push_back(a.key);
        CHECK(keys == mnist::layerKeys(info.type));
        CHECK(written.size() == keys.size());
        std::vector<mnist::SpecProblem> problems;
        const mnist::NetworkSpec back = mnist::parseNetworkSpec(mnist::toJson(net), problems);
        REQUIRE(back.layers.size() == 1);
        CHECK(back.layers[0] == l);
        for (const mnist::LayerArgument& a : info.arguments) {
            INFO(a.key);
            CHECK(written.contains(a.key));
            CHECK(mnist::sameArgument(a, back.layers[0], l));
            // Each argument takes part in equality.
            mnist::LayerSpec changed = l;
            const mnist::LayerSpec fresh = [&] {
                mnist::LayerSpec d;
                d.type = info.type;
                return d;
            }();
            switch (a.kind) {
            case mnist::ArgumentKind::Integer: changed.*a.integer = fresh.*a.integer; break;
            case mnist::ArgumentKind::Size: changed.*a.size = {1, 7}; break;
            case mnist::ArgumentKind::OptionalSize: changed.*a.optionalSize = mnist::Size2{1, 7}; break;
            case mnist::ArgumentKind::Flag: changed.*a.flag = fresh.*a.flag; break;
            case mnist::ArgumentKind::Real: changed.*a.real = fresh.*a.real; break;
            case mnist::ArgumentKind::Layers: (changed.*a.layers).clear(); break;
            }
            CHECK(changed != l);
        }
    }
}

TEST_CASE("The argument table's defaults and starting values are PyTorch's and the editor's", "[models][spec]")
{
    using mnist::LayerType;
    const auto hint = [](LayerType t, const char* key) { return mnist::layerArgumentDefaultText(t, key); };
    CHECK(hint(LayerType::Conv2d, "stride") == "1");
    CHECK(hint(LayerType::Conv2d, "padding") == "0");
    CHECK(hint(LayerType::Conv2d, "groups") == "1");
    CHECK(hint(LayerType::Conv2d, "bias") == "true");
    CHECK(hint(LayerType::Conv2d, "out_channels").empty());
    CHECK(hint(LayerType::MaxPool2d, "stride") == "kernel_size");
    CHECK(hint(LayerType::AvgPool2d, "padding") == "0");
    CHECK(hint(LayerType::BatchNorm2d, "eps") == "1e-05");
    CHECK(hint(LayerType::BatchNorm1d, "momentum") == "0.1");
    CHECK(hint(LayerType::LeakyReLU, "negative_slope") == "0.01");
    CHECK(hint(LayerType::AdaptiveAvgPool2d, "output_size") == "1");
    CHECK(hint(LayerType::Dropout, "p") == "0.5");
    CHECK(hint(LayerType::Dropout2d, "p") == "0.5");
    CHECK(hint(LayerType::Linear, "bias") == "true");
    CHECK(hint(LayerType::Residual, "shortcut").empty());

    mnist::LayerSpec pool;
    pool.type = LayerType::MaxPool2d;
    pool.kernelSize = {3, 2};
    CHECK(mnist::effectiveStride(pool) == mnist::Size2{3, 2});
    mnist::LayerSpec conv;
    conv.type = LayerType::Conv2d;
    conv.kernelSize = {3, 3};
    CHECK(mnist::effectiveStride(conv) == mnist::Size2{1, 1});

    CHECK(mnist::isContainer(LayerType::Sequential));
    CHECK(mnist::isContainer(LayerType::Residual));
    CHECK_FALSE(mnist::isContainer(LayerType::Conv2d));
    CHECK_FALSE(mnist::isContainer(LayerType::Unknown));
}

TEST_CASE("The analyzer's layer tree gives each layer its key, prefix, shapes and children", "[models][spec]")
{
    using List = mnist::LayerStep::List;
    const mnist::NetworkSpec spec = mnist::networkSpecFromText(R"({"name": "Tree", "input": [1, 8, 8], "classes": 3,
      "layers": [
        {"name": "stem", "type": "Sequential", "layers": [{"type": "Conv2d", "out_channels": 4, "kernel_size": 3, "padding": 1}, {"type": "ReLU"}]},
        {"name": "res", "type": "Residual",
         "body": [{"type": "Conv2d", "out_channels": 6, "kernel_size": 3, "padding": 1, "bias": false},
                  {"name": "inner", "type": "Residual", "body": [{"type": "BatchNorm2d"}]}],
         "shortcut": [{"name": "proj", "type": "Conv2d", "out_channels": 6, "kernel_size": 1}]},
        {"type": "MaxPool2d", "kernel_size": 2},
        {"type": "Flatten"}, {"name": "fc", "type": "Linear", "out_features": 3}]})",
                                                               "tree test");
    const mnist::NetworkSummary s = mnist::describeNetwork(spec);
    REQUIRE(s.tree.size() == 5);
    const mnist::LayerNode& stem = s.tree[0];
    CHECK(stem.key == "stem");
    CHECK(stem.prefix == "stem");
    CHECK(stem.spec == &spec.layers[0]);
    REQUIRE(stem.children.size() == 2);
    CHECK(stem.children[0].key == "0");
    CHECK(stem.children[0].prefix == "stem.0");
    CHECK(stem.children[0].path == "stem.layers[0]");
    CHECK(stem.children[0].inputShape == std::vector<int64_t>{1, 8, 8});
    CHECK(stem.children[0].outputShape == std::vector<int64_t>{4, 8, 8});
    CHECK(stem.children[0].tensors == mnist::StateDictShapes{{"stem.0.weight", {4, 1, 3, 3}}, {"stem.0.bias", {4}}});
    CHECK(stem.parameters == 4 * 9 + 4);

    const mnist::LayerNode& res = s.tree[1];
    CHECK(res.inputShape == std::vector<int64_t>{4, 8, 8});
    CHECK(res.outputShape == std::vector<int64_t>{6, 8, 8});
    const auto body = res.childrenIn(List::Body);
    const auto shortcut = res.childrenIn(List::Shortcut);
    REQUIRE(body.size() == 2);
    REQUIRE(shortcut.size() == 1);
    CHECK(body[0]->prefix == "res.body.0");
    CHECK(body[0]->path == "res.body[0]");
    CHECK(body[0]->tensors == mnist::StateDictShapes{{"res.body.0.weight", {6, 4, 3, 3}}});
    CHECK(body[1]->key == "inner");
    CHECK(body[1]->prefix == "res.body.inner");
    CHECK(body[1]->path == "res.body.inner");
    CHECK(body[1]->depth == 1);
    REQUIRE(body[1]->children.size() == 1);
    CHECK(body[1]->children[0].depth == 2);
    CHECK(body[1]->children[0].prefix == "res.body.inner.body.0");
    CHECK(body[1]->children[0].inputShape == std::vector<int64_t>{6, 8, 8});
    CHECK(body[1]->children[0].layer ==
          mnist::LayerLocation{{List::Layers, 1}, {List::Body, 1}, {List::Body, 0}});
    CHECK(shortcut[0]->prefix == "res.shortcut.proj");
    CHECK(shortcut[0]->path == "res.shortcut.proj");
    CHECK(shortcut[0]->inputShape == std::vector<int64_t>{4, 8, 8});

    CHECK(s.tree[2].key == "2");
    CHECK(s.tree[2].path == "layers[2]");
    CHECK(s.tree[2].outputShape == std::vector<int64_t>{6, 4, 4});
    CHECK(s.tree[4].inputShape == std::vector<int64_t>{96});
    CHECK(s.tree[4].outputShape == std::vector<int64_t>{3});

    // The rows and the state_dict are the tree in forward order.
    std::vector<std::string> prefixes;
    for (const auto& r : s.rows)
        prefixes.push_back(r.prefix);
    CHECK(prefixes == std::vector<std::string>{"stem", "stem.0", "stem.1", "res", "res.body.0", "res.body.inner",
                                               "res.body.inner.body.0", "res.shortcut.proj", "2", "3", "fc"});
    std::vector<std::string> names;
    for (const auto& [name, shape] : mnist::expectedStateDict(spec))
        names.push_back(name);
    CHECK(names.front() == "stem.0.weight");
    CHECK(names.back() == "fc.bias");
    CHECK(std::count(names.begin(), names.end(), "res.body.inner.body.0.num_batches_tracked") == 1);
}
