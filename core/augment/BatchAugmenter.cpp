#include "augment/BatchAugmenter.h"

#include "Error.h"
#include "augment/AffineMaps.h"
#include "augment/CpuAugment.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <cmath>

namespace F = torch::nn::functional;

namespace mnist {
namespace {

constexpr double kPi = 3.14159265358979323846;

// U(lo, hi) of the given shape, float64, on the options' device.
torch::Tensor uniform(torch::IntArrayRef shape, double lo, double hi, const torch::TensorOptions& opts,
                      const c10::optional<at::Generator>& gen)
{
    return torch::rand(shape, gen, opts.dtype(torch::kFloat64)) * (hi - lo) + lo;
}

// Index of the first true entry of each row of `ok` [N, K] (0 when none).
torch::Tensor firstTrue(const torch::Tensor& ok)
{
    // argmax returns the first maximal index; int8 keeps the reduction cheap.
    return ok.to(torch::kInt8).argmax(1, /*keepdim=*/true);
}

} // namespace

bool resamplesBilinear(const AugmentConfig& c)
{
    return c.crop || (c.rotate && c.rotateBilinear) || (c.affine && c.affineBilinear);
}

at::Generator makeCpuGenerator(uint64_t seed)
{
    return at::detail::createCPUGenerator(seed);
}

namespace {

// A batch of maps as grid_sample's theta, [N, 2, 3].
torch::Tensor toTheta(const affine::Map<torch::Tensor>& m)
{
    return torch::stack({torch::stack({m.a00, m.a01, m.a02}, 1), torch::stack({m.a10, m.a11, m.a12}, 1)}, 1);
}

} // namespace

torch::Tensor resampleAffine(const torch::Tensor& x, const torch::Tensor& theta, bool bilinear)
{
    const torch::Tensor grid = F::affine_grid(theta.to(x.scalar_type()), x.sizes(), /*align_corners=*/false);
    auto options = F::GridSampleFuncOptions().padding_mode(torch::kZeros).align_corners(false);
    if (bilinear)
        options.mode(torch::kBilinear);
    else
        options.mode(torch::kNearest);
    return F::grid_sample(x, grid, options);
}

torch::Tensor affineResample(const torch::Tensor& x, const torch::Tensor& sx, const torch::Tensor& sy, const torch::Tensor& cx,
                             const torch::Tensor& cy, const torch::Tensor& angleRadians, bool bilinear)
{
    return resampleAffine(x, toTheta(affine::cropRotate(sx, sy, cx, cy, angleRadians)), bilinear);
}

torch::Tensor affineTheta(const AffineParams& p, int64_t height, int64_t width)
{
    return toTheta(affine::torchvisionAffine(p.angle, p.tx, p.ty, p.scale, p.shearX, p.shearY, static_cast<double>(height),
                                             static_cast<double>(width)));
}

BatchAugmenter::BatchAugmenter(AugmentConfig config) : m_config(std::move(config)) {}

CropBoxes BatchAugmenter::sampleCrops(int64_t n, int64_t height, int64_t width, const torch::TensorOptions& opts,
                                      c10::optional<at::Generator> gen) const
{
    const AugmentConfig& c = m_config;
    const double area = static_cast<double>(height * width);
    // torchvision's get_params: 10 attempts, uniform scale, log-uniform aspect ratio.
    const torch::Tensor target = uniform({n, 10}, c.cropScaleMin, c.cropScaleMax, opts, gen) * area;
    const torch::Tensor aspect = uniform({n, 10}, std::log(c.cropRatioMin), std::log(c.cropRatioMax), opts, gen).exp();
    const torch::Tensor w = (target * aspect).sqrt().round();
    const torch::Tensor h = (target / aspect).sqrt().round();
    const torch::Tensor ok = (w > 0) & (w <= width) & (h > 0) & (h <= height);
    const torch::Tensor first = firstTrue(ok);

    // Centre-crop fallback when no attempt fits.
    const double inRatio = static_cast<double>(width) / static_cast<double>(height);
    double fw = static_cast<double>(width), fh = static_cast<double>(height);
    if (inRatio < c.cropRatioMin)
        fh = std::nearbyint(fw / c.cropRatioMin); // Python's round(): halves to even
    else if (inRatio > c.cropRatioMax)
        fw = std::nearbyint(fh * c.cropRatioMax);

    CropBoxes b;
    b.accepted = ok.any(1);
    const torch::Tensor hs = torch::where(b.accepted, h.gather(1, first).squeeze(1), torch::full({n}, fh, h.options()));
    const torch::Tensor ws = torch::where(b.accepted, w.gather(1, first).squeeze(1), torch::full({n}, fw, w.options()));
    const torch::Tensor top = (uniform({n}, 0, 1, opts, gen) * (height - hs + 1)).floor();
    const torch::Tensor left = (uniform({n}, 0, 1, opts, gen) * (width - ws + 1)).floor();
    b.top = torch::where(b.accepted, top, torch::full({n}, std::floor((height - fh) / 2), top.options())).to(torch::kInt64);
    b.left = torch::where(b.accepted, left, torch::full({n}, std::floor((width - fw) / 2), left.options())).to(torch::kInt64);
    b.height = hs.to(torch::kInt64);
    b.width = ws.to(torch::kInt64);
    return b;
}

AffineParams BatchAugmenter::sampleAffine(int64_t n, int64_t height, int64_t width, const torch::TensorOptions& opts,
                                          c10::optional<at::Generator> gen) const
{
    const AugmentConfig& c = m_config;
    // get_params' order: angle, x shift, y shift, scale, shear. Shifts are rounded half to even, as
    // Python's round(); torchvision's img_size is [width, height].
    AffineParams p;
    p.angle = uniform({n}, -c.affineDegrees, c.affineDegrees, opts, gen);
    const double maxDx = c.translateX * static_cast<double>(width), maxDy = c.translateY * static_cast<double>(height);
    p.tx = uniform({n}, -maxDx, maxDx, opts, gen).round();
    p.ty = uniform({n}, -maxDy, maxDy, opts, gen).round();
    p.scale = uniform({n}, c.affineScaleMin, c.affineScaleMax, opts, gen);
    p.shearX = uniform({n}, c.shearMin, c.shearMax, opts, gen);
    p.shearY = torch::zeros_like(p.shearX);
    return p;
}

EraseBoxes BatchAugmenter::sampleErasures(int64_t n, int64_t height, int64_t width, const torch::TensorOptions& opts,
                                          c10::optional<at::Generator> gen) const
{
    const AugmentConfig& c = m_config;
    const double area = static_cast<double>(height * width);
    const torch::Tensor coin = uniform({n}, 0, 1, opts, gen) < c.eraseP;
    const torch::Tensor target = uniform({n, 10}, c.eraseScaleMin, c.eraseScaleMax, opts, gen) * area;
    const torch::Tensor aspect = uniform({n, 10}, std::log(c.eraseRatioMin), std::log(c.eraseRatioMax), opts, gen).exp();
    // torchvision: h from area * ratio, w from area / ratio, accepted only when strictly smaller.
    const torch::Tensor h = (target * aspect).sqrt().round();
    const torch::Tensor w = (target / aspect).sqrt().round();
    const torch::Tensor ok = (h < height) & (w < width);
    const torch::Tensor first = firstTrue(ok);
    EraseBoxes b;
    b.applied = coin & ok.any(1);
    const torch::Tensor hs = h.gather(1, first).squeeze(1);
    const torch::Tensor ws = w.gather(1, first).squeeze(1);
    b.top = (uniform({n}, 0, 1, opts, gen) * (height - hs + 1)).floor().to(torch::kInt64);
    b.left = (uniform({n}, 0, 1, opts, gen) * (width - ws + 1)).floor().to(torch::kInt64);
    b.height = hs.to(torch::kInt64);
    b.width = ws.to(torch::kInt64);
    return b;
}

torch::Tensor BatchAugmenter::augment(const torch::Tensor& x, c10::optional<at::Generator> gen) const
{
    if (!m_config.randomActive())
        return x;
    if (x.device().is_cpu() && x.scalar_type() == torch::kFloat32)
        return augmentOnCpu(m_config, x, gen);
    return augmentWithTensorOps(x, gen);
}

torch::Tensor BatchAugmenter::augmentWithTensorOps(const torch::Tensor& x, c10::optional<at::Generator> gen) const
{
    const AugmentConfig& c = m_config;
    if (!c.randomActive())
        return x;
    const int64_t n = x.size(0), height = x.size(2), width = x.size(3);
    const auto opts = torch::TensorOptions().device(x.device());
    torch::Tensor out = x;

    if (c.crop || c.rotate || c.affine) {
        // Crop, rotation and the affine map fused into one resampling per image.
        torch::Tensor sx = torch::ones({n}, opts.dtype(torch::kFloat64)), sy = sx, cx = torch::zeros_like(sx), cy = cx;
        if (c.crop) {
            const CropBoxes b = sampleCrops(n, height, width, opts, gen);
            const torch::Tensor h = b.height.to(torch::kFloat64), w = b.width.to(torch::kFloat64);
            sx = w / width;
            sy = h / height;
            cx = (2 * b.left.to(torch::kFloat64) + w) / width - 1;
            cy = (2 * b.top.to(torch::kFloat64) + h) / height - 1;
        }
        torch::Tensor angle = torch::zeros_like(sx);
        if (c.rotate)
            angle = uniform({n}, -c.degrees, c.degrees, opts, gen) * (kPi / 180.0);
        affine::Map<torch::Tensor> map = affine::cropRotate(sx, sy, cx, cy, angle);
        if (c.affine) {
            const AffineParams p = sampleAffine(n, height, width, opts, gen);
            map = affine::compose(map, affine::torchvisionAffine(p.angle, p.tx, p.ty, p.scale, p.shearX, p.shearY,
                                                                 static_cast<double>(height), static_cast<double>(width)));
        }
        const torch::Tensor theta = toTheta(map);
        out = resampleAffine(out, theta, resamplesBilinear(c));
    }

    if (c.erase) {
        const EraseBoxes b = sampleErasures(n, height, width, opts, gen);
        const auto view = [n](const torch::Tensor& t) { return t.view({n, 1, 1}); };
        const torch::Tensor rows = torch::arange(height, opts.dtype(torch::kInt64)).view({1, height, 1});
        const torch::Tensor cols = torch::arange(width, opts.dtype(torch::kInt64)).view({1, 1, width});
        const torch::Tensor mask = view(b.applied) & (rows >= view(b.top)) & (rows < view(b.top + b.height)) &
                                   (cols >= view(b.left)) & (cols < view(b.left + b.width));
        out = out.masked_fill(mask.unsqueeze(1), 0.0);
    }
    return out;
}

torch::Tensor BatchAugmenter::normalize(const torch::Tensor& x) const
{
    if (!m_config.normalize)
        return x;
    if (!m_config.normalizePerChannel)
        return (x - m_config.mean) / m_config.std;
    const auto channels = static_cast<int64_t>(m_config.channelMean.size());
    if (channels == 0 || x.dim() != 4 || x.size(1) != channels)
        throw ConfigError("Normalize per channel needs the training split's statistics for the image's " +
                          std::to_string(x.dim() == 4 ? x.size(1) : 0) + " channels (they are measured when the data "
                          "is loaded)");
    const auto options = torch::TensorOptions().dtype(x.scalar_type()).device(x.device());
    const torch::Tensor mean = torch::tensor(m_config.channelMean, torch::kFloat64).to(options).view({1, channels, 1, 1});
    const torch::Tensor std = torch::tensor(m_config.channelStd, torch::kFloat64).to(options).view({1, channels, 1, 1});
    return (x - mean) / std;
}

} // namespace mnist
