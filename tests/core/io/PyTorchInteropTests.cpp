// model.py against real PyTorch: Debian's python3-torch, installed by scripts/setup.sh; without it
// the test reports itself skipped.
#include "data/SkipTest.h"
#include "data/NetworkFixtures.h"
#include "data/TempDir.h"

#include "TestPaths.h"

#include "io/ModelPy.h"
#include "io/SafeTensors.h"
#include "io/StateDict.h"
#include "models/ModelRegistry.h"
#include "models/NetworkSpec.h"
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
