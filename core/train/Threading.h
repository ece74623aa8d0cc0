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
// OpenMP reads its environment when the process loads, so the first call of main() re-executes the
// program with OMP_WAIT_POLICY=PASSIVE (other OpenMP runtimes) and GOMP_SPINCOUNT=1000 (GNU's,
// which LibTorch uses) unless the user set either. Returns only when no re-exec happened.
void useCooperativeOpenMpThreads(char** argv);

} // namespace mnist
