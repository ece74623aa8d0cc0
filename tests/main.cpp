#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "data/SkipTestMain.h"

int main(int argc, char** argv)
{
    return fixtures::exitCodeWithSkips(Catch::Session().run(argc, argv));
}
