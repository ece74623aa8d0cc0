#include "augment/CpuAugment.h"

#include "augment/AffineMaps.h"
#include "augment/BatchAugmenter.h"
#include "models/SimdVariants.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace mnist {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr int kAttempts = 10; // torchvision's get_params, for the crop and for erasing

// `count` U(0, 1) draws in float64, taken from the generator exactly as the tensor path's
// uniform() of the same size takes them (the CPU kernel fills elements in order).
class Draws {
public:
    Draws(int64_t count, const c10::optional<at::Generator>& gen)
        : m_values(torch::rand({count}, gen, torch::TensorOptions().dtype(torch::kFloat64)))
        , m_data(m_values.data_ptr<double>())
    {
    }
    double operator[](int64_t i) const { return m_data[i]; }
    // U(lo, hi) with the tensor path's arithmetic, rand * (hi - lo) + lo.
    double uniform(int64_t i, double lo, double hi) const { return m_data[i] * (hi - lo) + lo; }

private:
    torch::Tensor m_values;
    const double* m_data;
};

struct Rect {
    int64_t top = 0, left = 0, height = 0, width = 0;
};

// RandomResizedCrop boxes as BatchAugmenter::sampleCrops draws them.
std::vector<Rect> cropBoxes(const AugmentConfig& c, int64_t n, int64_t height, int64_t width, const c10::optional<at::Generator>& gen)
{
    const Draws scales(n * kAttempts, gen), ratios(n * kAttempts, gen), tops(n, gen), lefts(n, gen);
    const double h0 = static_cast<double>(height), w0 = static_cast<double>(width), area = h0 * w0;
    const double logLo = std::log(c.cropRatioMin), logHi = std::log(c.cropRatioMax);
    // The centre crop when no attempt fits; nearbyint is Python's round (halves to even).
    double fw = w0, fh = h0;
    if (w0 / h0 < c.cropRatioMin)
        fh = std::nearbyint(fw / c.cropRatioMin);
    else if (w0 / h0 > c.cropRatioMax)
        fw = std::nearbyint(fh * c.cropRatioMax);

    std::vector<Rect> boxes(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
        double h = fh, w = fw;
        bool accepted = false;
        for (int k = 0; k < kAttempts && !accepted; ++k) {
            const double target = scales.uniform(i * kAttempts + k, c.cropScaleMin, c.cropScaleMax) * area;
            const double aspect = std::exp(ratios.uniform(i * kAttempts + k, logLo, logHi));
            const double wk = std::nearbyint(std::sqrt(target * aspect)), hk = std::nearbyint(std::sqrt(target / aspect));
            if (wk > 0 && wk <= w0 && hk > 0 && hk <= h0) {
                w = wk;
                h = hk;
                accepted = true;
            }
        }
        const double top = accepted ? std::floor(tops[i] * (h0 - h + 1)) : std::floor((h0 - fh) / 2);
        const double left = accepted ? std::floor(lefts[i] * (w0 - w + 1)) : std::floor((w0 - fw) / 2);
        boxes[static_cast<size_t>(i)] = {static_cast<int64_t>(top), static_cast<int64_t>(left), static_cast<int64_t>(h),
                                         static_cast<int64_t>(w)};
    }
    return boxes;
}

// RandomErasing rectangles as BatchAugmenter::sampleErasures draws them; height 0 where none.
std::vector<Rect> eraseBoxes(const AugmentConfig& c, int64_t n, int64_t height, int64_t width, const c10::optional<at::Generator>& gen)
{
    const Draws coins(n, gen), scales(n * kAttempts, gen), ratios(n * kAttempts, gen), tops(n, gen), lefts(n, gen);
    const double h0 = static_cast<double>(height), w0 = static_cast<double>(width), area = h0 * w0;
    const double logLo = std::log(c.eraseRatioMin), logHi = std::log(c.eraseRatioMax);
    std::vector<Rect> boxes(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
        // torchvision: h from area * ratio, w from area / ratio, accepted only when strictly smaller.
        double h = 0, w = 0;
        bool found = false;
        for (int k = 0; k < kAttempts && !found; ++k) {
            const double target = scales.uniform(i * kAttempts + k, c.eraseScaleMin, c.eraseScaleMax) * area;
            const double aspect = std::exp(ratios.uniform(i * kAttempts + k, logLo, logHi));
            const double hk = std::nearbyint(std::sqrt(target * aspect)), wk = std::nearbyint(std::sqrt(target / aspect));
            if (hk < h0 && wk < w0) {
                h = hk;
                w = wk;
                found = true;
            }
        }
        if (!(coins[i] < c.eraseP) || !found)
            continue;
        boxes[static_cast<size_t>(i)] = {static_cast<int64_t>(std::floor(tops[i] * (h0 - h + 1))),
                                         static_cast<int64_t>(std::floor(lefts[i] * (w0 - w + 1))), static_cast<int64_t>(h),
                                         static_cast<int64_t>(w)};
    }
    return boxes;
}

