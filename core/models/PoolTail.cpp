#include "models/PoolTail.h"

#include "models/DropoutMask.h"
#include "models/SimdVariants.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace mnist {
namespace {

// One byte per output: the window position of the maximum, whether the post-pool dropout kept
// the element, whether the ReLU passed the gradient (the output is not <= 0).
constexpr uint8_t kIndexBits = 0x3f;
constexpr uint8_t kKeptBit = 0x40;
constexpr uint8_t kPassBit = 0x80;

bool activeP(double p) { return p > 0.0 && p < 1.0; }

struct Tail {
    int64_t n = 0, c = 0, h = 0, w = 0, oh = 0, ow = 0, kh = 2, kw = 2;
    bool nhwc = false;
    const float* pre = nullptr;        // [N, C]: the Dropout2d before the pool
    const uint8_t* postKeep = nullptr; // the Dropout after it: one byte per output, laid out as the output
    float postScale = 1.0f;
    const float* postChannels = nullptr; // [N, C]: a Dropout2d after it
};

inline float relu(float z, uint8_t& code)
{
    const float out = (z > 0.0f || std::isnan(z)) ? z : 0.0f;
    if (!(out <= 0.0f))
        code |= kPassBit;
    return out;
}

// NCHW: what `auto` picks only where contiguous trains faster, so plain loops suffice here.
void forwardNchw(const Tail& t, const float* x, float* out, uint8_t* codes)
{
    at::parallel_for(0, t.n * t.c, 1, [&](int64_t begin, int64_t end) {
        for (int64_t plane = begin; plane < end; ++plane) {
            const float pre = t.pre != nullptr ? t.pre[plane] : 1.0f;
            const float* xs = x + plane * t.h * t.w;
            for (int64_t i = 0; i < t.oh; ++i) {
                for (int64_t j = 0; j < t.ow; ++j) {
                    float best = -std::numeric_limits<float>::infinity();
                    int best_at = 0;
                    for (int64_t a = 0; a < t.kh; ++a) {
                        const float* row = xs + (i * t.kh + a) * t.w + j * t.kw;
                        for (int64_t b = 0; b < t.kw; ++b) {
                            const float v = row[b] * pre;
                            if (v > best || std::isnan(v)) {
                                best = v;
                                best_at = static_cast<int>(a * t.kw + b);
                            }
                        }
                    }
                    const int64_t o = plane * t.oh * t.ow + i * t.ow + j;
                    bool kept = true;
                    float factor = 1.0f;
                    if (t.postKeep != nullptr) {
                        kept = t.postKeep[o] != 0;
                        factor = kept ? t.postScale : 0.0f;
                    } else if (t.postChannels != nullptr) {
                        factor = t.postChannels[plane];
                    }
                    uint8_t code = static_cast<uint8_t>(best_at) | (kept ? kKeptBit : 0);
                    out[o] = relu(best * factor, code);
                    if (codes != nullptr)
                        codes[o] = code;
                }
            }
        }
    });
}

// The gradient LibTorch's chain gives the window's maximum: the ReLU's threshold_backward, the
// post dropout's multiplication, max-pool's scatter into zeros (0 + g), the pre dropout's one.
inline float windowGradient(const Tail& t, float g, uint8_t code, int64_t plane)
{
    float v = (code & kPassBit) ? g : 0.0f;
    if (t.postKeep != nullptr)
        v = v * ((code & kKeptBit) ? t.postScale : 0.0f);
    else if (t.postChannels != nullptr)
        v = v * t.postChannels[plane];
    v = 0.0f + v;
    if (t.pre != nullptr)
        v = v * t.pre[plane];
    return v;
}

void backwardNchw(const Tail& t, const float* g, const uint8_t* codes, float* gx)
{
    at::parallel_for(0, t.n * t.c, 1, [&](int64_t begin, int64_t end) {
        for (int64_t plane = begin; plane < end; ++plane) {
            float* gs = gx + plane * t.h * t.w;
            // Rows and columns no window covers (odd sizes) get no gradient.
            for (int64_t y = 0; y < t.h; ++y)
                for (int64_t x = (y < t.oh * t.kh ? t.ow * t.kw : 0); x < t.w; ++x)
                    gs[y * t.w + x] = 0.0f;
            for (int64_t i = 0; i < t.oh; ++i) {
                for (int64_t j = 0; j < t.ow; ++j) {
                    const int64_t o = plane * t.oh * t.ow + i * t.ow + j;
                    const uint8_t code = codes[o];
                    const float v = windowGradient(t, g[o], code, plane);
                    const int best_at = code & kIndexBits;
                    for (int64_t a = 0; a < t.kh; ++a) {
                        float* row = gs + (i * t.kh + a) * t.w + j * t.kw;
                        for (int64_t b = 0; b < t.kw; ++b)
                            row[b] = (a * t.kw + b == best_at) ? v : 0.0f;
                    }
                }
            }
        }
    });
}

// NHWC, the layout training uses on the CPU. The channels of a pixel are contiguous, so every loop
// below runs over them, vectorised (SimdVariants.h); a pixel's steps share a little scratch in L1.
// What multiplies the pooled maximum: nothing, a channel's Dropout2d factor, or an element's
// Dropout (kept: the scale, else 0). x * 1 would be exact too, but costs a pass.
enum class Post { None, Channels, Elements };

// One pixel's channels: the window maximum (the first maximum in row order, a NaN wins, as
// LibTorch's channels-last kernel), the post dropout, the ReLU and the codes.
template <Post P, int C>
MNIST_SIMD_INLINE void forwardPixel(const Tail& t, const float* win, const float* pre, const float* post,
                                    const uint8_t* keep, float* y, uint8_t* code, float* best, float* at)
{
    const int64_t c = C > 0 ? C : t.c;
    // LibTorch starts from -inf at the first position; starting from the first value ends the same
    // (a -inf stays -inf at position 0, a NaN is taken either way). `pre` is all ones without a
    // Dropout2d before the pool (x * 1 is exact).
    MNIST_SIMD_IVDEP
    for (int64_t ch = 0; ch < c; ++ch) {
        best[ch] = win[ch] * pre[ch];
        at[ch] = 0.0f;
    }
    for (int64_t a = 0; a < t.kh; ++a) {
        for (int64_t b = (a == 0 ? 1 : 0); b < t.kw; ++b) {
            const float* src = win + (a * t.w + b) * c;
            const float k = static_cast<float>(a * t.kw + b);
            MNIST_SIMD_IVDEP
            for (int64_t ch = 0; ch < c; ++ch) {
                const float v = src[ch] * pre[ch];
                const bool take = v > best[ch] || v != v;
                best[ch] = take ? v : best[ch];
                at[ch] = take ? k : at[ch];
            }
        }
    }
    MNIST_SIMD_IVDEP
    for (int64_t ch = 0; ch < c; ++ch) {
        float z = best[ch];
        if constexpr (P == Post::Channels)
            z = z * post[ch];
        else if constexpr (P == Post::Elements)
            z = z * (keep[ch] != 0 ? t.postScale : 0.0f);
        const float out = (z > 0.0f || z != z) ? z : 0.0f;
        y[ch] = out;
        best[ch] = out;
    }
    if (code == nullptr)
        return;
    MNIST_SIMD_IVDEP
    for (int64_t ch = 0; ch < c; ++ch) {
        const int32_t pass = best[ch] <= 0.0f ? 0 : kPassBit;
        int32_t kept = kKeptBit;
        if constexpr (P == Post::Elements)
            kept = keep[ch] != 0 ? kKeptBit : 0;
        code[ch] = static_cast<uint8_t>(static_cast<int32_t>(at[ch]) | pass | kept);
    }
}

template <Post P, int C>
MNIST_SIMD_INLINE void nhwcForwardRowsOf(const Tail& t, const float* x, float* out, uint8_t* codes, int64_t begin,
                                         int64_t end, const float* ones, float* scratch)
{
    const int64_t c = t.c;
    for (int64_t r = begin; r < end; ++r) {
        const int64_t n = r / t.oh, i = r % t.oh;
        const float* pre = t.pre != nullptr ? t.pre + n * c : ones;
        const float* post = t.postChannels != nullptr ? t.postChannels + n * c : nullptr;
        for (int64_t j = 0; j < t.ow; ++j) {
            const int64_t o = ((n * t.oh + i) * t.ow + j) * c;
            forwardPixel<P, C>(t, x + ((n * t.h + i * t.kh) * t.w + j * t.kw) * c, pre, post,
                            t.postKeep != nullptr ? t.postKeep + o : nullptr, out + o,
                            codes != nullptr ? codes + o : nullptr, scratch, scratch + c);
        }
    }
}

// Common channel counts as constants: a pixel's loops then have a known length (one or a few
// vectors, no remainder), which removes most of their overhead at 16-32 channels.
template <Post P>
MNIST_SIMD_INLINE void nhwcForwardRowsFor(const Tail& t, const float* x, float* out, uint8_t* codes, int64_t begin,
                                          int64_t end, const float* ones, float* scratch)
{
    switch (t.c) {
    case 16:
        return nhwcForwardRowsOf<P, 16>(t, x, out, codes, begin, end, ones, scratch);
    case 32:
        return nhwcForwardRowsOf<P, 32>(t, x, out, codes, begin, end, ones, scratch);
    case 64:
        return nhwcForwardRowsOf<P, 64>(t, x, out, codes, begin, end, ones, scratch);
    default:
        return nhwcForwardRowsOf<P, 0>(t, x, out, codes, begin, end, ones, scratch);
    }
}


MNIST_SIMD_INLINE void nhwcForwardRows(const Tail& t, const float* x, float* out, uint8_t* codes, int64_t begin,
                                       int64_t end, const float* ones, float* scratch)
{
    if (t.postKeep != nullptr)
        nhwcForwardRowsFor<Post::Elements>(t, x, out, codes, begin, end, ones, scratch);
    else if (t.postChannels != nullptr)
        nhwcForwardRowsFor<Post::Channels>(t, x, out, codes, begin, end, ones, scratch);
    else
        nhwcForwardRowsFor<Post::None>(t, x, out, codes, begin, end, ones, scratch);
}

// The gradient LibTorch's chain gives one pixel's window: the ReLU's threshold_backward, the post
// dropout's multiplication, max-pool's scatter into zeros (0 + g, which makes a -0 +0), the pre
// dropout's multiplication (by one without it); every other position of the window gets 0.
template <Post P, int C>
MNIST_SIMD_INLINE void backwardPixel(const Tail& t, const float* gy, const uint8_t* code, const float* pre,
                                     const float* post, float* win, float* v, float* at)
{
    const int64_t c = C > 0 ? C : t.c;
    MNIST_SIMD_IVDEP
    for (int64_t ch = 0; ch < c; ++ch) {
        float g = (code[ch] & kPassBit) ? gy[ch] : 0.0f;
        if constexpr (P == Post::Channels)
            g = g * post[ch];
        else if constexpr (P == Post::Elements)
            g = g * ((code[ch] & kKeptBit) ? t.postScale : 0.0f);
        v[ch] = (0.0f + g) * pre[ch];
        at[ch] = static_cast<float>(code[ch] & kIndexBits);
    }
    for (int64_t a = 0; a < t.kh; ++a) {
        for (int64_t b = 0; b < t.kw; ++b) {
            float* dst = win + (a * t.w + b) * c;
            const float k = static_cast<float>(a * t.kw + b);
            MNIST_SIMD_IVDEP
            for (int64_t ch = 0; ch < c; ++ch)
                dst[ch] = at[ch] == k ? v[ch] : 0.0f;
        }
    }
}

template <Post P, int C>
MNIST_SIMD_INLINE void nhwcBackwardRowsOf(const Tail& t, const float* g, const uint8_t* codes, float* gx, int64_t begin,
                                          int64_t end, const float* ones, float* scratch)
{
    const int64_t c = t.c;
    for (int64_t r = begin; r < end; ++r) {
        const int64_t n = r / t.oh, i = r % t.oh;
        // This output row's input rows, and after the last one the rows no window covers.
        const int64_t y0 = i * t.kh;
        const int64_t y1 = (i == t.oh - 1) ? t.h : y0 + t.kh;
        for (int64_t y = y0; y < y1; ++y) {
            const int64_t x0 = (y < t.oh * t.kh) ? t.ow * t.kw : 0;
            float* dst = gx + ((n * t.h + y) * t.w + x0) * c;
            std::fill(dst, dst + (t.w - x0) * c, 0.0f);
        }
        const float* pre = t.pre != nullptr ? t.pre + n * c : ones;
        const float* post = t.postChannels != nullptr ? t.postChannels + n * c : nullptr;
        for (int64_t j = 0; j < t.ow; ++j) {
            const int64_t o = ((n * t.oh + i) * t.ow + j) * c;
            backwardPixel<P, C>(t, g + o, codes + o, pre, post, gx + ((n * t.h + y0) * t.w + j * t.kw) * c, scratch,
                             scratch + c);
        }
    }
}

template <Post P>
MNIST_SIMD_INLINE void nhwcBackwardRowsFor(const Tail& t, const float* g, const uint8_t* codes, float* gx, int64_t begin,
                                          int64_t end, const float* ones, float* scratch)
{
    switch (t.c) {
    case 16:
        return nhwcBackwardRowsOf<P, 16>(t, g, codes, gx, begin, end, ones, scratch);
    case 32:
        return nhwcBackwardRowsOf<P, 32>(t, g, codes, gx, begin, end, ones, scratch);
    case 64:
        return nhwcBackwardRowsOf<P, 64>(t, g, codes, gx, begin, end, ones, scratch);
    default:
        return nhwcBackwardRowsOf<P, 0>(t, g, codes, gx, begin, end, ones, scratch);
    }
}


MNIST_SIMD_INLINE void nhwcBackwardRows(const Tail& t, const float* g, const uint8_t* codes, float* gx, int64_t begin,
                                        int64_t end, const float* ones, float* scratch)
{
    if (t.postKeep != nullptr)
        nhwcBackwardRowsFor<Post::Elements>(t, g, codes, gx, begin, end, ones, scratch);
    else if (t.postChannels != nullptr)
        nhwcBackwardRowsFor<Post::Channels>(t, g, codes, gx, begin, end, ones, scratch);
    else
        nhwcBackwardRowsFor<Post::None>(t, g, codes, gx, begin, end, ones, scratch);
}

MNIST_SIMD_VARIANTS(void, nhwcForward,
                    (const Tail& t, const float* x, float* out, uint8_t* codes, int64_t begin, int64_t end,
                     const float* ones, float* scratch),
                    (t, x, out, codes, begin, end, ones, scratch), nhwcForwardRows)
MNIST_SIMD_VARIANTS(void, nhwcBackward,
                    (const Tail& t, const float* g, const uint8_t* codes, float* gx, int64_t begin, int64_t end,
                     const float* ones, float* scratch),
                    (t, g, codes, gx, begin, end, ones, scratch), nhwcBackwardRows)

// Rows of output per task: enough work that handing it to a thread costs little beside it.
int64_t rowGrain(const Tail& t)
{
    const int64_t perRow = std::max<int64_t>(1, t.ow * t.kh * t.kw * t.c);
    return std::max<int64_t>(1, 16384 / perRow);
}

void forwardNhwc(const Tail& t, const float* x, float* out, uint8_t* codes)
{
    const std::vector<float> ones(static_cast<size_t>(t.c), 1.0f);
    at::parallel_for(0, t.n * t.oh, rowGrain(t), [&](int64_t begin, int64_t end) {
        std::vector<float> scratch(static_cast<size_t>(2 * t.c));
        nhwcForward(t, x, out, codes, begin, end, ones.data(), scratch.data());
    });
}

void backwardNhwc(const Tail& t, const float* g, const uint8_t* codes, float* gx)
{
    const std::vector<float> ones(static_cast<size_t>(t.c), 1.0f);
    at::parallel_for(0, t.n * t.oh, rowGrain(t), [&](int64_t begin, int64_t end) {
        std::vector<float> scratch(static_cast<size_t>(2 * t.c));
        nhwcBackward(t, g, codes, gx, begin, end, ones.data(), scratch.data());
    });
}

at::MemoryFormat formatOf(bool nhwc) { return nhwc ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous; }

bool isNhwc(const torch::Tensor& x) { return !x.is_contiguous() && x.is_contiguous(at::MemoryFormat::ChannelsLast); }

// The noise of one forward, kept for its backward.
struct Noise {
    torch::Tensor pre, postKeep, postChannels;
    float postScale = 1.0f;
};

Noise drawNoise(const torch::Tensor& x, int64_t oh, int64_t ow, const PoolTailParams& p, bool preActive, bool postActive)
{
    Noise noise;
    const int64_t n = x.size(0), c = x.size(1);
    // Drawn in the forward order: the Dropout2d before the pool first.
    if (preActive && activeP(p.preChannelsP))
        noise.pre = dropoutNoise({n, c}, 1.0 - p.preChannelsP);
    if (postActive && activeP(p.postP)) {
        if (p.post == TailDropout::Elementwise) {
            noise.postKeep = torch::empty({n, c, oh, ow}, torch::kByte);
            keepMask(noise.postKeep.data_ptr<uint8_t>(), noise.postKeep.numel(), 1.0 - p.postP);
            // Drawn in LibTorch's order (that of a contiguous tensor), read in the output's.
            if (isNhwc(x))
                noise.postKeep = noise.postKeep.contiguous(at::MemoryFormat::ChannelsLast);
            noise.postScale = keptScale(1.0 - p.postP);
        } else if (p.post == TailDropout::Channels) {
            noise.postChannels = dropoutNoise({n, c}, 1.0 - p.postP);
        }
    }
    return noise;
}

Tail describe(const torch::Tensor& x, const PoolTailParams& p, const Noise& noise)
{
    Tail t;
    t.n = x.size(0);
    t.c = x.size(1);
    t.h = x.size(2);
    t.w = x.size(3);
    t.kh = p.kernelH;
    t.kw = p.kernelW;
    t.oh = t.h / t.kh;
    t.ow = t.w / t.kw;
    t.nhwc = isNhwc(x);
    t.pre = noise.pre.defined() ? noise.pre.data_ptr<float>() : nullptr;
    t.postKeep = noise.postKeep.defined() ? noise.postKeep.data_ptr<uint8_t>() : nullptr;
    t.postChannels = noise.postChannels.defined() ? noise.postChannels.data_ptr<float>() : nullptr;
    t.postScale = noise.postScale;
    return t;
}

// The forward; codes (one byte per output) only when a backward will need them.
torch::Tensor runForward(const torch::Tensor& x, const Tail& t, torch::Tensor* codes)
{
    const auto options = x.options().memory_format(formatOf(t.nhwc));
    torch::Tensor out = torch::empty({t.n, t.c, t.oh, t.ow}, options);
    uint8_t* codePtr = nullptr;
    if (codes != nullptr) {
        *codes = torch::empty({t.n, t.c, t.oh, t.ow}, options.dtype(torch::kByte));
        codePtr = codes->data_ptr<uint8_t>();
    }
    (t.nhwc ? forwardNhwc : forwardNchw)(t, x.data_ptr<float>(), out.data_ptr<float>(), codePtr);
    return out;
}

class PoolTailFunction : public torch::autograd::Function<PoolTailFunction> {
public:
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                                 const PoolTailParams& params, bool preActive, bool postActive)
    {
        const Noise noise = drawNoise(x, x.size(2) / params.kernelH, x.size(3) / params.kernelW, params, preActive, postActive);
        const Tail t = describe(x, params, noise);
        torch::Tensor codes;
        torch::Tensor out = runForward(x, t, &codes);
        ctx->save_for_backward({codes, noise.pre, noise.postKeep, noise.postChannels});
        ctx->saved_data["h"] = t.h;
        ctx->saved_data["w"] = t.w;
        ctx->saved_data["kh"] = t.kh;
        ctx->saved_data["kw"] = t.kw;
        ctx->saved_data["scale"] = static_cast<double>(t.postScale);
        ctx->saved_data["nhwc"] = t.nhwc;
        return out;
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list grads)
    {
        const auto saved = ctx->get_saved_variables();
        const torch::Tensor& codes = saved[0];
        Tail t;
        t.n = codes.size(0);
        t.c = codes.size(1);
        t.oh = codes.size(2);
        t.ow = codes.size(3);
        t.h = ctx->saved_data["h"].toInt();
        t.w = ctx->saved_data["w"].toInt();
        t.kh = ctx->saved_data["kh"].toInt();
        t.kw = ctx->saved_data["kw"].toInt();
        t.nhwc = ctx->saved_data["nhwc"].toBool();
        t.pre = saved[1].defined() ? saved[1].data_ptr<float>() : nullptr;
        t.postKeep = saved[2].defined() ? saved[2].data_ptr<uint8_t>() : nullptr;
        t.postChannels = saved[3].defined() ? saved[3].data_ptr<float>() : nullptr;
        t.postScale = static_cast<float>(ctx->saved_data["scale"].toDouble());
        const torch::Tensor g = grads[0].contiguous(formatOf(t.nhwc));
        torch::Tensor gx = torch::empty({t.n, t.c, t.h, t.w}, g.options().memory_format(formatOf(t.nhwc)));
        (t.nhwc ? backwardNhwc : backwardNchw)(t, g.data_ptr<float>(), codes.data_ptr<uint8_t>(), gx.data_ptr<float>());
        return {gx, torch::Tensor(), torch::Tensor(), torch::Tensor()};
    }
};

} // namespace

