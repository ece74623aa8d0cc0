#include "data/SkipTest.h"

#include <catch2/catch.hpp>

#include <cstdio>
#include <set>

namespace fixtures {
namespace {

std::set<std::string>& skippedTests()
{
    static std::set<std::string> names;
    return names;
}

size_t& testCasesRun()
{
    static size_t count = 0;
    return count;
}

} // namespace

void noteTestCaseStarting()
{
    ++testCasesRun();
}

void skipTest(const std::string& reason)
{
    const std::string name = Catch::getResultCapture().getCurrentTestName();
    skippedTests().insert(name);
    std::printf("SKIPPED: %s\n", reason.c_str());
    std::fflush(stdout);
}

int exitCodeWithSkips(int catchResult)
{
    if (catchResult != 0)
        return catchResult == kSkipExitCode ? kSkipExitCode + 1 : catchResult;
    const auto& skipped = skippedTests();
    if (skipped.empty())
        return 0;
    if (skipped.size() >= testCasesRun())
        return kSkipExitCode;
    std::printf("%zu of %zu test cases skipped:\n", skipped.size(), testCasesRun());
    for (const auto& name : skipped)
        std::printf("  %s\n", name.c_str());
    return 0;
}

} // namespace fixtures
