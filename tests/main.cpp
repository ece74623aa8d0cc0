#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "data/SkipTestMain.h"
#include "data/TempDir.h"

#include <cstdlib>

int main(int argc, char** argv)
{
    // Every training in the tests uses auto's unmeasured layout, so no test's result depends on
    // a timing (or writes the user's calibration.json); the calibration tests switch it back on.
    ::setenv("MNIST_STUDIO_NO_CALIBRATION", "1", 0);
    // The run index's caches of the tests' runs folders (and of the CLI's, which inherits it) go
    // here, not to the user's cache folder.
    const TempDir indexCache;
    ::setenv("MNIST_STUDIO_RUN_INDEX_CACHE", indexCache.path().c_str(), 0);
    return fixtures::exitCodeWithSkips(Catch::Session().run(argc, argv));
}
