#include "Error.h"
#include "augment/AugmentPreview.h"
#include "augment/BatchAugmenter.h"
#include "train/TrainConfig.h"
#include "train/Trainer.h"

#include "data/IdxFixtures.h"
#include "data/TempDir.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <random>

using Catch::Matchers::Contains;

namespace {

constexpr double kPi = 3.14159265358979323846;

// torchvision's RandomResizedCrop.get_params / RandomErasing.get_params written out one image at a
// time, as the reference the batched draws are compared with.
struct ScalarBox {
    int h = 0, w = 0;
    bool accepted = false;
};

ScalarBox torchvisionCrop(std::mt19937_64& rng, int H, int W, double s0, double s1, double r0, double r1)
{
    std::uniform_real_distribution<double> u(0, 1);
    const double area = H * W;
    for (int attempt = 0; attempt < 10; ++attempt) {
        const double target = area * (s0 + (s1 - s0) * u(rng));
        const double aspect = std::exp(std::log(r0) + (std::log(r1) - std::log(r0)) * u(rng));
        const int w = static_cast<int>(std::nearbyint(std::sqrt(target * aspect)));
        const int h = static_cast<int>(std::nearbyint(std::sqrt(target / aspect)));
        if (0 < w && w <= W && 0 < h && h <= H)
            return {h, w, true};
    }
    return {H, W, false};
}

ScalarBox torchvisionErase(std::mt19937_64& rng, int H, int W, double p, double s0, double s1, double r0, double r1)
{
    std::uniform_real_distribution<double> u(0, 1);
    if (!(u(rng) < p))
        return {};
    const double area = H * W;
    for (int attempt = 0; attempt < 10; ++attempt) {
        const double target = area * (s0 + (s1 - s0) * u(rng));
        const double aspect = std::exp(std::log(r0) + (std::log(r1) - std::log(r0)) * u(rng));
        const int h = static_cast<int>(std::nearbyint(std::sqrt(target * aspect)));
        const int w = static_cast<int>(std::nearbyint(std::sqrt(target / aspect)));
        if (h < H && w < W)
            return {h, w, true};
    }
    return {};
}

torch::Tensor randomImages(int64_t n, uint64_t seed)
{
    return torch::rand({n, 1, 28, 28}, mnist::makeCpuGenerator(seed), torch::kFloat32);
}

} // namespace

TEST_CASE("Augmentation is the identity when every transform is off or degenerate", "[augment]")
{
    const torch::Tensor x = randomImages(16, 1);
    SECTION("all off")
    {
        const mnist::BatchAugmenter a({});
        CHECK(torch::equal(a.augment(x), x));
        CHECK(torch::equal(a.normalize(x), x));
    }
    SECTION("rotation by 0 degrees")
    {
        mnist::AugmentConfig c;
        c.rotate = true;
        c.degrees = 0;
        CHECK(torch::equal(mnist::BatchAugmenter(c).augment(x, mnist::makeCpuGenerator(3)), x));
    }
    SECTION("crop of scale (1, 1) and ratio (1, 1)")
    {
        mnist::AugmentConfig c;
        c.crop = true;
        c.cropScaleMin = c.cropScaleMax = 1.0;
        c.cropRatioMin = c.cropRatioMax = 1.0;
        CHECK(torch::allclose(mnist::BatchAugmenter(c).augment(x, mnist::makeCpuGenerator(3)), x, 0, 1e-5));
    }
    SECTION("erasing with p = 0")
    {
        mnist::AugmentConfig c;
        c.erase = true;
        c.eraseP = 0;
        CHECK(torch::equal(mnist::BatchAugmenter(c).augment(x, mnist::makeCpuGenerator(3)), x));
    }
}

