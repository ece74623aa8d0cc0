// libFuzzer entry point; the property checked is fuzzchecks::calibrationOutcome (FuzzChecks.h).
#include "FuzzChecks.h"

#include <cstdio>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string problem = fuzzchecks::calibrationOutcome(data, size);
    if (!problem.empty()) {
        std::fprintf(stderr, "FUZZ FINDING: %s\n", problem.c_str());
        std::abort(); // libFuzzer saves the input as a crash artifact
    }
    return 0;
}
