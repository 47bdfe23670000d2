#pragma once
// The exact cut (docs/leases.md): where a stale lease must be positioned so that a consumer
// starting there replays nothing older than the cutoff (now - maxReplay) and skips nothing
// younger. That is the LAST record whose arrival is before the cutoff; the KCL resumes a
// sequence-number checkpoint with the first record after it.
//
// findCut() finds it through Kinesis itself, reading as little as it can (docs/leases.md):
//  1. AT_TIMESTAMP probes at cutoff - w, widening w x4 (5 s, 20 s, 80 s, ...) while the first
//     record found is already fresh (each such probe moves the "fresh from" bound down to its
//     time), down to `knownStale` (a record known to be before the cutoff, e.g. the first record
//     of the consumer's first batch) or TRIM_HORIZON;
//  2. from the first probe that starts with a stale record, it narrows the stretch between the
//     last stale record seen and the nearest time known to start fresh with AT_TIMESTAMP probes
//     (millisecond resolution): first one interpolated from the density the pages showed
//     (records per ms), so that one small page from it reaches the fresh side; bisection once an
//     interpolated probe misses, or when a probe already found the time before the cutoff empty
//     (a dense burst that ends well before the cutoff). Once the stretch
//     holds about one small page at the observed density (or 1 ms), it reads forward only that:
//     the cut is the record before the first fresh one, or the newest record at the tip.
// Each probe asks for few records (`probeLimit`), forward reads for one small page
// (`pageLimit`); neither depends on the backlog's size, nor does the number of reads: about
// log4(backlog age / 5 s) + log2(stretch ms / page span) + 2, capped by `maxReads` and by
// `budgetMillis` of the `clock` ("CutSearchBudget" when exceeded).
// Empty pages that are not at the tip (sparse shards) are read through. Record arrival times are
// assumed to grow with sequence numbers, as Kinesis assigns both on arrival.
// Pure logic over a ShardReader; thread-compatible.

#include <cstdint>
#include <optional>
#include <string>

#include "leases/shard_reader.h"
#include "util/clock.h"
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
    int probes = 0;                      // of which AT_TIMESTAMP / TRIM_HORIZON probes
    int64_t recordsRead = 0;             // records the reads returned
};

struct CutFinderOptions {
    int64_t firstWindowMillis = 5'000;
    // Probes need their first records and a density (`probeLimit`); an interpolated probe aims
    // at `interpolateRecords` before the fresh side and reads twice that. The final forward read
    // asks for twice the records expected in the stretch, at most `pageLimit` (10,000 records of
    // 100 B: 1 MB, half a second of a shard's 2 MB/s): each doubling of it saves one probe (a
    // GetShardIterator + a GetRecords) where a dense burst ends before the cutoff.
    int probeLimit = 100;
    int interpolateRecords = 1'000;
    int pageLimit = 10'000;
    int maxReads = 60;
    // When `clock` is set: give up ("CutSearchBudget") once the search has run this long (0: no
    // time budget). The clock is only read, never slept on.
    const Clock* clock = nullptr;
    int64_t budgetMillis = 60'000;
};

Result<CutSearch> findCut(ShardReader& reader, int64_t cutoffMillis,
                          const std::optional<CutPoint>& knownStale,
                          const CutFinderOptions& options = {});

}  // namespace au::leases
