#include "train/Allocator.h"

#include "EnvFlag.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace mnist {

bool keepFreedMemoryForReuse()
{
    if (envFlag("MNIST_STUDIO_DEFAULT_MALLOC"))
        return false;
#if defined(__GLIBC__)
    // Setting either threshold also turns off glibc's dynamic adjustment of both; each needs the
    // other (measured: the mmap threshold alone or the trim threshold alone gained nothing).
    const bool mmapSet = mallopt(M_MMAP_THRESHOLD, 64 << 20) == 1;
    const bool trimSet = mallopt(M_TRIM_THRESHOLD, 256 << 20) == 1;
    return mmapSet && trimSet;
#else
    return false;
#endif
}

} // namespace mnist
