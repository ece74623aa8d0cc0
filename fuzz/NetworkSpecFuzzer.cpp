// libFuzzer entry point; the property checked is fuzzchecks::networkSpecOutcome (FuzzChecks.h).
#include "FuzzTarget.h"

MNIST_FUZZ_TARGET(fuzzchecks::networkSpecOutcome)
