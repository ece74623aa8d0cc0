#pragma once
// Skipped tests for Catch2 v2, which has no SKIP: a test whose environment is missing (no mount
// rights, a GPU where the test needs none) calls `return fixtures::skipTest("why");`. The run prints
// "SKIPPED: why", and when every test case of the run skipped and nothing failed, the test main
// exits with kSkipExitCode, which CTest's SKIP_RETURN_CODE turns into "Skipped" (CTest runs one test
// case per process). A run of many test cases exits 0 and lists the skipped ones at the end.
#include <string>

namespace fixtures {

inline constexpr int kSkipExitCode = 4;

// Marks the running test case skipped. Checks made before the call still count (a failed one
// fails the test); return right after it.
void skipTest(const std::string& reason);

// Counts the test cases of the run (the listener in data/SkipTestMain.h calls it).
void noteTestCaseStarting();

// The exit code for a finished Catch run that returned `catchResult`: kSkipExitCode when every test
// case that ran skipped and none failed; a failing run never exits with kSkipExitCode.
int exitCodeWithSkips(int catchResult);

} // namespace fixtures
