// libFuzzer entry point; the property checked is fuzzchecks::safeTensorsOutcome (FuzzChecks.h).
#include "FuzzTarget.h"

MNIST_FUZZ_TARGET(fuzzchecks::safeTensorsOutcome)
