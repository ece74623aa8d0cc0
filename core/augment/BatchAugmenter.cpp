#include "augment/BatchAugmenter.h"

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

at::Generator makeCpuGenerator(uint64_t seed)
{
    return at::detail::createCPUGenerator(seed);
}

namespace {

// The crop box after the rotation, output to source: [sx cos, -sx sin, cx; sy sin, sy cos, cy].
torch::Tensor cropRotateTheta(const torch::Tensor& sx, const torch::Tensor& sy, const torch::Tensor& cx,
                              const torch::Tensor& cy, const torch::Tensor& angleRadians)
{
    // With y pointing down, this inverse rotation turns the picture counter-clockwise on screen.
    const torch::Tensor cosA = angleRadians.cos(), sinA = angleRadians.sin();
    return torch::stack({torch::stack({sx * cosA, -sx * sinA, cx}, 1), torch::stack({sy * sinA, sy * cosA, cy}, 1)}, 1);
}

// first(second(p)): both [N, 2, 3] affine maps.
torch::Tensor composeTheta(const torch::Tensor& first, const torch::Tensor& second)
{
    using torch::indexing::Slice;
    const torch::Tensor l1 = first.index({Slice(), Slice(), Slice(0, 2)});
    const torch::Tensor l2 = second.index({Slice(), Slice(), Slice(0, 2)});
    const torch::Tensor linear = torch::bmm(l1, l2);
    const torch::Tensor offset = torch::bmm(l1, second.index({Slice(), Slice(), Slice(2, 3)})) +
                                 first.index({Slice(), Slice(), Slice(2, 3)});
    return torch::cat({linear, offset}, 2);
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
    return resampleAffine(x, cropRotateTheta(sx, sy, cx, cy, angleRadians), bilinear);
}

torch::Tensor affineTheta(const AffineParams& p, int64_t height, int64_t width)
{
    // torchvision's _get_inverse_affine_matrix with the centre at 0: in pixel coordinates about the
    // centre, source = M^-1 (output - t), M = scale * rotation-with-shear.
    const double rad = kPi / 180.0;
    const torch::Tensor rot = p.angle * rad, shx = p.shearX * rad, shy = p.shearY * rad;
    const torch::Tensor cosSy = shy.cos(), tanSx = shx.tan();
    const torch::Tensor a = (rot - shy).cos() / cosSy;
    const torch::Tensor b = -(rot - shy).cos() * tanSx / cosSy - rot.sin();
    const torch::Tensor c = (rot - shy).sin() / cosSy;
    const torch::Tensor d = -(rot - shy).sin() * tanSx / cosSy + rot.cos();
    const torch::Tensor m00 = d / p.scale, m01 = -b / p.scale, m10 = -c / p.scale, m11 = a / p.scale;
    const torch::Tensor off0 = -(m00 * p.tx + m01 * p.ty), off1 = -(m10 * p.tx + m11 * p.ty);
    // Normalised coordinates are pixels about the centre divided by half the width and height.
    const double w = static_cast<double>(width), h = static_cast<double>(height);
    return torch::stack({torch::stack({m00, m01 * (h / w), off0 * (2.0 / w)}, 1),
                         torch::stack({m10 * (w / h), m11, off1 * (2.0 / h)}, 1)},
                        1);
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
        torch::Tensor theta = cropRotateTheta(sx, sy, cx, cy, angle);
        if (c.affine)
            theta = composeTheta(theta, affineTheta(sampleAffine(n, height, width, opts, gen), height, width));
        // The crop's resize is bilinear in torchvision; rotation and affine are nearest unless asked.
        const bool bilinear = c.crop || (c.rotate && c.rotateBilinear) || (c.affine && c.affineBilinear);
        out = resampleAffine(out, theta, bilinear);
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
    return (x - m_config.mean) / m_config.std;
}

} // namespace mnist
