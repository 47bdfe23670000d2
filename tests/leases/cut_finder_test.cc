#include "leases/cut_finder.h"

#include <catch2/catch.hpp>
#include <random>

#include "aws/kinesis_client.h"
#include "aws/one_shot_kinesis.h"
#include "fake_shard.h"
#include "limited_kinesis.h"

using namespace au::leases;
using au::leases::testing::FakeShard;
using au::leases::testing::FakeShards;
using au::leases::testing::LimitedKinesis;

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

TEST_CASE("The cut is the last record before the cutoff, the first fresh one follows it",
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

TEST_CASE("No stale record: nothing to cut, an empty shard has no records", "[leases][cut]") {
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

namespace {

// `count` records spread evenly over `spanMillis` from `from` (many per ms when dense).
void addBurst(FakeShard& shard, int64_t from, int64_t spanMillis, int64_t count) {
    for (int64_t i = 0; i < count; ++i) shard.add(from + i * spanMillis / count);
}

void checkCut(FakeShard& shard, const CutSearch& s, int64_t cutoff) {
    const auto expected = bruteForceCut(shard, cutoff);
    REQUIRE(expected);
    REQUIRE(s.outcome == CutOutcome::kCut);
    CHECK(s.cut->sequenceNumber == expected->sequenceNumber);
}

}  // namespace

TEST_CASE("A dense burst is cut in a few small reads, wherever the cutoff falls", "[leases][cut]") {
    const int64_t cutoff = kNow - 12 * kSecond;
    struct Shape {
        const char* name;
        int64_t burstFrom;        // 100,000 records over 2 s from here
        int64_t tailEveryMillis;  // then one record every this many ms up to now (0: none)
    };
    const Shape shapes[] = {
        {"burst long before the cutoff, heartbeats after it", cutoff - 60 * kSecond, 50},
        {"burst long before the cutoff, nothing until fresh records", cutoff - 60 * kSecond, 0},
        {"burst ends just before the cutoff", cutoff - 2 * kSecond - 3, 0},
        {"cutoff inside the burst", cutoff - kSecond, 100},
        {"burst an hour old, sparse heartbeats after", cutoff - kHour, 1'000},
    };
    for (const auto& shape : shapes) {
        FakeShard shard(kNow);
        addBurst(shard, shape.burstFrom, 2 * kSecond, 100'000);
        if (shape.tailEveryMillis > 0) {
            shard.addEvery(shape.burstFrom + 2 * kSecond, kNow, shape.tailEveryMillis);
        } else {
            shard.addEvery(cutoff + 500, kNow, 1'000);  // fresh heartbeats only
        }
        const auto& first = shard.records().front();
        for (bool known : {false, true}) {
            INFO(shape.name << (known ? ", first record known" : ""));
            const auto s =
                known ? find(shard, cutoff, CutPoint{first.sequenceNumber, first.arrivalMillis})
                      : find(shard, cutoff);
            checkCut(shard, s, cutoff);
            CHECK(s.reads <= 24);
            CHECK(s.recordsRead <= 12'000);  // of 100,000 stale records
        }
    }
}

TEST_CASE("A backlog at a real shard's density is cut in a few reads", "[leases][cut]") {
    FakeShard shard(kNow);
    shard.addEvery(kNow - 300 * kSecond, kNow, 1);  // 1,000 records/s for 5 minutes: 300,000
    const int64_t cutoff = kNow - 120 * kSecond;
    const auto& first = shard.records().front();
    const auto s = find(shard, cutoff, CutPoint{first.sequenceNumber, first.arrivalMillis});
    checkCut(shard, s, cutoff);
    CHECK(s.reads <= 3);  // the 5 s probe, one interpolated page reaching the cutoff
    CHECK(s.recordsRead <= 3'000);
}

TEST_CASE("The reads do not grow with the backlog", "[leases][cut]") {
    const int64_t cutoff = kNow - 12 * kSecond;
    for (bool dense : {true, false}) {
        int most = 0;
        int64_t mostRecords = 0;
        for (int64_t size : {10'000, 30'000, 100'000, 300'000, 1'000'000}) {
            FakeShard shard(kNow);
            // Dense: the whole backlog within 2 s; real: 1,000 records/s, ending 20 s before the
            // cutoff; then fresh heartbeats.
            const int64_t span = dense ? 2 * kSecond : size;
            addBurst(shard, cutoff - 20 * kSecond - span, span, size);
            shard.addEvery(cutoff - 20 * kSecond, kNow, 200);
            const auto& first = shard.records().front();
            const auto s = find(shard, cutoff, CutPoint{first.sequenceNumber, first.arrivalMillis});
            INFO((dense ? "dense" : "real density") << ", " << size << " records");
            checkCut(shard, s, cutoff);
            most = std::max(most, s.reads);
            mostRecords = std::max(mostRecords, s.recordsRead);
        }
        INFO((dense ? "dense" : "real density"));
        CHECK(most <= 12);
        CHECK(mostRecords <= 12'000);  // probes + at most one 10,000-record page
    }
}

TEST_CASE("Under the read limits, with the KCL polling the same shard, the cut takes < 3 s",
          "[leases][cut]") {
    // Dense or at 1,000 records/s; followed by heartbeats every 100 ms, or by nothing until the
    // cutoff (the hard case: only bisection finds where the stale records end).
    for (int shape = 0; shape < 4; ++shape) {
        const bool dense = shape % 2 == 0;
        const bool gap = shape >= 2;
        au::ManualClock clock(kNow);
        FakeShards shards(kNow);
        FakeShard& shard = shards["shardId-000000000001"];
        const int64_t cutoff = kNow - 12 * kSecond;
        const int64_t size = 300'000;
        const int64_t span = dense ? 2 * kSecond : size;  // 1,000 records/s
        addBurst(shard, cutoff - 30 * kSecond - span, span, size);
        shard.addEvery(gap ? cutoff + 500 : cutoff - 30 * kSecond, kNow, 100);
        LimitedKinesis::Limits limits;
        limits.daemonEveryMillis = 400;  // 1 MB every 400 ms: more than the shard's 2 MB/s
        LimitedKinesis kinesis(clock, shards, limits);
        au::aws::testing::OneShotKinesisClient signedClient(kinesis, clock);
        au::aws::KinesisClient& client = signedClient.kinesis;
        ShardReaderOptions ro;
        ro.now = [&clock] { return clock.nowMillis(); };
        KinesisShardReader reader(
            client, "s", "shardId-000000000001",
            [&clock](int64_t ms) {
                clock.sleepMillis(ms);
                return true;
            },
            ro);
        CutFinderOptions options;
        options.clock = &clock;
        const auto& first = shard.records().front();
        auto r =
            findCut(reader, cutoff, CutPoint{first.sequenceNumber, first.arrivalMillis}, options);
        INFO((dense ? "dense" : "real density")
             << (gap ? ", gap" : ", heartbeats") << ": " << reader.calls() << " calls, "
             << reader.throttled() << " throttled, " << kinesis.daemonReads << " daemon reads");
        REQUIRE(r.isOk());
        checkCut(shard, r.value(), cutoff);
        CHECK(kinesis.daemonReads > 0);  // the competing reads shared the shard
        CHECK(reader.calls() <= 50);
        CHECK(clock.nowMillis() - kNow <= 3'000);
        CHECK(kinesis.calls["GetRecords"] - reader.throttled() <= 20);
    }
}
