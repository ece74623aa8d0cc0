#pragma once
// The CPU kernels' hot loops (PoolTail, DropoutMask, CpuAugment), compiled once per x86 instruction set
// and picked at run time. The core is built for any x86-64 (SSE2), where LibTorch's own kernels
// dispatch to AVX2 or AVX-512 by themselves; ours do the same through MNIST_SIMD_VARIANTS, and
// are optimised as -O3 would (GCC's -O2 vectorises only loops of a known, fitting trip count).
// The loops are written for the vectoriser: over contiguous elements, selects instead of
// branches, MNIST_SIMD_IVDEP where the pointers do not overlap. Vectorising changes no value:
// each element's operations and their rounding stay the same.

namespace mnist {

enum class SimdLevel { Plain, Avx2, Avx512 };

// GCC only: clang has no optimize attribute, and contracts a * b + c into an FMA by default
// where a target has one; it builds the plain variant.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define MNIST_SIMD_X86 1
#define MNIST_SIMD_INLINE inline __attribute__((always_inline))
#else
#define MNIST_SIMD_X86 0
#define MNIST_SIMD_INLINE inline
#endif

#if defined(__clang__)
#define MNIST_SIMD_IVDEP _Pragma("clang loop vectorize(assume_safety)")
#elif defined(__GNUC__)
// unroll 1: a loop of a known short length (16 channels) would otherwise be unrolled completely
// before the loop vectoriser sees it, and GCC's straight-line vectoriser leaves the selects scalar.
#define MNIST_SIMD_IVDEP _Pragma("GCC ivdep") _Pragma("GCC unroll 1")
#else
#define MNIST_SIMD_IVDEP
#endif

// The widest level this CPU runs (AVX-512 needs F, BW, VL and DQ; AVX2 needs FMA too).
inline SimdLevel simdLevel()
{
#if MNIST_SIMD_X86
    static const SimdLevel level = [] {
        __builtin_cpu_init();
        if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
            __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq"))
            return SimdLevel::Avx512;
        if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
            return SimdLevel::Avx2;
        return SimdLevel::Plain;
    }();
    return level;
#else
    return SimdLevel::Plain;
#endif
}

// Defines NAME##Avx512, NAME##Avx2 and NAME##Plain, each `RET NAME(PARAMS)` returning BODY ARGS,
// where BODY is a MNIST_SIMD_INLINE function (inlined into each, so compiled for its target), and
// NAME(PARAMS) itself, which calls the one simdLevel() picks.
// fp-contract=off: with FMA available GCC would fuse a * b + c into one rounding, and a variant's
// values would differ from the plain one's (and from LibTorch's where a kernel matches it).
#if MNIST_SIMD_X86
#define MNIST_SIMD_ATTRIBUTES_AVX512                                                                         \
    __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx2,fma"), optimize("O3", "fp-contract=off")))
#define MNIST_SIMD_ATTRIBUTES_AVX2 __attribute__((target("avx2,fma"), optimize("O3", "fp-contract=off")))
#define MNIST_SIMD_ATTRIBUTES_PLAIN __attribute__((optimize("O3", "fp-contract=off")))
#endif

#if MNIST_SIMD_X86
#define MNIST_SIMD_VARIANTS(RET, NAME, PARAMS, ARGS, BODY)                                                   \
    MNIST_SIMD_ATTRIBUTES_AVX512 RET NAME##Avx512 PARAMS { return BODY ARGS; }                              \
    MNIST_SIMD_ATTRIBUTES_AVX2 RET NAME##Avx2 PARAMS { return BODY ARGS; }                                  \
    MNIST_SIMD_ATTRIBUTES_PLAIN RET NAME##Plain PARAMS { return BODY ARGS; }                                \
    RET NAME PARAMS                                                                                          \
    {                                                                                                        \
        switch (::mnist::simdLevel()) {                                                                      \
        case ::mnist::SimdLevel::Avx512:                                                                     \
            return NAME##Avx512 ARGS;                                                                        \
        case ::mnist::SimdLevel::Avx2:                                                                       \
            return NAME##Avx2 ARGS;                                                                          \
        default:                                                                                             \
            return NAME##Plain ARGS;                                                                         \
        }                                                                                                    \
    }
#else
#define MNIST_SIMD_VARIANTS(RET, NAME, PARAMS, ARGS, BODY)                                                   \
    RET NAME PARAMS { return BODY ARGS; }
#endif

} // namespace mnist