TEST_CASE("A 90-degree rotation turns the image counter-clockwise about its centre", "[augment]")
{
    torch::Tensor x = torch::zeros({2, 1, 28, 28});
    x[0][0][13][20] = 1.0; // right of the centre
    x[1] = torch::rand({1, 28, 28});
    const torch::Tensor ones = torch::ones({2}, torch::kFloat64), zeros = torch::zeros({2}, torch::kFloat64);
    const torch::Tensor angle = torch::full({2}, kPi / 2, torch::kFloat64);
    const torch::Tensor out = mnist::affineResample(x, ones, ones, zeros, zeros, angle, false);
    CHECK(out[0][0][7][13].item<float>() == 1.0f); // now above the centre
    CHECK(out[0].sum().item<float>() == 1.0f);
    // On an even-sized grid a quarter turn maps pixels onto pixels: exactly numpy's rot90.
    CHECK(torch::equal(out, torch::rot90(x, 1, {2, 3})));
    // Corners that come from outside the image are filled with 0 at 45 degrees.
    const torch::Tensor diag = mnist::affineResample(torch::ones({1, 1, 28, 28}), ones.narrow(0, 0, 1), ones.narrow(0, 0, 1),
                                                     zeros.narrow(0, 0, 1), zeros.narrow(0, 0, 1),
                                                     torch::full({1}, kPi / 4, torch::kFloat64), false);
    CHECK(diag[0][0][0][0].item<float>() == 0.0f);
    CHECK(diag[0][0][14][14].item<float>() == 1.0f);
}

TEST_CASE("A crop box resamples the chosen region onto the whole image", "[augment]")
{
    // Left half of the image, stretched: column c of the output shows column c/2 of the input.
    torch::Tensor x = torch::arange(28, torch::kFloat32).view({1, 1, 1, 28}).expand({1, 1, 28, 28}).contiguous();
    const torch::Tensor one = torch::ones({1}, torch::kFloat64);
    const torch::Tensor out = mnist::affineResample(x, one * 0.5, one, one * -0.5, one * 0, one * 0, true);
    CHECK(out[0][0][5][9].item<float>() == Approx((9 + 0.5) * 0.5 - 0.5).margin(1e-4));
    CHECK(out[0][0][5][26].item<float>() == Approx((26 + 0.5) * 0.5 - 0.5).margin(1e-4));
}

TEST_CASE("Crop boxes follow torchvision's distribution, including scales above 1", "[augment][statistics]")
{
    const auto [s0, s1] = GENERATE(std::make_pair(0.08, 1.0), std::make_pair(0.8, 1.2), std::make_pair(1.5, 3.0));
    INFO("scale " << s0 << ".." << s1);
    mnist::AugmentConfig c;
    c.crop = true;
    c.cropScaleMin = s0;
    c.cropScaleMax = s1;
    const int64_t n = 20000;
    const mnist::CropBoxes b = mnist::BatchAugmenter(c).sampleCrops(n, 28, 28, torch::TensorOptions(), mnist::makeCpuGenerator(7));

    std::mt19937_64 rng(11);
    double refAccepted = 0, refArea = 0, refLogAspect = 0;
    for (int i = 0; i < n; ++i) {
        const ScalarBox r = torchvisionCrop(rng, 28, 28, s0, s1, 3.0 / 4, 4.0 / 3);
        refAccepted += r.accepted;
        refArea += r.h * r.w / 784.0;
        refLogAspect += std::log(double(r.w) / r.h);
    }
    const torch::Tensor area = (b.height * b.width).to(torch::kFloat64) / 784.0;
    const double accepted = b.accepted.to(torch::kFloat64).mean().item<double>();
    CHECK(accepted == Approx(refAccepted / n).margin(0.015));
    CHECK(area.mean().item<double>() == Approx(refArea / n).margin(0.01));
    CHECK((b.width.to(torch::kFloat64) / b.height).log().mean().item<double>() == Approx(refLogAspect / n).margin(0.01));
    // Boxes lie inside the image.
    CHECK((b.top >= 0).all().item<bool>());
    CHECK((b.top + b.height <= 28).all().item<bool>());
    CHECK((b.left + b.width <= 28).all().item<bool>());
    if (s0 > 1.4) // every attempt needs more than the whole image: always the centre-crop fallback
        CHECK(accepted == 0.0);
}

