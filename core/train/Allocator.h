#pragma once
// Process-wide memory allocator set-up for training. No LibTorch header here.

namespace mnist {

// A training step frees and re-allocates the same activation buffers (megabytes each) every
// iteration. glibc's defaults hand such blocks back to the kernel (mmap above a threshold, heap trim
// beyond 128 KiB), so each step unmaps and page-faults them in again: perf showed 13% of a LeNetDeep
// step in the kernel. This raises the mmap threshold to 64 MiB and the trim threshold to 256 MiB so
// freed blocks stay in the heap for the next iteration (LeNetDeep, batch 100, one thread:
// 2,150-2,370 -> 3,150-3,190 images/s here). The cost is that memory is returned to the system
// only at exit or above those sizes. MNIST_STUDIO_DEFAULT_MALLOC=1 keeps glibc's defaults (to
// measure the difference). Returns whether the settings were applied (false on other C libraries).
bool keepFreedMemoryForReuse();

} // namespace mnist
