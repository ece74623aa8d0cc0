// libFuzzer entry point; the property checked is fuzzchecks::mnistFamilyOutcome (FuzzChecks.h).
#include "FuzzTarget.h"

MNIST_FUZZ_TARGET(fuzzchecks::mnistFamilyOutcome)
