#pragma once
// The exact cut (docs/leases.md): where a stale lease must be positioned so that a consumer
// starting there replays nothing older than the cutoff (now - maxReplay) and skips nothing
// younger. That is the LAST record whose arrival is before the cutoff; the KCL resumes a
// sequence-number checkpoint with the first record after it.
//
// findCut() finds it through Kinesis itself, reading as little as it can:
//  1. AT_TIMESTAMP probes at cutoff - w, widening w x4 (5 s, 20 s, 80 s, ...) while the first
//     record found is already fresh, down to `knownStale` (a record known to be before the
//     cutoff, e.g. the first record of the consumer's first batch) or TRIM_HORIZON;
//  2. from the first probe that starts with a stale record, it reads forward to the first fresh
//     record (the cut is the record before it) or to the tip (every record is stale: the cut is
//     the newest record). While the stretch between the last stale record seen and the nearest
//     time known to start fresh is longer than `pageForwardBelowMillis`, it bisects that stretch
//     with AT_TIMESTAMP probes instead of reading every page of it.
// Empty pages that are not at the tip (sparse shards) are read through. The number of Kinesis
// calls is bounded by `maxCalls` ("CutSearchBudget" when exceeded). Record arrival times are
// assumed to grow with sequence numbers, as Kinesis assigns both on arrival.
// Pure logic over a ShardReader; thread-compatible.

#include <cstdint>
#include <optional>
#include <string>

#include "leases/shard_reader.h"
#include "util/status.h"

namespace au::leases {

struct CutPoint {
    std::string sequenceNumber;
    int64_t arrivalMillis = 0;
};

enum class CutOutcome {
    kCut,           // `cut` is the last record before the cutoff
    kNothingStale,  // the shard holds records, none before the cutoff: nothing to skip
    kNoRecords,     // the shard holds no record at all (from where the search could see)
};
const char* cutOutcomeName(CutOutcome outcome);

struct CutSearch {
    CutOutcome outcome = CutOutcome::kNoRecords;
    int64_t cutoffMillis = 0;
    std::optional<CutPoint> cut;         // kCut
    std::optional<CutPoint> firstFresh;  // the first record at or after the cutoff, when seen
    int reads = 0;                       // ShardReader calls (each one or two Kinesis calls)
};

struct CutFinderOptions {
    int64_t firstWindowMillis = 5'000;
    // AT_TIMESTAMP probes only need their first records; reading forward takes full pages.
    int probeLimit = 100;
    int pageLimit = 10'000;
    // 10 s of a shard at its 1,000 records/s write limit fit in one 10,000-record page.
    int64_t pageForwardBelowMillis = 10'000;
    int maxReads = 60;
};

Result<CutSearch> findCut(ShardReader& reader, int64_t cutoffMillis,
                          const std::optional<CutPoint>& knownStale,
                          const CutFinderOptions& options = {});

}  // namespace au::leases