TEST_CASE("Erasing follows torchvision's probability and area distribution", "[augment][statistics]")
{
    mnist::AugmentConfig c;
    c.erase = true;
    c.eraseP = 0.5;
    c.eraseScaleMin = 0.02;
    c.eraseScaleMax = 0.2;
    const int64_t n = 20000;
    const mnist::EraseBoxes b = mnist::BatchAugmenter(c).sampleErasures(n, 28, 28, torch::TensorOptions(), mnist::makeCpuGenerator(5));
    std::mt19937_64 rng(13);
    double refApplied = 0, refArea = 0;
    for (int i = 0; i < n; ++i) {
        const ScalarBox r = torchvisionErase(rng, 28, 28, 0.5, 0.02, 0.2, 0.3, 3.3);
        refApplied += r.accepted;
        refArea += r.accepted ? r.h * r.w / 784.0 : 0;
    }
    const torch::Tensor applied = b.applied.to(torch::kFloat64);
    CHECK(applied.mean().item<double>() == Approx(refApplied / n).margin(0.015));
    const torch::Tensor area = (b.height * b.width).to(torch::kFloat64) / 784.0 * applied;
    CHECK(area.sum().item<double>() / applied.sum().item<double>() == Approx(refArea / refApplied).margin(0.005));

    // The pixels really erased are the boxes' pixels.
    const torch::Tensor ones = torch::ones({64, 1, 28, 28});
    const torch::Tensor out = mnist::BatchAugmenter(c).augment(ones, mnist::makeCpuGenerator(9));
    const mnist::EraseBoxes same = mnist::BatchAugmenter(c).sampleErasures(64, 28, 28, torch::TensorOptions(), mnist::makeCpuGenerator(9));
    const torch::Tensor zeros = (out == 0).sum({1, 2, 3});
    CHECK(torch::equal(zeros, same.height * same.width * same.applied.to(torch::kInt64)));
}

TEST_CASE("Rotation angles are uniform in [-degrees, degrees]", "[augment][statistics]")
{
    // A bright pixel's position after rotation (bilinear, so its centroid is exact) reveals the angle.
    mnist::AugmentConfig c;
    c.rotate = true;
    c.rotateBilinear = true;
    c.degrees = 30;
    const int64_t n = 4000;
    torch::Tensor x = torch::zeros({n, 1, 28, 28});
    x.select(2, 13).select(2, 26).fill_(1.0); // (row 13, col 26): right of the centre
    const torch::Tensor out = mnist::BatchAugmenter(c).augment(x, mnist::makeCpuGenerator(21)).view({n, 28, 28});
    const torch::Tensor coords = torch::arange(28, torch::kFloat32) - 13.5f;
    const torch::Tensor mass = out.sum({1, 2});
    const torch::Tensor r = (out.sum(2) * coords).sum(1) / mass;
    const torch::Tensor col = (out.sum(1) * coords).sum(1) / mass;
    const double start = std::atan2(0.5, 12.5); // the pixel's own angle, screen y pointing down
    const torch::Tensor angle = (torch::atan2(-r, col).to(torch::kFloat64) - start) * (180.0 / kPi);
    CHECK(angle.mean().item<double>() == Approx(0).margin(0.6));
    CHECK(angle.abs().max().item<double>() < 30.5);
    CHECK(angle.abs().max().item<double>() > 29.0);
    CHECK(angle.std().item<double>() == Approx(30.0 / std::sqrt(3.0)).margin(0.6)); // uniform's sd
}

TEST_CASE("The same seed gives the same augmented batch, for batches of 1 and 1000", "[augment]")
{
    mnist::AugmentConfig c = mnist::notebookAugmentation();
    c.erase = true;
    const int64_t n = GENERATE(1, 1000);
    const torch::Tensor x = randomImages(n, 2);
    const mnist::BatchAugmenter a(c);
    const torch::Tensor one = a.augment(x, mnist::makeCpuGenerator(42));
    const torch::Tensor two = a.augment(x, mnist::makeCpuGenerator(42));
    const torch::Tensor other = a.augment(x, mnist::makeCpuGenerator(43));
    CHECK(one.sizes() == x.sizes());
    CHECK(torch::equal(one, two));
    CHECK_FALSE(torch::equal(one, other));
    CHECK(one.min().item<float>() >= 0.0f);
    CHECK(one.max().item<float>() <= 1.0f);
}

TEST_CASE("Invalid augmentation parameters are refused in words", "[augment][config]")
{
    mnist::AugmentConfig c;
    c.crop = true;
    c.cropScaleMin = 0;
    c.cropScaleMax = 4.5;
    c.cropRatioMin = 2;
    c.cropRatioMax = 1;
    c.rotate = true;
    c.degrees = -5;
    c.erase = true;
    c.eraseP = 1.5;
    c.normalize = true;
    c.std = 0;
    const auto problems = c.validate();
    std::string all;
    for (const auto& p : problems)
        all += p + "\n";
    INFO(all);
    for (const char* words : {"crop scale must lie in (0, 4]", "crop ratio: minimum 2 exceeds maximum 1", "rotation degrees",
                              "erasing probability", "normalize std"})
        CHECK_THAT(all, Contains(words));
    c = {};
    c.crop = true;
    c.cropScaleMin = 0.8;
    c.cropScaleMax = 4.0; // the largest legal scale
    CHECK(c.validate().empty());
}

