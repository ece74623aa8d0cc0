// libFuzzer entry point; the property checked is fuzzchecks::idxOutcome (FuzzChecks.h).
#include "FuzzTarget.h"

MNIST_FUZZ_TARGET(fuzzchecks::idxOutcome)
