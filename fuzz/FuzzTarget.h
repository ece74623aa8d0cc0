#pragma once
// The libFuzzer entry point of a fuzz target, written once: MNIST_FUZZ_TARGET(check) defines
// LLVMFuzzerTestOneInput to run `check` (one of FuzzChecks.h's outcome functions) on each input
// and abort on a problem it reports, so that libFuzzer saves the input as a crash artifact.
#include "FuzzChecks.h"

#include <cstdio>
#include <cstdlib>

namespace fuzzchecks {

using Check = std::string (*)(const uint8_t* data, size_t size);

// libFuzzer's return value: 0 (the input may be kept in the corpus), or no return at all.
inline int runFuzzCheck(Check check, const uint8_t* data, size_t size)
{
    const std::string problem = check(data, size);
    if (!problem.empty()) {
        std::fprintf(stderr, "FUZZ FINDING: %s\n", problem.c_str());
        std::abort();
    }
    return 0;
}

} // namespace fuzzchecks

// A macro because libFuzzer finds the entry point by its C name, one per executable.
#define MNIST_FUZZ_TARGET(check)                                                                  \
    extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)                       \
    {                                                                                             \
        return fuzzchecks::runFuzzCheck(check, data, size);                                       \
    }
