// libFuzzer entry point; the property checked is fuzzchecks::calibrationOutcome (FuzzChecks.h).
#include "FuzzTarget.h"

MNIST_FUZZ_TARGET(fuzzchecks::calibrationOutcome)
