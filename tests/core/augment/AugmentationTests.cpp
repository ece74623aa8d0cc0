#include "Error.h"
#include "augment/AugmentPreview.h"
#include "augment/BatchAugmenter.h"
#include "spec/TrainConfig.h"
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

namespace {

mnist::AffineParams oneAffine(double angle, double tx, double ty, double scale, double shearX, double shearY = 0)
{
    const auto t = [](double v) { return torch::full({1}, v, torch::kFloat64); };
    return {t(angle), t(tx), t(ty), t(scale), t(shearX), t(shearY)};
}

} // namespace

TEST_CASE("A random affine's shift moves the image by whole pixels, right and down, filling 0", "[augment][affine]")
{
    const torch::Tensor x = randomImages(1, 5);
    const torch::Tensor out = mnist::resampleAffine(x, mnist::affineTheta(oneAffine(0, 3, -2, 1, 0), 28, 28), false);
    // Content moves 3 right and 2 up: out[r][c] = x[r + 2][c - 3].
    torch::Tensor expected = torch::zeros_like(x);
    using torch::indexing::Slice;
    expected.index_put_({Slice(), Slice(), Slice(0, 26), Slice(3, 28)}, x.index({Slice(), Slice(), Slice(2, 28), Slice(0, 25)}));
    CHECK(torch::equal(out, expected));
}

TEST_CASE("A random affine's angle turns clockwise, the opposite of RandomRotation's", "[augment][affine]")
{
    const torch::Tensor x = randomImages(1, 6);
    const double degrees = GENERATE(90.0, 33.0, -12.5);
    const torch::Tensor affine = mnist::resampleAffine(x, mnist::affineTheta(oneAffine(degrees, 0, 0, 1, 0), 28, 28), true);
    const auto t = [](double v) { return torch::full({1}, v, torch::kFloat64); };
    const torch::Tensor rotation = mnist::affineResample(x, t(1), t(1), t(0), t(0), t(-degrees * kPi / 180.0), true);
    CHECK((affine - rotation).abs().max().item<float>() < 1e-5f);
}

TEST_CASE("A random affine's scale and shear act about the centre", "[augment][affine]")
{
    // A single bright pixel at (row 13, col 17), 3.5 pixels right of the centre (13.5, 13.5) and
    // 0.5 above it: scale 2 puts it at 7 right and 1 above (spread over 2x2 pixels, inside the image).
    torch::Tensor x = torch::zeros({1, 1, 28, 28});
    x.index_put_({0, 0, 13, 17}, 1.0);
    const auto centroid = [](const torch::Tensor& img) {
        const torch::Tensor m = img.view({28, 28});
        const torch::Tensor coords = torch::arange(28, torch::kFloat32) - 13.5f;
        const double mass = m.sum().item<double>();
        return std::pair<double, double>{(m.sum(1) * coords).sum().item<double>() / mass,
                                         (m.sum(0) * coords).sum().item<double>() / mass};
    };
    const auto [r2, c2] = centroid(mnist::resampleAffine(x, mnist::affineTheta(oneAffine(0, 0, 0, 2, 0), 28, 28), true));
    CHECK(r2 == Approx(-1.0).margin(0.05));
    CHECK(c2 == Approx(7.0).margin(0.05));
    // An x shear of 45 degrees moves a point by -y (torchvision: x' = x - tan(shear) * y); here y = -0.5.
    const auto [rs, cs] = centroid(mnist::resampleAffine(x, mnist::affineTheta(oneAffine(0, 0, 0, 1, 45), 28, 28), true));
    CHECK(rs == Approx(-0.5).margin(0.1));
    CHECK(cs == Approx(4.0).margin(0.1));
}

