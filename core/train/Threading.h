#pragma once
// Process-wide threading set-up, callable before anything starts a thread. No LibTorch header here.

namespace mnist {

// LibTorch's OpenMP threads spin while they wait for the next parallel region. GNU OpenMP's
// default spin (GOMP_SPINCOUNT 300,000, a few ms) starves anything else that wants a core: two
// LeNetDeep runs side by side on this 2-core machine fell below 750 images/s each, and LeNet once
// fell from 11,000 to under 700 beside a compiler. Not spinning at all (PASSIVE) costs a futex
// wake-up per parallel region instead: LeNetDeep trains at 4,400 images/s alone, 2,270 each as a
// pair. A short spin (GOMP_SPINCOUNT=1000, some 10-20 us) covers the gaps between LibTorch's
// kernels but not longer waits: 5,400-5,700 alone, 2,110 each as a pair.
//
// OpenMP reads its environment once, in its library's constructor, so the program must start with
// OMP_WAIT_POLICY=PASSIVE (other OpenMP runtimes) and GOMP_SPINCOUNT=1000 (GNU's, which LibTorch
// uses) in its environment; it re-executes itself with them unless the user set either. Each
// program does that from its .preinit_array (MNIST_STUDIO_SETTINGS_AT_LOAD below), which the
// dynamic loader runs before any library's constructor: the first start then costs the loader's
// work (about 0.2 s here) instead of all of LibTorch's static initialisation as well (about 0.55 s).
// A setenv() there would not do: glibc resets the environment after it.
// The same re-exec asks glibc's malloc for transparent huge pages (GLIBC_TUNABLES=
// glibc.malloc.hugetlb=1, glibc 2.35 and later) unless GLIBC_TUNABLES is set or
// MNIST_STUDIO_DEFAULT_MALLOC=1 (Allocator.h): a fresh 150 MB tensor of the training images, or an
// activation, then faults in 2 MiB at a time instead of 4 KiB (docs/benchmarks.md has the gain).
void reexecWithStartSettings(int argc, char** argv, char** envp);

// The same from main(), where no .preinit_array ran (another platform, a program without the
// macro): sets both variables and re-executes. Returns only when no re-exec happened.
void useCooperativeOpenMpThreads(char** argv);

} // namespace mnist

// At file scope in a program's main source file: reexecWithStartSettings() at load.
#if defined(__linux__) && defined(__ELF__)
#define MNIST_STUDIO_SETTINGS_AT_LOAD                                                                          \
    namespace {                                                                                              \
    void mnistStudioSettingsAtLoad(int argc, char** argv, char** envp)                                         \
    {                                                                                                        \
        ::mnist::reexecWithStartSettings(argc, argv, envp);                                                 \
    }                                                                                                        \
    __attribute__((section(".preinit_array"), used)) void (*const mnistStudioSettingsAtLoadEntry)(int, char**, \
                                                                                                 char**) =   \
        mnistStudioSettingsAtLoad;                                                                             \
    }
#else
#define MNIST_STUDIO_SETTINGS_AT_LOAD
#endif
