#pragma once
// For the test mains only, after <catch2/catch.hpp> with CATCH_CONFIG_RUNNER (listeners need
// Catch's implementation): counts the run's test cases, so that exitCodeWithSkips() knows whether
// every one of them skipped.
#include "data/SkipTest.h"

namespace fixtures {

struct SkipCounter : Catch::TestEventListenerBase {
    using TestEventListenerBase::TestEventListenerBase;
    void testCaseStarting(const Catch::TestCaseInfo& info) override
    {
        TestEventListenerBase::testCaseStarting(info);
        noteTestCaseStarting();
    }
};

CATCH_REGISTER_LISTENER(SkipCounter)

} // namespace fixtures
