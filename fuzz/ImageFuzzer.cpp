// libFuzzer entry point; the property checked is fuzzchecks::imageOutcome (FuzzChecks.h).
#include "FuzzTarget.h"

MNIST_FUZZ_TARGET(fuzzchecks::imageOutcome)
