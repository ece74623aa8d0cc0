// ONNX export checked by ONNX's own checker and run by an independent runtime (OpenCV's DNN module).
#include "TestPaths.h"
#include "Error.h"
#include "augment/BatchAugmenter.h"
#include "formats/OnnxExport.h"
#include "formats/StateDict.h"
#include "models/ModelRegistry.h"

#include "data/TempDir.h"

#include <catch2/catch.hpp>
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <opencv2/dnn.hpp>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <map>

using Catch::Matchers::Contains;

namespace {

torch::Tensor runOpenCv(const std::string& path, const torch::Tensor& input)
{
    cv::dnn::Net net = cv::dnn::readNetFromONNX(path);
    const torch::Tensor x = input.contiguous();
    const int dims[4] = {static_cast<int>(x.size(0)), 1, 28, 28};
    cv::Mat blob(4, dims, CV_32F, x.data_ptr<float>());
    net.setInput(blob, "input");
    cv::Mat out = net.forward("logits");
    return torch::from_blob(out.ptr<float>(), {out.size[0], out.size[1]}, torch::kFloat32).clone();
}

} // namespace

TEST_CASE("Every architecture exports to ONNX with PyTorch's predictions", "[io][onnx]")
{
    REQUIRE(mnist::onnxExportAvailable());
    TempDir dir;
    torch::NoGradGuard noGrad;
    for (const auto& arch : mnist::architectures()) {
        INFO(arch.name);
        const std::string reference = std::string(MNIST_REFERENCE_DIR) + "/models/" + arch.name + ".safetensors";
        const auto net = mnist::createNetwork(arch.name);
        std::map<std::string, torch::Tensor> tensors;
        if (std::filesystem::exists(reference)) {
            tensors = mnist::readSafeTensors(reference);
            mnist::loadStateDict(*net, tensors);
        }
        net->eval();
        if (tensors.empty()) {
            // Beyond the notebook (DeepNoPool3, ResNetSmall): no PyTorch reference, so ONNX must
            // give our own logits (model.py's PyTorch test covers these networks' side).
            torch::manual_seed(3);
            tensors["__input__"] = torch::rand({5, 1, 28, 28});
            tensors["__logits__"] = net->forward(tensors["__input__"]);
        }
        const std::string path = dir.file(arch.name + ".onnx");
        mnist::exportOnnx(*net, path);

        onnx::ModelProto model;
        std::ifstream in(path, std::ios::binary);
        REQUIRE(model.ParseFromIstream(&in));
        CHECK_NOTHROW(onnx::checker::check_model(model));
        CHECK(model.opset_import(0).version() >= 13);
        REQUIRE(model.graph().input_size() == 1);
        CHECK(model.graph().input(0).name() == "input");
        const auto& shape = model.graph().input(0).type().tensor_type().shape();
        REQUIRE(shape.dim_size() == 4);
        CHECK(shape.dim(0).has_dim_param()); // dynamic batch
        CHECK(shape.dim(3).dim_value() == 28);
        REQUIRE(model.graph().output_size() == 1);
        CHECK(model.graph().output(0).name() == "logits");

        const torch::Tensor input = tensors.at("__input__");
        const torch::Tensor onnxLogits = runOpenCv(path, input);
        CHECK((onnxLogits - tensors.at("__logits__")).abs().max().item<double>() < 1e-4);
        // A batch of another size runs through the same file.
        CHECK((runOpenCv(path, input.narrow(0, 0, 3)) - net->forward(input.narrow(0, 0, 3))).abs().max().item<double>() < 1e-4);
    }
}

TEST_CASE("ONNX export folds Normalize in front of the network", "[io][onnx]")
{
    TempDir dir;
    torch::NoGradGuard noGrad;
    const auto net = mnist::createNetwork("LeNetBN");
    net->eval();
    mnist::AugmentConfig pre;
    pre.normalize = true;
    pre.mean = 0.1307;
    pre.std = 0.3081;
    mnist::exportOnnx(*net, dir.file("n.onnx"), pre);
    const torch::Tensor x = torch::rand({5, 1, 28, 28});
    const torch::Tensor expected = net->forward(mnist::BatchAugmenter(pre).normalize(x));
    CHECK((runOpenCv(dir.file("n.onnx"), x) - expected).abs().max().item<double>() < 1e-4);
}

TEST_CASE("ONNX export to an unwritable place fails with the path and leaves nothing", "[io][onnx]")
{
    TempDir dir;
    const auto net = mnist::createNetwork("LeNet");
    const std::string path = dir.file("missing/model.onnx");
    CHECK_THROWS_WITH(mnist::exportOnnx(*net, path), Contains(path));
    CHECK(std::filesystem::is_empty(dir.path()));
}
