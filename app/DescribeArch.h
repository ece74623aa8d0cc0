#pragma once
// mnist-train --describe-arch and --list-archs: networks, headless.
#include <string>

// Each layer of the built-in or user network `nameOrFile` (a name, or a spec file) with its output
// shape, parameters and multiply-adds, then the totals; with `json`, one object holding them and
// the state_dict's names and shapes. Returns the exit code.
int describeArchCommand(const std::string& nameOrFile, bool json);

// The built-in networks, then the user's (and the user files that cannot be used, with why).
int listArchsCommand(bool json);
