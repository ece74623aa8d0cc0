// The CPU augmentation kernel against the tensor-op path it replaces on the CPU (which GPUs still
// run): the same draws from the same generator, and the same pixels within float rounding.
#include "augment/BatchAugmenter.h"
#include "augment/CpuAugment.h"

#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <string>

namespace {

struct Case {
    std::string name;
    mnist::AugmentConfig config;
};

Case makeCase(const std::string& name)
{
    mnist::AugmentConfig c;
    if (name == "notebook")
        c = mnist::notebookAugmentation();
    else if (name == "light")
        c = mnist::lightAugmentation();
    else if (name == "rotation, nearest") {
        c.rotate = true;
        c.degrees = 30;
    } else if (name == "rotation, bilinear") {
        c.rotate = true;
        c.degrees = 45;
        c.rotateBilinear = true;
    } else if (name == "affine, nearest" || name == "affine, bilinear") {
        c.affine = true;
        c.affineDegrees = 15;
        c.translateX = 0.1;
        c.translateY = 0.2;
        c.affineScaleMin = 0.9;
        c.affineScaleMax = 1.1;
        c.shearMin = -8;
        c.shearMax = 5;
        c.affineBilinear = name == "affine, bilinear";
    } else if (name == "erasing") {
        c.erase = true;
        c.eraseP = 0.7;
    } else if (name == "everything") {
        c = mnist::notebookAugmentation();
        c.affine = true;
        c.affineDegrees = 10;
        c.affineScaleMin = 0.9;
        c.shearMax = 10;
        c.erase = true;
    }
    return {name, c};
}

// The fraction of pixels that differ by more than float rounding.
double mismatchFraction(const torch::Tensor& a, const torch::Tensor& b)
{
    return ((a - b).abs() > 1e-5f).to(torch::kFloat64).mean().item<double>();
}

} // namespace

TEST_CASE("The CPU augmentation kernel gives the tensor path's images from the same draws", "[augment][kernel]")
{
    const Case k = makeCase(GENERATE(as<std::string>{}, "notebook", "light", "rotation, nearest", "rotation, bilinear",
                                     "affine, nearest", "affine, bilinear", "erasing", "everything"));
    // A batch that is not a multiple of the kernel's chunk, and odd sizes with three channels.
    const auto shape = GENERATE(std::vector<int64_t>{257, 1, 28, 28}, std::vector<int64_t>{33, 3, 17, 23});
    INFO(k.name << ", shape " << torch::IntArrayRef(shape));
    const torch::Tensor x = torch::rand(shape, mnist::makeCpuGenerator(5), torch::kFloat32);
    const mnist::BatchAugmenter a(k.config);
    at::Generator g1 = mnist::makeCpuGenerator(11), g2 = mnist::makeCpuGenerator(11);
    const torch::Tensor ours = mnist::augmentOnCpu(k.config, x, g1);
    const torch::Tensor reference = a.augmentWithTensorOps(x, g2);
    REQUIRE(ours.sizes() == reference.sizes());
    // Both consumed the same draws: the generators are in the same state afterwards.
    CHECK(torch::equal(torch::rand({4}, g1, torch::kFloat64), torch::rand({4}, g2, torch::kFloat64)));
    if (k.name == "erasing") {
        CHECK(torch::equal(ours, reference)); // a copy and zeroed rectangles: nothing to round
    } else if (mnist::resamplesBilinear(k.config)) {
        CHECK((ours - reference).abs().max().item<float>() < 1e-5f);
    } else {
        // Nearest picks a neighbour only where a source coordinate is within float rounding of a
        // pixel boundary: a few pixels in a hundred thousand.
        CHECK(mismatchFraction(ours, reference) < 1e-3);
    }
    CHECK_FALSE(torch::equal(ours, x));
    // augment() on the CPU is this kernel.
    CHECK(torch::equal(a.augment(x, mnist::makeCpuGenerator(11)), ours));
}

TEST_CASE("The CPU augmentation kernel reads strided batches and refuses other inputs", "[augment][kernel]")
{
    const mnist::AugmentConfig c = makeCase("everything").config;
    const torch::Tensor wide = torch::rand({40, 1, 28, 56}, mnist::makeCpuGenerator(8), torch::kFloat32);
    const torch::Tensor strided = wide.narrow(3, 10, 28);
    REQUIRE_FALSE(strided.is_contiguous());
    const torch::Tensor before = wide.clone();
    const torch::Tensor ours = mnist::augmentOnCpu(c, strided, mnist::makeCpuGenerator(2));
    const torch::Tensor copy = mnist::augmentOnCpu(c, strided.contiguous(), mnist::makeCpuGenerator(2));
    CHECK(torch::equal(ours, copy));
    CHECK((ours - mnist::BatchAugmenter(c).augmentWithTensorOps(strided, mnist::makeCpuGenerator(2))).abs().max().item<float>() < 1e-5f);
    CHECK(torch::equal(wide, before)); // the input is left alone

    CHECK_THROWS_WITH(mnist::augmentOnCpu(c, torch::rand({2, 28, 28}), c10::nullopt), Catch::Contains("float32 [N, C, H, W]"));
    CHECK_THROWS(mnist::augmentOnCpu(c, torch::rand({2, 1, 28, 28}, torch::kFloat64), c10::nullopt));
    // Other dtypes still go through the tensor ops.
    const torch::Tensor dbl = torch::rand({3, 1, 28, 28}, torch::kFloat64);
    CHECK(mnist::BatchAugmenter(c).augment(dbl, mnist::makeCpuGenerator(1)).scalar_type() == torch::kFloat64);
}

TEST_CASE("The CPU augmentation kernel handles an empty batch and one image", "[augment][kernel]")
{
    const mnist::AugmentConfig c = makeCase("everything").config;
    CHECK(mnist::augmentOnCpu(c, torch::zeros({0, 1, 28, 28}), mnist::makeCpuGenerator(1)).size(0) == 0);
    const torch::Tensor one = torch::rand({1, 1, 28, 28}, mnist::makeCpuGenerator(3), torch::kFloat32);
    const torch::Tensor ours = mnist::augmentOnCpu(c, one, mnist::makeCpuGenerator(4));
    CHECK((ours - mnist::BatchAugmenter(c).augmentWithTensorOps(one, mnist::makeCpuGenerator(4))).abs().max().item<float>() < 1e-5f);
}
