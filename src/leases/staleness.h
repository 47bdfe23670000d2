#pragma once
// The staleness rule (docs/leases.md): "never replay data older than maxReplay; never skip data
// younger than that". A pure function of its inputs; the clock's reading is passed in.

#include <cstdint>
#include <optional>
#include <string>

namespace au::leases {

struct StalenessInput {
    // The checkpoint the lease started from (initialize.sequenceNumber, or the lease's checkpoint
    // for fix-leases): TRIM_HORIZON, AT_TIMESTAMP, LATEST, SHARD_END, digits, or null.
    std::optional<std::string> startingCheckpoint;
    // From the first batch (or the GetRecords peek): how far behind the tip of the shard the
    // read is, and the arrival time of the first record, when there is one.
    std::optional<int64_t> millisBehindLatest;
    std::optional<int64_t> firstArrivalMillis;
    int64_t nowMillis = 0;
    int64_t maxReplayMillis = 0;
};

enum class Verdict {
    kFresh,          // backlog <= maxReplay: process from here, no lease change
    kStale,          // backlog > maxReplay: rewrite the lease to LATEST
    kUnknown,        // no millisBehindLatest and no record: decide on a later batch
    kNotApplicable,  // started at LATEST or SHARD_END: nothing to replay
};

struct StalenessDecision {
    Verdict verdict = Verdict::kUnknown;
    std::optional<int64_t> backlogMillis;  // the measure the verdict is based on
    std::string reason;                    // for logs and reports
};

// The backlog is millisBehindLatest when present, else the age of the first record's arrival
// (now - firstArrivalMillis, at least 0). Stale when the backlog is strictly greater than
// maxReplayMillis. Whatever the starting checkpoint (TRIM_HORIZON, AT_TIMESTAMP, digits, null)
// the same measure applies; LATEST and SHARD_END are not applicable.
StalenessDecision decideStaleness(const StalenessInput& input);

const char* verdictName(Verdict verdict);

// "3h12m", "45s", "800ms": a short human form of a duration, for logs and tables.
std::string formatDuration(int64_t millis);

}  // namespace au::leases