TEST_CASE("Random affine draws follow torchvision's get_params", "[augment][affine][statistics]")
{
    mnist::AugmentConfig c;
    c.affine = true;
    c.affineDegrees = 20;
    c.translateX = 0.2; // up to 5.6 pixels: whole shifts -6..6, the ends rare
    c.translateY = 0.1; // up to 2.8: -3..3
    c.affineScaleMin = 0.9;
    c.affineScaleMax = 1.1;
    c.shearMin = -10;
    c.shearMax = 5;
    const int64_t n = 40000;
    const mnist::AffineParams p = mnist::BatchAugmenter(c).sampleAffine(n, 28, 28, torch::TensorOptions(), mnist::makeCpuGenerator(8));
    CHECK(torch::equal(p.tx, p.tx.round()));
    CHECK(torch::equal(p.ty, p.ty.round()));
    CHECK(p.tx.abs().max().item<double>() == 6);
    CHECK(p.ty.abs().max().item<double>() == 3);
    // P(shift = 0) = 1 / (2 * 5.6); P(shift = 6) = 0.1 / 11.2.
    CHECK((p.tx == 0).to(torch::kFloat64).mean().item<double>() == Approx(1.0 / 11.2).margin(0.005));
    CHECK((p.tx == 6).to(torch::kFloat64).mean().item<double>() == Approx(0.1 / 11.2).margin(0.003));
    CHECK((p.ty == 3).to(torch::kFloat64).mean().item<double>() == Approx(0.3 / 5.6).margin(0.005));
    CHECK(p.angle.mean().item<double>() == Approx(0).margin(0.2));
    CHECK(p.angle.abs().max().item<double>() <= 20);
    CHECK(p.angle.std().item<double>() == Approx(20 / std::sqrt(3.0)).margin(0.2));
    CHECK(p.scale.min().item<double>() >= 0.9);
    CHECK(p.scale.max().item<double>() <= 1.1);
    CHECK(p.scale.mean().item<double>() == Approx(1.0).margin(0.002));
    CHECK(p.shearX.mean().item<double>() == Approx(-2.5).margin(0.1));
    CHECK(p.shearX.min().item<double>() >= -10);
    CHECK(p.shearX.max().item<double>() <= 5);
    CHECK(torch::equal(p.shearY, torch::zeros_like(p.shearY)));
}

TEST_CASE("Random affine settings are checked, saved and switched off with the others", "[augment][affine][config]")
{
    mnist::TrainConfig c;
    c.augment.affine = true;
    c.augment.translateX = 0.25;
    c.augment.translateY = 0.05; // x and y, not a range: y below x is fine
    c.augment.affineScaleMin = 0.9;
    c.augment.affineScaleMax = 1.1;
    c.augment.shearMin = -8;
    c.augment.shearMax = 8;
    c.augment.affineBilinear = true;
    CHECK(c.augment.validate().empty());
    const std::string text = mnist::toJsonText(c);
    CHECK_THAT(text, Contains("\"random_affine\""));
    const mnist::TrainConfig back = mnist::trainConfigFromJsonText(text);
    CHECK(mnist::toJsonText(back) == text);
    CHECK(back.augment.translateY == 0.05);
    CHECK(back.augment.affineBilinear);
    CHECK(mnist::BatchAugmenter(back.augment).config().randomActive());

    mnist::AugmentConfig bad = c.augment;
    bad.translateX = 1.5;
    bad.affineScaleMin = 1.2;
    bad.affineScaleMax = 0.9;
    bad.shearMax = 85;
    bad.affineDegrees = 200;
    std::string all;
    for (const auto& problem : bad.validate())
        all += problem + "\n";
    INFO(all);
    CHECK_THAT(all, Contains("translate"));
    CHECK_THAT(all, Contains("affine scale: minimum 1.2 exceeds maximum 0.9"));
    CHECK_THAT(all, Contains("shear"));
    CHECK_THAT(all, Contains("affine degrees"));

    const mnist::TrainConfig fromJson =
        mnist::trainConfigFromJsonText(R"({"augment": {"random_affine": {"degrees": 20, "translate": [0.2, 0.2]}}})");
    CHECK(fromJson.augment.affine);
    CHECK(fromJson.augment.affineDegrees == 20);
    CHECK(fromJson.augment.translateX == 0.2);
    CHECK(fromJson.augment.affineScaleMin == 1.0); // torchvision's scale=None
    CHECK_FALSE(fromJson.augment.affineBilinear);
}

TEST_CASE("Turning on a random affine keeps the earlier transforms' draws and changes the images", "[augment][affine]")
{
    mnist::AugmentConfig c = mnist::notebookAugmentation();
    const torch::Tensor x = randomImages(64, 9);
    const torch::Tensor before = mnist::BatchAugmenter(c).augment(x, mnist::makeCpuGenerator(3));
    c.affine = true;
    c.translateX = c.translateY = 0; // the identity map, drawn after crop and rotation
    const torch::Tensor identity = mnist::BatchAugmenter(c).augment(x, mnist::makeCpuGenerator(3));
    CHECK((identity - before).abs().max().item<float>() < 1e-5f);
    c.translateX = c.translateY = 0.2;
    const torch::Tensor shifted = mnist::BatchAugmenter(c).augment(x, mnist::makeCpuGenerator(3));
    CHECK((shifted - before).abs().max().item<float>() > 0.1f);
}
