// libFuzzer entry point; the property checked is fuzzchecks::sweepOutcome (FuzzChecks.h).
#include "FuzzTarget.h"

MNIST_FUZZ_TARGET(fuzzchecks::sweepOutcome)
