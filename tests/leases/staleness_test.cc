#include "leases/staleness.h"

#include <catch2/catch.hpp>

using namespace au::leases;

namespace {
constexpr int64_t kNow = 10'000'000;
constexpr int64_t kMaxReplay = 120'000;
constexpr int64_t kHour = 3'600'000;

StalenessInput input(std::optional<std::string> cp, std::optional<int64_t> behind,
                     std::optional<int64_t> first, std::optional<int64_t> last = std::nullopt,
                     size_t count = 0) {
    StalenessInput in;
    in.startingCheckpoint = std::move(cp);
    in.millisBehindLatest = behind;
    in.firstArrivalMillis = first;
    in.lastArrivalMillis = last;
    // A uniform batch: its middle record arrived half-way.
    if (first && last) in.midArrivalMillis = *first + (*last - *first) / 2;
    in.recordCount = count ? count : (first ? 1 : 0);
    in.nowMillis = kNow;
    in.maxReplayMillis = kMaxReplay;
    return in;
}
}  // namespace

TEST_CASE("Data ahead that arrived before now - maxReplay is stale, whatever the checkpoint",
          "[leases][rule]") {
    for (const char* cp : {"TRIM_HORIZON", "AT_TIMESTAMP", "4959033827149025660855969253836157"}) {
        auto d = decideStaleness(input(std::string(cp), 3 * kHour, kNow - 3 * kHour));
        CHECK(d.verdict == Verdict::kStale);
        CHECK(d.staleSpanMillis == 3 * kHour - kMaxReplay);
        CHECK(d.backlogMillis == 3 * kHour);
    }
    // The first record decides, not millisBehindLatest: a batch at the tip that starts with old
    // records is stale too (those records are never applied).
    auto tip = decideStaleness(input("TRIM_HORIZON", 0, kNow - kHour));
    CHECK(tip.verdict == Verdict::kStale);
    CHECK(tip.reason.find("first record") != std::string::npos);
}