// Per image: source x and y in pixels = (rx * xn + ry * yn + r0) mapped as grid_sample unnormalises,
// with xn, yn the output pixel centres in normalised coordinates.
struct PixelMap {
    double xx, xy, x0, yx, yy, y0; // the float map, as grid_sample receives it
};

PixelMap toPixelMap(const affine::Map<double>& m)
{
    const auto f = [](double v) { return static_cast<double>(static_cast<float>(v)); };
    return {f(m.a00), f(m.a01), f(m.a02), f(m.a10), f(m.a11), f(m.a12)};
}

// One image's resampling, zeros outside; `src` and `dst` are [C, H, W]. The source coordinate is
// affine in the output column, so each row starts from its first pixel and steps by a constant:
// the same grid_sample unnormalisation (align_corners false, [-1, 1] onto [-0.5, size - 0.5])
// folded into two lines, in double.
// Vectorised per instruction set (SimdVariants.h): rounding to the nearest pixel is one instruction
// from SSE4.1 on, where plain x86-64 calls nearbyint() twice a pixel.
MNIST_SIMD_INLINE void resampleImageBody(const float* src, float* dst, int64_t channels, int64_t height, int64_t width,
                                         const PixelMap& m, bool bilinear, const double* yn)
{
    const int64_t plane = height * width;
    const double w0 = static_cast<double>(width), h0 = static_cast<double>(height);
    // x_n(j) = (2j + 1) / W - 1, so ((a * x_n + b + 1) * S - 1) / 2 = a * S / W * j + (a * (1 - W) / W + b + 1) * S / 2 - 1 / 2.
    const double stepX = m.xx, stepY = m.yx * h0 / w0;
    for (int64_t i = 0; i < height; ++i) {
        const double gxRow = m.xy * yn[i] + m.x0, gyRow = m.yy * yn[i] + m.y0;
        const double ix0 = (m.xx * (1 - w0) / w0 + gxRow + 1) * w0 / 2 - 0.5;
        const double iy0 = (m.yx * (1 - w0) / w0 + gyRow + 1) * h0 / 2 - 0.5;
        float* row = dst + i * width;
        for (int64_t j = 0; j < width; ++j) {
            const double jd = static_cast<double>(j);
            const double ix = ix0 + stepX * jd, iy = iy0 + stepY * jd;
            if (!bilinear) {
                const double xr = std::nearbyint(ix), yr = std::nearbyint(iy);
                const bool inside = xr >= 0 && xr < w0 && yr >= 0 && yr < h0; // false for NaN too
                const int64_t at = inside ? static_cast<int64_t>(yr) * width + static_cast<int64_t>(xr) : 0;
                for (int64_t ch = 0; ch < channels; ++ch)
                    row[ch * plane + j] = inside ? src[ch * plane + at] : 0.0f;
                continue;
            }
            if (!(ix > -1 && ix < w0 && iy > -1 && iy < h0)) {
                for (int64_t ch = 0; ch < channels; ++ch)
                    row[ch * plane + j] = 0.0f;
                continue;
            }
            const double xf = std::floor(ix), yf = std::floor(iy);
            const double fx = ix - xf, fy = iy - yf;
            const int64_t xl = static_cast<int64_t>(xf), yt = static_cast<int64_t>(yf);
            const double wtl = (1 - fx) * (1 - fy), wtr = fx * (1 - fy), wbl = (1 - fx) * fy, wbr = fx * fy;
            const int64_t at = yt * width + xl;
            if (xl >= 0 && xl + 1 < width && yt >= 0 && yt + 1 < height) { // all four neighbours inside: most pixels
                for (int64_t ch = 0; ch < channels; ++ch) {
                    const float* p = src + ch * plane + at;
                    row[ch * plane + j] = static_cast<float>(wtl * p[0] + wtr * p[1] + wbl * p[width] + wbr * p[width + 1]);
                }
                continue;
            }
            const bool left = xl >= 0, right = xl + 1 < width, top = yt >= 0, bottom = yt + 1 < height;
            for (int64_t ch = 0; ch < channels; ++ch) {
                const float* p = src + ch * plane;
                double v = 0;
                if (top) {
                    const float* r = p + yt * width;
                    v += (left ? wtl * r[xl] : 0.0) + (right ? wtr * r[xl + 1] : 0.0);
                }
                if (bottom) {
                    const float* r = p + (yt + 1) * width;
                    v += (left ? wbl * r[xl] : 0.0) + (right ? wbr * r[xl + 1] : 0.0);
                }
                row[ch * plane + j] = static_cast<float>(v);
            }
        }
    }
}

MNIST_SIMD_VARIANTS(void, resampleImage,
                    (const float* src, float* dst, int64_t channels, int64_t height, int64_t width, const PixelMap& m,
                     bool bilinear, const double* yn),
                    (src, dst, channels, height, width, m, bilinear, yn), resampleImageBody)

