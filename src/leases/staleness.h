#pragma once
// The staleness rule (docs/leases.md): "never replay data older than maxReplay; never skip data
// younger than that". Pure functions of their inputs; the clock's reading is passed in.
//
// decideStaleness(): is there data ahead of the consumer that arrived before the cutoff
// (now - maxReplay)? weighCut(): for the in-process fixer, is dropping the lease to cut that
// part off cheaper than reading through it?

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace au::leases {

struct StalenessInput {
    // The checkpoint the lease started from (initialize.sequenceNumber, or the lease's checkpoint
    // for fix-leases): TRIM_HORIZON, AT_TIMESTAMP, LATEST, SHARD_END, digits, or null.
    std::optional<std::string> startingCheckpoint;
    // From the first batch (or the GetRecords peek): how far behind the tip the read is, and the
    // arrival times of its first, middle (index count / 2) and last records, when it has records.
    std::optional<int64_t> millisBehindLatest;
    std::optional<int64_t> firstArrivalMillis;
    std::optional<int64_t> midArrivalMillis;
    std::optional<int64_t> lastArrivalMillis;
    size_t recordCount = 0;
    int64_t nowMillis = 0;
    int64_t maxReplayMillis = 0;
};

enum class Verdict {
    kFresh,          // nothing ahead is older than the cutoff: process from here, no lease change
    kStale,          // data ahead arrived before the cutoff: it is never applied; it may be cut
    kUnknown,        // no millisBehindLatest and no record: decide on a later batch
    kNotApplicable,  // started at LATEST or SHARD_END: nothing to replay
};

struct StalenessDecision {
    Verdict verdict = Verdict::kUnknown;
    // How much of the data ahead is older than the cutoff: cutoff - first record's arrival, else
    // millisBehindLatest - maxReplay; 0 when fresh.
    std::optional<int64_t> staleSpanMillis;
    // The first record's age, else millisBehindLatest (for reports).
    std::optional<int64_t> backlogMillis;
    std::string reason;  // for logs and reports
};

// Stale when the first record arrived before now - maxReplay (the boundary is fresh); without a
// record, when millisBehindLatest > maxReplay. Whatever the starting checkpoint (TRIM_HORIZON,
// AT_TIMESTAMP, digits, null) the same measure applies; LATEST and SHARD_END are not applicable.
StalenessDecision decideStaleness(const StalenessInput& input);

struct CutCosts {
    int64_t pollMillis = 1'500;      // the KCL's time per GetRecords page (idleTimeBetweenReads)
    int64_t cutCostMillis = 20'000;  // a lease drop and re-acquisition
};

// From the daemon's settings: a page every max(idleTimeBetweenReadsInMillis, 200 ms) (Kinesis
// allows 5 GetRecords per second per shard), and a cut costs about two lease failover periods,
// at least 5 s (measured re-acquisitions: 4-7 s on KCL 3.x, 4-35 s on 2.x, docs/e2e.md).
CutCosts cutCostsFor(int64_t idleTimeBetweenReadsMillis, int64_t failoverTimeMillis);

struct CutWorth {
    bool worthIt = false;
    std::optional<int64_t> readMillis;  // estimated time to read through the stale part
    std::string reason;
};

// REQUIRES: decision.verdict == kStale. Not worth it when the batch reaches the tip
// (millisBehindLatest 0: nothing beyond it to skip) or already holds records younger than
// maxReplay (the stale part ends within it). Otherwise the stale span is measured in
// pages at the density of the batch's second half (mid .. last arrival: a sparse start, such as
// live records from before an outage, would make a dense backlog look cheap), and reading them
// takes a poll each; worth it when that is longer than a cut costs. Without a density (fewer than
// two records, or one instant) the stale span itself is compared with the cost.
CutWorth weighCut(const StalenessInput& input, const StalenessDecision& decision,
                  const CutCosts& costs);

const char* verdictName(Verdict verdict);

// "3h12m", "45s", "800ms": a short human form of a duration, for logs and tables.
std::string formatDuration(int64_t millis);

}  // namespace au::leases
