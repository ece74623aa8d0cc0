#include "train/Allocator.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstring>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

TEST_CASE("After keepFreedMemoryForReuse a freed activation-sized block stays in the heap", "[train][allocator]")
{
#if defined(__GLIBC__)
    // 40 MiB is above anything glibc's dynamic mmap threshold reaches (32 MiB), so with the
    // defaults it is mapped and unmapped; tuned, it comes from the heap and stays there when freed.
    ::unsetenv("MNIST_STUDIO_DEFAULT_MALLOC");
    REQUIRE(mnist::keepFreedMemoryForReuse());
    const size_t size = 40u << 20;
    const size_t freeBefore = mallinfo2().fordblks;
    void* block = std::malloc(size);
    REQUIRE(block != nullptr);
    std::memset(block, 1, size);
    CHECK(mallinfo2().hblkhd < size); // not an mmapped block
    std::free(block);
    CHECK(mallinfo2().fordblks >= freeBefore + size - (1u << 20)); // kept as free heap memory
#else
    CHECK_FALSE(mnist::keepFreedMemoryForReuse());
#endif
}

TEST_CASE("MNIST_STUDIO_DEFAULT_MALLOC=1 leaves the allocator alone", "[train][allocator]")
{
    ::setenv("MNIST_STUDIO_DEFAULT_MALLOC", "1", 1);
    CHECK_FALSE(mnist::keepFreedMemoryForReuse());
    ::unsetenv("MNIST_STUDIO_DEFAULT_MALLOC");
}