void eraseImage(float* img, int64_t channels, int64_t height, int64_t width, const Rect& r)
{
    const int64_t top = std::max<int64_t>(r.top, 0), bottom = std::min(r.top + r.height, height);
    const int64_t left = std::max<int64_t>(r.left, 0), right = std::min(r.left + r.width, width);
    if (r.height <= 0 || top >= bottom || left >= right)
        return;
    for (int64_t ch = 0; ch < channels; ++ch)
        for (int64_t i = top; i < bottom; ++i)
            std::fill(img + (ch * height + i) * width + left, img + (ch * height + i) * width + right, 0.0f);
}

} // namespace

torch::Tensor augmentOnCpu(const AugmentConfig& c, const torch::Tensor& x, const c10::optional<at::Generator>& gen)
{
    TORCH_CHECK(x.dim() == 4 && x.device().is_cpu() && x.scalar_type() == torch::kFloat32,
                "augmentOnCpu: expected float32 [N, C, H, W] on the CPU, got ", x.sizes(), " ", x.scalar_type(), " on ", x.device());
    const int64_t n = x.size(0), channels = x.size(1), height = x.size(2), width = x.size(3);
    const double h0 = static_cast<double>(height), w0 = static_cast<double>(width);
    const bool warp = c.crop || c.rotate || c.affine;

    // Every draw first, in the tensor path's order: crop, rotation, affine, erasing.
    std::vector<PixelMap> maps;
    if (warp) {
        std::vector<Rect> boxes;
        if (c.crop)
            boxes = cropBoxes(c, n, height, width, gen);
        c10::optional<Draws> angles;
        if (c.rotate)
            angles.emplace(n, gen);
        c10::optional<Draws> aAngle, aTx, aTy, aScale, aShear;
        if (c.affine) {
            aAngle.emplace(n, gen);
            aTx.emplace(n, gen);
            aTy.emplace(n, gen);
            aScale.emplace(n, gen);
            aShear.emplace(n, gen);
        }
        maps.reserve(static_cast<size_t>(n));
        for (int64_t i = 0; i < n; ++i) {
            double sx = 1, sy = 1, cx = 0, cy = 0, angle = 0;
            if (c.crop) {
                const Rect& b = boxes[static_cast<size_t>(i)];
                const double h = static_cast<double>(b.height), w = static_cast<double>(b.width);
                sx = w / w0;
                sy = h / h0;
                cx = (2 * static_cast<double>(b.left) + w) / w0 - 1;
                cy = (2 * static_cast<double>(b.top) + h) / h0 - 1;
            }
            if (c.rotate)
                angle = angles->uniform(i, -c.degrees, c.degrees) * (kPi / 180.0);
            affine::Map<double> m = affine::cropRotate(sx, sy, cx, cy, angle);
            if (c.affine) {
                const double maxDx = c.translateX * w0, maxDy = c.translateY * h0;
                m = affine::compose(m, affine::torchvisionAffine(aAngle->uniform(i, -c.affineDegrees, c.affineDegrees),
                                                                 std::nearbyint(aTx->uniform(i, -maxDx, maxDx)),
                                                                 std::nearbyint(aTy->uniform(i, -maxDy, maxDy)),
                                                                 aScale->uniform(i, c.affineScaleMin, c.affineScaleMax),
                                                                 aShear->uniform(i, c.shearMin, c.shearMax), 0.0, h0, w0));
            }
            maps.push_back(toPixelMap(m));
        }
    }
    std::vector<Rect> erasures;
    if (c.erase)
        erasures = eraseBoxes(c, n, height, width, gen);

    // Output rows' centres in normalised coordinates, as affine_grid's base grid.
    std::vector<double> yn(static_cast<size_t>(height));
    for (int64_t i = 0; i < height; ++i)
        yn[static_cast<size_t>(i)] = (2.0 * static_cast<double>(i) + 1) / h0 - 1;

    const torch::Tensor in = x.contiguous();
    torch::Tensor out = torch::empty({n, channels, height, width}, in.options());
    const float* src = in.data_ptr<float>();
    float* dst = out.data_ptr<float>();
    const int64_t image = channels * height * width;
    const bool bilinear = resamplesBilinear(c);
    // Images are independent; a few dozen per task keeps the thread hand-off small beside the work.
    at::parallel_for(0, n, 32, [&](int64_t begin, int64_t end) {
        // The warp reads its source in a rotated order, one cache miss per line when the batch is
        // not in cache; a sequential copy first lets the prefetcher stream it (perf: the gathers
        // were most of the kernel's time).
        std::vector<float> local(warp ? static_cast<size_t>(image) : 0);
        for (int64_t i = begin; i < end; ++i) {
            float* o = dst + i * image;
            if (warp) {
                std::memcpy(local.data(), src + i * image, static_cast<size_t>(image) * sizeof(float));
                resampleImage(local.data(), o, channels, height, width, maps[static_cast<size_t>(i)], bilinear, yn.data());
            } else {
                std::memcpy(o, src + i * image, static_cast<size_t>(image) * sizeof(float));
            }
            if (c.erase)
                eraseImage(o, channels, height, width, erasures[static_cast<size_t>(i)]);
        }
    });
    return out;
}

} // namespace mnist