bool poolTailApplies(const torch::Tensor& x, const PoolTailParams& p, bool preActive, bool postActive)
{
    if (x.dim() != 4 || !x.device().is_cpu() || x.scalar_type() != torch::kFloat)
        return false;
    if (!x.is_contiguous() && !x.is_contiguous(at::MemoryFormat::ChannelsLast))
        return false;
    if (p.kernelH < 1 || p.kernelW < 1 || p.kernelH * p.kernelW > kIndexBits + 1 || x.size(2) < p.kernelH ||
        x.size(3) < p.kernelW || x.size(0) == 0 || x.size(1) == 0)
        return false;
    // p = 1 takes another path in LibTorch (a multiplication by zero, no draws): leave it to it.
    const bool pre = preActive && p.preChannelsP > 0.0;
    const bool post = postActive && p.post != TailDropout::None && p.postP > 0.0;
    if ((pre && p.preChannelsP >= 1.0) || (post && p.postP >= 1.0))
        return false;
    return (!pre && !post) || exactMasksAvailable();
}

bool poolTailPreferred(const torch::Tensor& x, const PoolTailParams& params, bool preActive, bool postActive)
{
    return poolTailApplies(x, params, preActive, postActive) && x.dim() == 4 &&
           x.is_contiguous(at::MemoryFormat::ChannelsLast);
}

torch::Tensor poolTail(const torch::Tensor& x, const PoolTailParams& params, bool preActive, bool postActive)
{
    TORCH_CHECK(poolTailApplies(x, params, preActive, postActive), "poolTail: unsupported input or parameters");
    if (torch::GradMode::is_enabled() && x.requires_grad())
        return PoolTailFunction::apply(x, params, preActive, postActive);
    const Noise noise = drawNoise(x, x.size(2) / params.kernelH, x.size(3) / params.kernelW, params, preActive, postActive);
    return runForward(x, describe(x, params, noise), nullptr);
}

} // namespace mnist
