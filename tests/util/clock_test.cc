#include "util/clock.h"

#include <catch2/catch.hpp>

#include "util/log.h"

TEST_CASE("ManualClock advances only when told or when slept on", "[util]") {
    au::ManualClock clock(1000);
    CHECK(clock.nowMillis() == 1000);
    clock.sleepMillis(250);
    CHECK(clock.nowMillis() == 1250);
    clock.set(5);
    CHECK(clock.nowMillis() == 5);
}

TEST_CASE("LogThrottle lets one line through per interval and counts the rest", "[util]") {
    au::ManualClock clock(0);
    au::LogThrottle throttle(10'000);
    uint64_t suppressed = 99;
    CHECK(throttle.allow(clock, &suppressed));
    CHECK(suppressed == 0);
    clock.advance(5'000);
    CHECK_FALSE(throttle.allow(clock));
    CHECK_FALSE(throttle.allow(clock));
    clock.advance(5'000);
    CHECK(throttle.allow(clock, &suppressed));
    CHECK(suppressed == 2);
}
