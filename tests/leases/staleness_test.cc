#include "leases/staleness.h"

#include <catch2/catch.hpp>

using namespace au::leases;

namespace {
StalenessInput input(std::optional<std::string> cp, std::optional<int64_t> behind,
                     std::optional<int64_t> arrival) {
    StalenessInput in;
    in.startingCheckpoint = std::move(cp);
    in.millisBehindLatest = behind;
    in.firstArrivalMillis = arrival;
    in.nowMillis = 10'000'000;
    in.maxReplayMillis = 120'000;
    return in;
}
}  // namespace

TEST_CASE("A shard further behind than maxReplay is stale, whatever the starting checkpoint",
          "[leases][rule]") {
    for (const char* cp : {"TRIM_HORIZON", "AT_TIMESTAMP", "4959033827149025660855969253836157"}) {
        auto d = decideStaleness(input(std::string(cp), 3 * 3'600'000, std::nullopt));
        CHECK(d.verdict == Verdict::kStale);
        CHECK(d.backlogMillis == 3 * 3'600'000);
    }
    CHECK(decideStaleness(input(std::nullopt, 120'001, std::nullopt)).verdict == Verdict::kStale);
}

TEST_CASE("A consumer that keeps up is fresh: the boundary belongs to fresh", "[leases][rule]") {
    CHECK(decideStaleness(input("TRIM_HORIZON", 3'000, std::nullopt)).verdict == Verdict::kFresh);
    CHECK(decideStaleness(input("TRIM_HORIZON", 120'000, std::nullopt)).verdict == Verdict::kFresh);
    CHECK(decideStaleness(input("TRIM_HORIZON", 0, std::nullopt)).verdict == Verdict::kFresh);
}

TEST_CASE("millisBehindLatest wins; the first record's age is the fallback", "[leases][rule]") {
    // An old first record but a batch at the tip: fresh (the old records are skipped one by one).
    CHECK(decideStaleness(input("TRIM_HORIZON", 1'000, 10'000'000 - 3'600'000)).verdict ==
          Verdict::kFresh);
    auto old = decideStaleness(input("TRIM_HORIZON", std::nullopt, 10'000'000 - 3'600'000));
    CHECK(old.verdict == Verdict::kStale);
    CHECK(old.backlogMillis == 3'600'000);
    CHECK(old.reason.find("first record") != std::string::npos);
    auto young = decideStaleness(input("TRIM_HORIZON", std::nullopt, 10'000'000 - 5'000));
    CHECK(young.verdict == Verdict::kFresh);
    // A record from the future (clock skew) counts as age 0.
    CHECK(decideStaleness(input("TRIM_HORIZON", std::nullopt, 10'000'000 + 60'000)).backlogMillis ==
          0);
}

TEST_CASE("Nothing to go on is unknown; LATEST and SHARD_END are not applicable",
          "[leases][rule]") {
    CHECK(decideStaleness(input("TRIM_HORIZON", std::nullopt, std::nullopt)).verdict ==
          Verdict::kUnknown);
    CHECK(decideStaleness(input("LATEST", 9'999'999, std::nullopt)).verdict ==
          Verdict::kNotApplicable);
    CHECK(decideStaleness(input("SHARD_END", 9'999'999, std::nullopt)).verdict ==
          Verdict::kNotApplicable);
}

TEST_CASE("Durations print short", "[leases]") {
    CHECK(formatDuration(800) == "800ms");
    CHECK(formatDuration(45'000) == "45s");
    CHECK(formatDuration(120'000) == "2m");
    CHECK(formatDuration(3 * 3'600'000 + 12 * 60'000) == "3h12m");
    CHECK(formatDuration(2 * 86'400'000) == "2d");
}
