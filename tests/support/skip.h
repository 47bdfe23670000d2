#pragma once
// A test case that cannot run here reports SKIPPED, never "Passed" (Catch2 2.x has no SKIP).
// AU_SKIP prints the fixed marker "AU_SKIP: <reason>" on stdout and returns from the test case;
// every catch_discover_tests in tests/ sets SKIP_REGULAR_EXPRESSION to that marker (AU_SKIP_REGEX
// in tests/CMakeLists.txt), so ctest reports the test as "Skipped". Use it only at the top of a
// TEST_CASE, before any assertion and any SECTION. .ci/run fails when a test skips that CI can run.

#include <iostream>

#define AU_SKIP(reason)                                  \
    do {                                                 \
        std::cout << "AU_SKIP: " << reason << std::endl; \
        return;                                          \
    } while (false)
