#include "train/Threading.h"

#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace mnist {
namespace {

constexpr const char* kWaitPolicy = "OMP_WAIT_POLICY=PASSIVE";
constexpr const char* kSpinCount = "GOMP_SPINCOUNT=1000"; // overrides PASSIVE's zero spin in GNU OpenMP
constexpr const char* kHugePages = "GLIBC_TUNABLES=glibc.malloc.hugetlb=1";

// The value of `name` ("NAME=") in envp, or nullptr.
const char* valueOf(char** envp, const char* name)
{
    const size_t n = std::strlen(name);
    for (char** e = envp; *e != nullptr; ++e)
        if (std::strncmp(*e, name, n) == 0)
            return *e + n;
    return nullptr;
}

} // namespace

void reexecWithStartSettings(int /*argc*/, char** argv, char** envp)
{
    // Before any constructor: the environment only through envp, plain C, nothing allocated that
    // must outlive the exec.
    if (argv == nullptr || envp == nullptr || valueOf(envp, "OMP_WAIT_POLICY=") != nullptr ||
        valueOf(envp, "GOMP_SPINCOUNT=") != nullptr)
        return;
    const char* defaultMalloc = valueOf(envp, "MNIST_STUDIO_DEFAULT_MALLOC=");
    const bool hugePages = valueOf(envp, "GLIBC_TUNABLES=") == nullptr &&
                           (defaultMalloc == nullptr || defaultMalloc[0] == '\0' || std::strcmp(defaultMalloc, "0") == 0);
    size_t n = 0;
    while (envp[n] != nullptr)
        ++n;
    char** env = static_cast<char**>(std::malloc((n + 4) * sizeof(char*)));
    if (env == nullptr)
        return;
    std::memcpy(env, envp, n * sizeof(char*));
    env[n++] = const_cast<char*>(kWaitPolicy);
    env[n++] = const_cast<char*>(kSpinCount);
    if (hugePages)
        env[n++] = const_cast<char*>(kHugePages);
    env[n] = nullptr;
    ::execve("/proc/self/exe", argv, env); // returns only on failure: main() tries again
    std::free(env);
}

void useCooperativeOpenMpThreads(char** argv)
{
    if (std::getenv("OMP_WAIT_POLICY") != nullptr || std::getenv("GOMP_SPINCOUNT") != nullptr)
        return;
    ::setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
    ::setenv("GOMP_SPINCOUNT", "1000", 1);
    ::execv("/proc/self/exe", argv); // returns only on failure: then run on with the default policy
}

} // namespace mnist
