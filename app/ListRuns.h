#pragma once
// mnist-train --list-runs: the run index, headless.
#include <string>

// Prints one row (or with `json`, one object) per run folder under `runsDir`; returns the exit code.
int listRunsCommand(const std::string& runsDir, bool json);
