#pragma once
// mnist-train --list-runs: the run index, headless; --tag, --untag and --note: a run's notes.
#include <string>
#include <vector>

// Prints one row (or with `json`, one object) per run folder under `runsDir`; returns the exit code.
int listRunsCommand(const std::string& runsDir, bool json);

// --tag RUN TAG... (add) or --untag RUN TAG... (remove): `args` is RUN then the tags. RUN is a run
// folder or a run's name under `runsDir`. Prints the run's tags; throws ConfigError naming the run.
int tagRunCommand(const std::vector<std::string>& args, bool add, const std::string& runsDir);
// --note RUN TEXT: replaces the run's note (empty or no text clears it).
int noteRunCommand(const std::vector<std::string>& args, const std::string& runsDir);
