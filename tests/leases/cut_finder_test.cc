#include "leases/cut_finder.h"

#include <catch2/catch.hpp>
#include <random>

#include "fake_shard.h"

using namespace au::leases;
using au::leases::testing::FakeShard;

namespace {

constexpr int64_t kNow = 1'700'000'000'000;
constexpr int64_t kSecond = 1'000;
constexpr int64_t kHour = 3'600'000;

// The cut by definition: the last record before the first one that arrived at/after the cutoff.
std::optional<ShardRecordRef> bruteForceCut(const FakeShard& shard, int64_t cutoff) {
    std::optional<ShardRecordRef> cut;
    for (const auto& r : shard.records()) {
        if (r.arrivalMillis >= cutoff) break;
        cut = r;
    }
    return cut;
}

CutSearch find(FakeShard& shard, int64_t cutoff, std::optional<CutPoint> known = std::nullopt) {
    auto r = findCut(shard, cutoff, known);
    REQUIRE(r.isOk());
    return r.value();
}

}  // namespace

TEST_CASE("The cut is the last record before the cutoff; the first fresh one follows it",
          "[leases][cut]") {
    FakeShard shard(kNow);
    shard.addEvery(kNow - 2 * kHour, kNow, kSecond);  // one record a second for 2 h
    const int64_t cutoff = kNow - 120 * kSecond;
    const auto s = find(shard, cutoff);
    REQUIRE(s.outcome == CutOutcome::kCut);
    REQUIRE(s.cut);
    CHECK(s.cut->arrivalMillis == cutoff - kSecond);
    CHECK(s.cut->sequenceNumber == bruteForceCut(shard, cutoff)->sequenceNumber);
    REQUIRE(s.firstFresh);
    CHECK(s.firstFresh->arrivalMillis == cutoff);
    CHECK(s.cutoffMillis == cutoff);
    CHECK(s.reads == 1);  // the first 5 s probe already starts stale and reaches a fresh record
}

TEST_CASE("Every record stale: the cut is the newest record", "[leases][cut]") {
    FakeShard shard(kNow);
    shard.addEvery(kNow - 26 * kHour, kNow - 24 * kHour, 100);  // 72,000 records, a day old
    const auto s = find(shard, kNow - 120 * kSecond);
    REQUIRE(s.outcome == CutOutcome::kCut);
    CHECK(s.cut->sequenceNumber == shard.records().back().sequenceNumber);
    CHECK_FALSE(s.firstFresh);
    // Widening probes find nothing until ~a day back, then bisection narrows the last 2 h of
    // records down to one page: far fewer reads than the 8 pages of the whole backlog would be
    // only if the backlog is larger, so bound it by the logarithms involved.
    CHECK(s.reads <= 24);
}

TEST_CASE("No stale record: nothing to cut; an empty shard has no records", "[leases][cut]") {
    FakeShard fresh(kNow);
    fresh.addEvery(kNow - 60 * kSecond, kNow, kSecond);
    const auto s = find(fresh, kNow - 120 * kSecond);
    CHECK(s.outcome == CutOutcome::kNothingStale);
    CHECK_FALSE(s.cut);
    REQUIRE(s.firstFresh);
    CHECK(s.firstFresh->sequenceNumber == fresh.records().front().sequenceNumber);

    FakeShard empty(kNow);
    const auto e = find(empty, kNow - 120 * kSecond);
    CHECK(e.outcome == CutOutcome::kNoRecords);
    CHECK_FALSE(e.firstFresh);
}

TEST_CASE("A known stale record bounds the widening", "[leases][cut]") {
    FakeShard shard(kNow);
    const auto old = shard.add(kNow - 10 * kHour);       // one record 10 h ago ...
    shard.addEvery(kNow - 30 * kSecond, kNow, kSecond);  // ... then fresh ones only
    const int64_t cutoff = kNow - 120 * kSecond;
    const auto s = find(shard, cutoff, CutPoint{old.sequenceNumber, old.arrivalMillis});
    REQUIRE(s.outcome == CutOutcome::kCut);
    CHECK(s.cut->sequenceNumber == old.sequenceNumber);
    CHECK(s.firstFresh->arrivalMillis == kNow - 30 * kSecond);
    // 5 s, 20 s, 80 s, 320 s, ..., until the window reaches the known record at 10 h.
    CHECK(s.reads <= 8);
}

