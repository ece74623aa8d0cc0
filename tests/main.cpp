#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "data/SkipTestMain.h"

#include <cstdlib>

int main(int argc, char** argv)
{
    // Every training in the tests uses auto's unmeasured layout, so no test's result depends on
    // a timing (or writes the user's calibration.json); the calibration tests switch it back on.
    ::setenv("MNIST_STUDIO_NO_CALIBRATION", "1", 0);
    return fixtures::exitCodeWithSkips(Catch::Session().run(argc, argv));
}
