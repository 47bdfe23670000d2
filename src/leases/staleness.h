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
#include <string_view>

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
    // The batch's size as Kinesis counts it (data + partition key of every record); 0 when
    // unknown. Under enhanced fan-out it sizes the stale part in bytes.
    int64_t batchBytes = 0;
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

// How the daemon reads the shard (its retrievalMode; docs/leases.md "Fan-out").
enum class RetrievalMode {
    kPolling,  // GetRecords pages of maxRecords, one every idleTimeBetweenReadsInMillis
    kFanOut,   // enhanced fan-out: SubscribeToShard pushes up to 2 MiB/s per shard, no pages
};

// Kinesis's enhanced fan-out push limit per shard and consumer.
constexpr int64_t kFanOutBytesPerSecond = 2 * 1024 * 1024;

struct CutCosts {
    int64_t pollMillis = 1'500;      // polling: the KCL's time per GetRecords page
    int64_t cutCostMillis = 20'000;  // a lease drop and re-acquisition
    RetrievalMode mode = RetrievalMode::kPolling;
    int64_t pushBytesPerSecond = kFanOutBytesPerSecond;  // fan-out: the subscription's rate
};

// From the daemon's settings: a page every max(idleTimeBetweenReadsInMillis, 200 ms) (Kinesis
// allows 5 GetRecords per second per shard), and a cut costs about two lease failover periods,
// at least 5 s (measured re-acquisitions: 4-7 s on KCL 3.x, 4-35 s on 2.x, docs/e2e.md).
CutCosts cutCostsFor(int64_t idleTimeBetweenReadsMillis, int64_t failoverTimeMillis);
// The same cut cost; the reading is pushed at kFanOutBytesPerSecond (no pages, no poll interval).
CutCosts fanOutCutCostsFor(int64_t failoverTimeMillis);

const char* retrievalModeName(RetrievalMode mode);  // "polling" / "fan-out"

struct CutWorth {
    bool worthIt = false;
    std::optional<int64_t> readMillis;  // estimated time to read through the stale part
    std::string reason;
};

// REQUIRES: decision.verdict == kStale. Not worth it when the batch reaches the tip
// (millisBehindLatest 0: nothing beyond it to skip) or already holds records younger than
// maxReplay (the stale part ends within it). Otherwise the stale part is measured at the density
// of the batch's second half (mid .. last arrival: a sparse start, such as live records from
// before an outage, would make a dense backlog look cheap):
//  - polling: in pages of this batch's size, a poll each;
//  - fan-out: in records, times the batch's average record size (batchBytes / recordCount), pushed
//    at costs.pushBytesPerSecond (without batchBytes, as under polling);
// worth it when that is longer than a cut costs. Without a density (fewer than two records, or
// one instant) the stale span itself is compared with the cost.
CutWorth weighCut(const StalenessInput& input, const StalenessDecision& decision,
                  const CutCosts& costs);

// A record's size as Kinesis counts it: its data (decoded from the base64 text's length) plus its
// partition key.
int64_t kinesisRecordBytes(std::string_view base64Data, std::string_view partitionKey);

const char* verdictName(Verdict verdict);

// "3h12m", "45s", "800ms": a short human form of a duration, for logs and tables.
std::string formatDuration(int64_t millis);

}  // namespace au::leases