TEST_CASE("Augmentation settings round-trip through the config JSON", "[augment][config]")
{
    mnist::TrainConfig c;
    c.augment = mnist::notebookAugmentation();
    c.augment.erase = true;
    c.augment.eraseP = 0.25;
    c.augment.normalize = true;
    c.augment.rotateBilinear = true;
    const mnist::TrainConfig back = mnist::trainConfigFromJsonText(mnist::toJsonText(c));
    CHECK(mnist::toJsonText(back) == mnist::toJsonText(c));
    CHECK(back.augment.cropScaleMax == 1.2);
    CHECK(back.augment.eraseP == 0.25);
    CHECK(back.augment.rotateBilinear);
    CHECK_THROWS_WITH(mnist::trainConfigFromJsonText(R"({"augment": {"random_flip": {}}})"), Contains("random_flip"));
}

TEST_CASE("The preview returns the requested samples and follows the settings", "[augment]")
{
    TempDir dir;
    fixtures::writeSyntheticDataset(dir.path().string(), 50, 10);
    const mnist::Dataset train = mnist::loadIdxFolder(dir.path().string(), true);
    mnist::AugmentConfig c;
    const auto plain = mnist::previewAugmentation(train, {3, 0, 7}, c, 1);
    REQUIRE(plain.samples.size() == 3);
    CHECK(plain.samples[0].index == 3);
    CHECK(plain.samples[0].label == train.labels[3].item<int64_t>());
    CHECK(plain.samples[0].original.size() == 784);
    CHECK(plain.samples[0].augmented == plain.samples[0].original);

    c.rotate = true;
    c.normalize = true;
    const auto rotated = mnist::previewAugmentation(train, {3, 0, 7}, c, 1);
    CHECK(rotated.samples[0].augmented != plain.samples[0].augmented);
    const auto& values = rotated.samples[0].augmented;
    CHECK(rotated.samples[0].augmentedMin == *std::min_element(values.begin(), values.end()));
    CHECK(rotated.samples[0].augmentedMax == *std::max_element(values.begin(), values.end()));
    CHECK(rotated.samples[0].augmentedMin >= -1.0f); // Normalize(0.5, 0.5) maps [0, 1] to [-1, 1]
    CHECK(rotated.samples[0].augmentedMax <= 1.0f);
    CHECK(rotated.samples[0].augmentedMin < 0.0f);
    CHECK(mnist::previewAugmentation(train, {3, 0, 7}, c, 1).samples[1].augmented == rotated.samples[1].augmented);
    CHECK_THROWS_AS(mnist::previewAugmentation(train, {50}, c, 1), mnist::DataError);
}

TEST_CASE("Training with augmentation off is identical whatever the unused parameters", "[augment][train]")
{
    TempDir dir;
    fixtures::writeSyntheticDataset(dir.path().string(), 300, 60);
    const auto splits = mnist::loadSplits(dir.path().string());
    mnist::TrainConfig c;
    c.epochs = 1;
    c.batchSize = 30;
    c.lr = 1e-3;
    c.device = "cpu";
    struct Null : mnist::TrainingObserver {} obs;
    mnist::StopToken stop;
    const auto base = mnist::Trainer(c).run(splits, obs, stop);
    c.augment.cropScaleMin = 0.3; // parameters of transforms that stay off
    c.augment.degrees = 90;
    const auto off = mnist::Trainer(c).run(splits, obs, stop);
    CHECK(off.epochs[0].trainLoss == base.epochs[0].trainLoss);
    CHECK(off.epochs[0].validLoss == base.epochs[0].validLoss);
    c.augment = mnist::notebookAugmentation();
    const auto on = mnist::Trainer(c).run(splits, obs, stop);
    const auto again = mnist::Trainer(c).run(splits, obs, stop);
    CHECK(on.epochs[0].trainLoss != base.epochs[0].trainLoss);
    CHECK(on.epochs[0].trainLoss == again.epochs[0].trainLoss);
    // Augmentation never touches the valid split: with the same weights the valid loss would match,
    // so only the training loss path changes. Normalize, by contrast, changes every split.
    c.augment = {};
    c.augment.normalize = true;
    const auto normalized = mnist::Trainer(c).run(splits, obs, stop);
    CHECK(normalized.epochs[0].validLoss != base.epochs[0].validLoss);
}
