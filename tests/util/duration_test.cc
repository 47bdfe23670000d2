#include "util/duration.h"

#include <catch2/catch.hpp>

using au::parseDurationMillis;

TEST_CASE("Durations: units, combinations and a bare number of seconds", "[util]") {
    CHECK(parseDurationMillis("120") == 120'000);
    CHECK(parseDurationMillis("2m") == 120'000);
    CHECK(parseDurationMillis("90s") == 90'000);
    CHECK(parseDurationMillis("500ms") == 500);
    CHECK(parseDurationMillis("1h30m") == 5'400'000);
    CHECK(parseDurationMillis("1d") == 86'400'000);
    CHECK(parseDurationMillis("1m30s") == 90'000);
    CHECK(parseDurationMillis("0s") == 0);
}

TEST_CASE("Durations: malformed text is refused, never read as something else", "[util]") {
    for (const char* bad : {"", "m", "2x", "2 m", "-2m", "1m30", "1.5m", "2M", "s2", "2mm",
                            "99999999999999999999s", "106751991167301d"}) {
        INFO(bad);
        CHECK_FALSE(parseDurationMillis(bad).has_value());
    }
}
