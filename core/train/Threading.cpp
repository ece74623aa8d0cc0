#include "train/Threading.h"

#include <cstdlib>
#include <unistd.h>

namespace mnist {

void useCooperativeOpenMpThreads(char** argv)
{
    if (std::getenv("OMP_WAIT_POLICY") != nullptr || std::getenv("GOMP_SPINCOUNT") != nullptr)
        return;
    ::setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
    ::setenv("GOMP_SPINCOUNT", "1000", 1); // overrides PASSIVE's zero spin in GNU OpenMP
    ::execv("/proc/self/exe", argv); // returns only on failure: then run on with the default policy
}

} // namespace mnist
