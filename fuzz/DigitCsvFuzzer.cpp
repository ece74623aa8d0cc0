// libFuzzer entry point; the property checked is fuzzchecks::digitCsvOutcome (FuzzChecks.h).
#include "FuzzTarget.h"

MNIST_FUZZ_TARGET(fuzzchecks::digitCsvOutcome)
