// libFuzzer entry point; the property checked is fuzzchecks::imageFolderOutcome (FuzzChecks.h).
#include "FuzzTarget.h"

MNIST_FUZZ_TARGET(fuzzchecks::imageFolderOutcome)