TEST_CASE("A long stale stretch is bisected, not read page by page", "[leases][cut]") {
    FakeShard shard(kNow, 1'000);
    shard.addEvery(kNow - 3 * kHour, kNow - 2 * kHour, 10);  // 360,000 records in one hour
    shard.addEvery(kNow - 100 * kSecond, kNow, kSecond);
    const int64_t cutoff = kNow - 120 * kSecond;
    const auto old = shard.records().front();
    const auto s = find(shard, cutoff, CutPoint{old.sequenceNumber, old.arrivalMillis});
    REQUIRE(s.outcome == CutOutcome::kCut);
    CHECK(s.cut->sequenceNumber == bruteForceCut(shard, cutoff)->sequenceNumber);
    CHECK(s.reads <= 30);  // 360 pages read one by one
}

TEST_CASE("Empty pages short of the tip are read through", "[leases][cut]") {
    // A FakeShard with page limit 1 behaves like a sparse shard: the cut needs the next page.
    FakeShard shard(kNow, 1);
    shard.add(kNow - 200 * kSecond);
    shard.add(kNow - 119 * kSecond);
    const auto s = find(shard, kNow - 120 * kSecond);
    REQUIRE(s.outcome == CutOutcome::kCut);
    CHECK(s.cut->arrivalMillis == kNow - 200 * kSecond);
    CHECK(s.firstFresh->arrivalMillis == kNow - 119 * kSecond);
}

TEST_CASE("The search matches the definition on random shards", "[leases][cut]") {
    std::mt19937_64 rng(42);
    for (int round = 0; round < 300; ++round) {
        const size_t pageLimit = 1 + rng() % 50;
        FakeShard shard(kNow, pageLimit);
        int64_t t = kNow - static_cast<int64_t>(rng() % (48 * kHour));
        const int n = static_cast<int>(rng() % 400);
        for (int i = 0; i < n && t < kNow; ++i) {
            shard.add(t);
            // mostly dense, sometimes long gaps, sometimes equal arrival times
            const int kind = static_cast<int>(rng() % 10);
            t += kind == 0  ? static_cast<int64_t>(rng() % (6 * kHour))
                 : kind < 3 ? 0
                            : rng() % 5'000;
        }
        const int64_t cutoff = kNow - static_cast<int64_t>(rng() % (50 * kHour));
        std::optional<CutPoint> known;
        const auto expected = bruteForceCut(shard, cutoff);
        if (expected && rng() % 2 == 0) {
            const auto& r = shard.records().front();
            known = CutPoint{r.sequenceNumber, r.arrivalMillis};
        }
        auto r = findCut(shard, cutoff, known);
        INFO("round " << round << ", records " << shard.records().size() << ", page " << pageLimit);
        REQUIRE(r.isOk());
        if (expected) {
            REQUIRE(r->outcome == CutOutcome::kCut);
            CHECK(r->cut->sequenceNumber == expected->sequenceNumber);
        } else {
            CHECK(r->outcome ==
                  (shard.records().empty() ? CutOutcome::kNoRecords : CutOutcome::kNothingStale));
        }
    }
}

TEST_CASE("The search gives up past its read budget and reports read errors", "[leases][cut]") {
    FakeShard shard(kNow, 1);
    shard.addEvery(kNow - 2 * kHour, kNow - kHour, kSecond);
    CutFinderOptions tight;
    tight.maxReads = 3;
    tight.pageForwardBelowMillis = 24 * kHour;  // forces page-by-page reading
    auto r = findCut(shard, kNow - 120 * kSecond, std::nullopt, tight);
    REQUIRE_FALSE(r.isOk());
    CHECK(r.status().code() == "CutSearchBudget");

    FakeShard failing(kNow);
    failing.add(kNow - kHour);
    failing.failWith("ResourceNotFoundException");
    auto f = findCut(failing, kNow - 120 * kSecond, std::nullopt);
    REQUIRE_FALSE(f.isOk());
    CHECK(f.status().code() == "ResourceNotFoundException");
}
