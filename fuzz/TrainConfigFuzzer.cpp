// libFuzzer entry point; the property checked is fuzzchecks::trainConfigOutcome (FuzzChecks.h).
#include "FuzzTarget.h"

MNIST_FUZZ_TARGET(fuzzchecks::trainConfigOutcome)
