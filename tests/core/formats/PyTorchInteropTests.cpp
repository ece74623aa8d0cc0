// model.py against real PyTorch: Debian's python3-torch, installed by scripts/setup.sh; without it
// the test reports itself skipped.
#include "data/SkipTest.h"
#include "data/NetworkFixtures.h"
#include "data/TempDir.h"

#include "TestPaths.h"

#include "augment/BatchAugmenter.h"
#include "formats/ModelPy.h"
#include "formats/SafeTensors.h"
#include "formats/StateDict.h"
#include "models/ModelRegistry.h"
#include "spec/NetworkSpec.h"
#include "models/SpecNetwork.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

// Debian's python3-torch belongs to /usr/bin/python3; a python3 earlier on PATH (pyenv, a venv)
// may not have it.
std::string python()
{
    return std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}



} // namespace

TEST_CASE("model.py builds in PyTorch the network of every spec, loads our weights and gives our logits",
          "[pytorch][interop]")
{
    if (std::system((python() + " -c 'import torch' > /dev/null 2>&1").c_str()) != 0)
        return fixtures::skipTest("python3 with torch is not installed (scripts/setup.sh installs python3-torch)");
    TempDir dir;
    std::vector<mnist::NetworkSpec> specs = mnist::builtinNetworkSpecs();
    specs.push_back(mnist::readNetworkSpecFile(std::string(MNIST_SOURCE_DIR) + "/tests/data/specs/every-layer.json"));
    int seed = 0;
    for (const mnist::NetworkSpec& spec : specs) {
        INFO(spec.name);
        const std::string folder = dir.file(spec.name);
        std::filesystem::create_directories(folder);
        const auto net = fixtures::evalNetwork(spec, static_cast<uint64_t>(++seed));
        const torch::Tensor input = torch::rand({4, spec.input[0], spec.input[1], spec.input[2]});
        torch::Tensor logits;
        {
            torch::NoGradGuard noGrad;
            logits = net->forward(input);
        }
        // Our own side first: what we claim equals what we built.
        nlohmann::json stateDict = nlohmann::json::array();
        const mnist::StateDictShapes expected = mnist::expectedStateDict(spec);
        const mnist::NamedTensors built = mnist::stateDict(*net);
        REQUIRE(built.size() == expected.size());
        for (size_t i = 0; i < expected.size(); ++i) {
            CHECK(built[i].first == expected[i].first);
            CHECK(built[i].second.sizes().vec() == expected[i].second);
            stateDict.push_back({expected[i].first, expected[i].second});
        }
        const int64_t parameters = mnist::parameterCount(*net);
        CHECK(parameters == mnist::describeNetwork(spec).parameters);
        std::ofstream(folder + "/expected.json") << nlohmann::json{{"parameters", parameters}, {"state_dict", stateDict}}.dump();
        mnist::saveWeights(*net, folder + "/model.safetensors");
        mnist::writeSafeTensors(folder + "/io.safetensors", {{"input", input}, {"logits", logits}});
        mnist::writeModelPy(folder + "/model.py", spec, mnist::InputNormalization{0.1307, 0.3081});
    }
    const std::string log = dir.file("pytorch.log");
    const std::string command = python() + " " + std::string(MNIST_SOURCE_DIR) + "/tests/pytorch/check_model_py.py " +
                                dir.path().string() + " > " + log + " 2>&1";
    const int rc = std::system(command.c_str());
    INFO(fixtures::readText(log));
    CHECK(rc == 0);
    CHECK(fixtures::readText(log).find("all passed") != std::string::npos);
}

TEST_CASE("The random affine equals torchvision's affine for shifts, angles, scales and shears", "[pytorch][interop][augment]")
{
    if (std::system((python() + " -c 'import torchvision' > /dev/null 2>&1").c_str()) != 0)
        return fixtures::skipTest("python3 with torchvision is not installed (scripts/setup.sh installs python3-torchvision)");
    TempDir dir;
    // A non-square image as well checks the normalised coordinates' aspect.
    const int64_t height = GENERATE(28, 20), width = 28;
    const torch::Tensor image = torch::rand({1, 1, height, width}, torch::kFloat32);
    struct Case {
        double angle, tx, ty, scale, shearX, shearY;
        bool bilinear;
    };
    const std::vector<Case> cases = {{0, 3, -2, 1, 0, 0, false},    {25, 0, 0, 1, 0, 0, false},   {-17.3, 2, 4, 1.15, 0, 0, true},
                                     {10, -3, 1, 0.85, 12, 0, true}, {0, 0, 0, 1, -20, 0, false},  {5, 1, -1, 1.3, 8, 6, true},
                                     {180, 5, 5, 0.7, 0, 0, true}};
    nlohmann::json out;
    const auto rows = [](const torch::Tensor& t) { // [1, H, W] as nested lists
        const torch::Tensor c = t.contiguous().to(torch::kFloat64);
        nlohmann::json img = nlohmann::json::array();
        for (int64_t r = 0; r < c.size(1); ++r) {
            nlohmann::json row = nlohmann::json::array();
            for (int64_t col = 0; col < c.size(2); ++col)
                row.push_back(c[0][r][col].item<double>());
            img.push_back(row);
        }
        return nlohmann::json::array({img});
    };
    out["image"] = rows(image[0]);
    out["max_nearest_flips"] = 3;
    for (const Case& k : cases) {
        const auto t = [](double v) { return torch::full({1}, v, torch::kFloat64); };
        const mnist::AffineParams p{t(k.angle), t(k.tx), t(k.ty), t(k.scale), t(k.shearX), t(k.shearY)};
        const torch::Tensor ours = mnist::resampleAffine(image, mnist::affineTheta(p, height, width), k.bilinear);
        out["cases"].push_back({{"angle", k.angle}, {"tx", k.tx}, {"ty", k.ty}, {"scale", k.scale}, {"shear_x", k.shearX},
                                {"shear_y", k.shearY}, {"bilinear", k.bilinear}, {"ours", rows(ours[0])}});
    }
    const std::string input = dir.file("affine.json"), log = dir.file("torchvision.log");
    std::ofstream(input) << out.dump();
    const std::string command = python() + " " + std::string(MNIST_SOURCE_DIR) + "/tests/pytorch/check_affine.py " + input +
                                " > " + log + " 2>&1";
    const int rc = std::system(command.c_str());
    INFO(fixtures::readText(log));
    CHECK(rc == 0);
    CHECK(fixtures::readText(log).find("all passed") != std::string::npos);
}
