// libFuzzer entry point; the property checked is fuzzchecks::runFilesOutcome (FuzzChecks.h): each
// input is read as metrics.csv, lr.csv, loss.csv, layers.csv, summary.json and notes.json.
#include "FuzzTarget.h"

MNIST_FUZZ_TARGET(fuzzchecks::runFilesOutcome)
