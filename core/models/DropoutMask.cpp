#include "models/DropoutMask.h"

#include "models/SimdVariants.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <ATen/core/MT19937RNGEngine.h>
#include <torch/torch.h>

#include <array>
#include <cmath>
#include <mutex>
#include <vector>

namespace mnist {
namespace {

constexpr int kN = at::MERSENNE_STATE_N; // 624
constexpr int kM = at::MERSENNE_STATE_M; // 397

MNIST_SIMD_INLINE uint32_t twist(uint32_t u, uint32_t v)
{
    const uint32_t mixed = (u & at::UMASK) | (v & at::LMASK);
    return (mixed >> 1) ^ ((v & 1u) ? at::MATRIX_A : 0u);
}

// at::mt19937's next_state(), as index loops the compiler vectorises: the first reads only words
// ahead of those it writes, the second words at least kN - kM behind.
MNIST_SIMD_INLINE void regenerateState(uint32_t* s)
{
    for (int i = 0; i < kN - kM; ++i)
        s[i] = s[i + kM] ^ twist(s[i], s[i + 1]);
    for (int i = kN - kM; i < kN - 1; ++i)
        s[i] = s[i + kM - kN] ^ twist(s[i], s[i + 1]);
    s[kN - 1] = s[kM - 1] ^ twist(s[kN - 1], s[0]);
}
MNIST_SIMD_VARIANTS(void, regenerate, (uint32_t * s), (s), regenerateState)

MNIST_SIMD_INLINE void temperWords(const uint32_t* src, uint32_t* out, int64_t count)
{
    MNIST_SIMD_IVDEP
    for (int64_t i = 0; i < count; ++i) {
        uint32_t y = src[i];
        y ^= (y >> 11);
        y ^= (y << 7) & 0x9d2c5680u;
        y ^= (y << 15) & 0xefc60000u;
        y ^= (y >> 18);
        out[i] = y;
    }
}
MNIST_SIMD_VARIANTS(void, temper, (const uint32_t* src, uint32_t* out, int64_t count), (src, out, count), temperWords)

// bernoulli_distribution<double>(keep) of each pair of words: uniform_real_distribution takes the
// low 53 bits of random64() (the first word its high half) times 2^-53, and keeps the element when
// that is < keep. m * 2^-53 < keep holds exactly when the integer m < ceil(keep * 2^53) (both
// products by a power of two are exact), so the test is on integers: (high, low) < threshold.
MNIST_SIMD_INLINE void keepFromWords(const uint32_t* words, uint8_t* out, int64_t count, uint32_t thresholdHigh,
                                     uint32_t thresholdLow)
{
    MNIST_SIMD_IVDEP
    for (int64_t i = 0; i < count; ++i) {
        const uint32_t high = words[2 * i] & 0x1fffffu;
        const uint32_t low = words[2 * i + 1];
        out[i] = static_cast<uint8_t>((high < thresholdHigh) | ((high == thresholdHigh) & (low < thresholdLow)));
    }
}
MNIST_SIMD_VARIANTS(void, keepOf,
                    (const uint32_t* words, uint8_t* out, int64_t count, uint32_t thresholdHigh, uint32_t thresholdLow),
                    (words, out, count, thresholdHigh, thresholdLow), keepFromWords)

// The next `count` words of the engine, as `count` calls of its operator() would give them. The
// engine decrements left_ before each word and twists when it reaches 0, then reads state_[next_++]:
// so between twists it gives left_ - 1 words, and it twists lazily, exactly when a word needs it.
void words(at::mt19937_data_pod& d, uint32_t* out, int64_t count)
{
    while (count > 0) {
        if (d.left_ == 1) {
            regenerate(d.state_.data());
            d.left_ = kN + 1;
            d.next_ = 0;
        }
        const int64_t take = std::min<int64_t>(count, d.left_ - 1);
        temper(d.state_.data() + d.next_, out, take);
        d.left_ -= static_cast<int>(take);
        d.next_ += static_cast<uint32_t>(take);
        out += take;
        count -= take;
    }
}

bool engineUsable(const at::mt19937_data_pod& d)
{
    return d.seeded_ && d.left_ >= 1 && d.left_ <= kN && d.next_ <= static_cast<uint32_t>(kN) &&
           d.left_ + static_cast<int>(d.next_) <= kN + 1;
}

} // namespace

bool exactMasksAvailable()
{
    // With MKL, LibTorch's bernoulli_ seeds MKL's own stream from the generator instead.
    static const bool available = !at::hasMKL();
    return available;
}

void keepMask(uint8_t* out, int64_t count, double keep)
{
    TORCH_CHECK(exactMasksAvailable(), "keepMask: this LibTorch draws bernoulli_ another way");
    TORCH_CHECK(keep >= 0.0 && keep <= 1.0, "keepMask: keep probability ", keep, " outside [0, 1]");
    if (count <= 0)
        return;
    at::Generator gen = at::detail::getDefaultCPUGenerator();
    auto* cpu = gen.get<at::CPUGeneratorImpl>();
    const double scaled = std::ceil(keep * 9007199254740992.0); // 2^53
    const auto threshold = static_cast<uint64_t>(scaled);
    const auto thresholdHigh = static_cast<uint32_t>(threshold >> 32);
    const auto thresholdLow = static_cast<uint32_t>(threshold & 0xffffffffu);
    constexpr int64_t kChunk = 4096;
    std::vector<uint32_t> buffer(static_cast<size_t>(2 * std::min(count, kChunk)));
    std::lock_guard<std::mutex> lock(cpu->mutex_);
    at::mt19937 engine = cpu->engine();
    at::mt19937_data_pod d = engine.data();
    TORCH_CHECK(engineUsable(d), "keepMask: the CPU generator's state is not a valid Mersenne Twister state");
    for (int64_t done = 0; done < count;) {
        const int64_t n = std::min(count - done, kChunk);
        words(d, buffer.data(), 2 * n);
        keepOf(buffer.data(), out + done, n, thresholdHigh, thresholdLow);
        done += n;
    }
    engine.set_data(d);
    cpu->set_engine(engine);
}

float keptScale(double keep)
{
    return torch::ones({1}, torch::kFloat).div_(keep).item<float>();
}

torch::Tensor dropoutNoise(at::IntArrayRef sizes, double keep)
{
    torch::Tensor noise = torch::empty(sizes, torch::kFloat);
    const int64_t n = noise.numel();
    std::vector<uint8_t> kept(static_cast<size_t>(n));
    keepMask(kept.data(), n, keep);
    const float scale = keptScale(keep);
    float* p = noise.data_ptr<float>();
    for (int64_t i = 0; i < n; ++i)
        p[i] = kept[static_cast<size_t>(i)] ? scale : 0.0f;
    return noise;
}

torch::Tensor exactDropout(const torch::Tensor& x, double p, bool train)
{
    if (!train || p <= 0.0 || p >= 1.0 || x.numel() == 0 || !exactMasksAvailable() || !x.device().is_cpu() ||
        x.scalar_type() != torch::kFloat)
        return torch::dropout(x, p, train);
    // LibTorch's dropout: a contiguous noise tensor of the input's sizes (whatever the input's
    // layout), bernoulli_(1 - p), div_(1 - p), then input * noise, which autograd differentiates.
    return x * dropoutNoise(x.sizes(), 1.0 - p);
}

} // namespace mnist