TEST_CASE("Without a record, millisBehindLatest decides, the boundary belongs to fresh",
          "[leases][rule]") {
    CHECK(decideStaleness(input(std::nullopt, kMaxReplay + 1, std::nullopt)).verdict ==
          Verdict::kStale);
    CHECK(decideStaleness(input(std::nullopt, kMaxReplay + 1, std::nullopt)).staleSpanMillis == 1);
    CHECK(decideStaleness(input("TRIM_HORIZON", kMaxReplay, std::nullopt)).verdict ==
          Verdict::kFresh);
    CHECK(decideStaleness(input("TRIM_HORIZON", 0, std::nullopt)).verdict == Verdict::kFresh);
    CHECK(decideStaleness(input("TRIM_HORIZON", 5, kNow - kMaxReplay)).verdict == Verdict::kFresh);
    CHECK(decideStaleness(input("TRIM_HORIZON", 5, kNow - kMaxReplay - 1)).verdict ==
          Verdict::kStale);
    // A record from the future (clock skew) is fresh, with age 0.
    auto future = decideStaleness(input("TRIM_HORIZON", std::nullopt, kNow + 60'000));
    CHECK(future.verdict == Verdict::kFresh);
    CHECK(future.backlogMillis == 0);
}

TEST_CASE("Nothing to go on is unknown, LATEST and SHARD_END are not applicable",
          "[leases][rule]") {
    CHECK(decideStaleness(input("TRIM_HORIZON", std::nullopt, std::nullopt)).verdict ==
          Verdict::kUnknown);
    CHECK(decideStaleness(input("LATEST", 9'999'999, std::nullopt)).verdict ==
          Verdict::kNotApplicable);
    CHECK(decideStaleness(input("SHARD_END", 9'999'999, std::nullopt)).verdict ==
          Verdict::kNotApplicable);
}

TEST_CASE("A cut pays when reading the stale part takes longer than a re-acquisition",
          "[leases][rule]") {
    const CutCosts costs{1'500, 20'000};
    auto weigh = [&](const StalenessInput& in) {
        auto d = decideStaleness(in);
        REQUIRE(d.verdict == Verdict::kStale);
        return weighCut(in, d, costs);
    };
    // 10,000 records covering 10 minutes of a day-old backlog: ~144 polls of 1.5 s.
    auto day = weigh(
        input("TRIM_HORIZON", 23 * kHour, kNow - 24 * kHour, kNow - 24 * kHour + 600'000, 10'000));
    CHECK(day.worthIt);
    CHECK(day.readMillis == 144 * 1'500);
    // The same density, 20 minutes stale: 2 polls, 3 s < 20 s: read through it.
    auto small = weigh(input("TRIM_HORIZON", 1'000'000, kNow - kMaxReplay - 1'200'000,
                             kNow - kMaxReplay - 600'000, 10'000));
    CHECK_FALSE(small.worthIt);
    CHECK(small.readMillis == 2 * 1'500);
    // A batch at the tip: nothing beyond it to skip, never worth a cut.
    auto tip = weigh(input("TRIM_HORIZON", 0, kNow - 24 * kHour, kNow - kHour, 10'000));
    CHECK_FALSE(tip.worthIt);
    CHECK(tip.reason.find("tip") != std::string::npos);
    // A sparse start does not hide a dense backlog: 10,000 records, the first half spread over the
    // 10 minutes before an outage, the second half within 2 s, a day ago.
    StalenessInput sparse =
        input("TRIM_HORIZON", 23 * kHour, kNow - 24 * kHour, kNow - 24 * kHour + 602'000, 10'000);
    sparse.midArrivalMillis = kNow - 24 * kHour + 600'000;
    auto dense = weigh(sparse);
    CHECK(dense.worthIt);
    CHECK(dense.readMillis > 10 * 1'500);
    // No density (one record): the stale span itself is compared with the cost.
    CHECK(weigh(input("TRIM_HORIZON", 5 * kHour, kNow - 5 * kHour)).worthIt);
    CHECK_FALSE(weigh(input("TRIM_HORIZON", 5 * kHour, kNow - kMaxReplay - 10'000)).worthIt);
    // Empty batch far behind (sparse shard): the stale span from millisBehindLatest.
    CHECK(weigh(input("TRIM_HORIZON", 5 * kHour, std::nullopt)).worthIt);
}

TEST_CASE("Durations print short", "[leases]") {
    CHECK(formatDuration(800) == "800ms");
    CHECK(formatDuration(45'000) == "45s");
    CHECK(formatDuration(120'000) == "2m");
    CHECK(formatDuration(3 * 3'600'000 + 12 * 60'000) == "3h12m");
    CHECK(formatDuration(2 * 86'400'000) == "2d");
}

TEST_CASE("Under fan-out the stale part is weighed in bytes pushed at 2 MiB/s, not in pages",
          "[leases][rule]") {
    const CutCosts polling = cutCostsFor(1'500, 3'000);  // a cut costs 6 s
    const CutCosts fanOut = fanOutCutCostsFor(3'000);
    CHECK(fanOut.mode == RetrievalMode::kFanOut);
    CHECK(fanOut.cutCostMillis == polling.cutCostMillis);
    CHECK(fanOut.pushBytesPerSecond == 2 * 1024 * 1024);
    auto weigh = [](StalenessInput in, const CutCosts& costs) {
        auto d = decideStaleness(in);
        REQUIRE(d.verdict == Verdict::kStale);
        return weighCut(in, d, costs);
    };
    // The seed story's backlog: 100,000 heartbeats of ~50 bytes in 10 s, a page of 10,000 covers
    // 1 s of it. Polling: 10 pages of 1.5 s = 15 s > 6 s, cut. Fan-out: 100,000 x 50 B = 4.8 MiB
    // at 2 MiB/s = 2.4 s < 6 s, read through it.
    StalenessInput seed =
        input("TRIM_HORIZON", 9'000, kNow - kMaxReplay - 10'000, kNow - kMaxReplay - 9'000, 10'000);
    seed.batchBytes = 10'000 * 50;
    auto polled = weigh(seed, polling);
    CHECK(polled.worthIt);
    CHECK(polled.readMillis == 10 * 1'500);
    auto pushed = weigh(seed, fanOut);
    CHECK_FALSE(pushed.worthIt);
    CHECK(pushed.readMillis == 2'385);  // ceil(100,000 x 50 x 1000 / 2,097,152)
    CHECK(pushed.reason.find("fan-out") != std::string::npos);
    CHECK(pushed.reason.find("50 bytes each") != std::string::npos);
    // A day at the same density: 24 h at 10,000 records/s x 50 B = 40 GiB,
    // ~5.6 h at 2 MiB/s: a cut pays in both modes.
    StalenessInput day =
        input("TRIM_HORIZON", 23 * kHour, kNow - 24 * kHour, kNow - 24 * kHour + 1'000, 10'000);
    day.batchBytes = 10'000 * 50;
    CHECK(weigh(day, fanOut).worthIt);
    CHECK(weigh(day, fanOut).readMillis > 5 * kHour);
    CHECK(weigh(day, polling).worthIt);
    // Big records make a short backlog expensive to push: 20,000 records of 1 KiB in 10 s stale =
    // 19.5 MiB, ~9.8 s > 6 s (polling: one 10,000-record page per 5 s of it, 2 polls, 3 s).
    StalenessInput big =
        input("TRIM_HORIZON", 9'000, kNow - kMaxReplay - 10'000, kNow - kMaxReplay - 5'000, 10'000);
    big.batchBytes = 10'000 * 1'024;
    CHECK(weigh(big, fanOut).worthIt);
    CHECK(weigh(big, fanOut).readMillis == 9'766);
    CHECK_FALSE(weigh(big, polling).worthIt);
    // The same rules as polling before any estimate: a batch at the tip, or one that already
    // reaches fresh records, is never worth a cut.
    StalenessInput tip = seed;
    tip.millisBehindLatest = 0;
    CHECK_FALSE(weigh(tip, fanOut).worthIt);
    CHECK(weigh(tip, fanOut).reason.find("tip") != std::string::npos);
    // Without the batch's bytes (not known), the estimate falls back to pages.
    StalenessInput noBytes = seed;
    noBytes.batchBytes = 0;
    CHECK(weigh(noBytes, fanOut).reason.find("polls") != std::string::npos);
}

TEST_CASE("A record's Kinesis size is its decoded data plus its partition key", "[leases]") {
    CHECK(kinesisRecordBytes("", "") == 0);
    CHECK(kinesisRecordBytes("YQ==", "k") == 2);    // "a" + "k"
    CHECK(kinesisRecordBytes("YWI=", "") == 2);     // "ab"
    CHECK(kinesisRecordBytes("YWJj", "key") == 6);  // "abc" + "key"
    CHECK(kinesisRecordBytes("YWJjZA", "") == 4);   // unpadded "abcd"
}
