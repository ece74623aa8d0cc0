#pragma once
// mnist-train --report RUN [RUN...] --out FILE.html: the HTML report of runs (core/report).
#include "spec/TrainConfig.h"

#include <string>
#include <vector>

// Writes the report of `runs` (each a run folder, or the name of one in the runs folder) to
// `outPath`, evaluating each run's weights with the machine settings of `machine` (--device,
// --threads, --data-dir...). Prints where it went and, on stderr, what each run lacks. Returns the
// exit code; throws ConfigError for a bad --out and IoError for a run that is not there.
int reportCommand(const std::vector<std::string>& runs, const std::string& outPath, const mnist::TrainConfig& machine);
