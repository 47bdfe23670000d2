#pragma once
// The startup lease fixer behind `active-users fix-leases` (docs/leases.md).
//
// Scans the lease table and, for each lease that would replay data — checkpoint TRIM_HORIZON,
// AT_TIMESTAMP or a sequence number — whose parents are SHARD_END or gone, peeks at the shard
// (shard_peek.h) and applies the staleness rule (staleness.h). A stale lease gets the exact cut
// (cut_finder.h: the last record older than now - maxReplay; LATEST only for a shard without any
// record), reported as "would-rewrite" (dry run) or written by the LeaseEditor with its cut mark
// ("rewritten"; declined when the checkpoint changed since the peek). The daemon is normally
// stopped, so a cut costs nothing and any stale data is cut. A fresh lease keeps its checkpoint.
// With resumeLatest, a lease at LATEST or at the AT_TIMESTAMP sentinel (the leases of a first start
// through the launcher) is positioned at the cut too, whatever the timestamp (TRIM_HORIZON when
// every record is younger than maxReplay; kept when the shard has no record). Rows §5 says to leave
// alone are reported with the reason. Leases whose parents are not yet at SHARD_END are reported as
// waiting, and those parents as stuck.
//
// The shards are read by `concurrency` worker threads at once (one lease per thread at a time:
// each shard's reads stay within its own limits, and the DynamoDB writes are made one at a time on
// the calling thread as the plans come in). Each cut search has the time budget of
// cutFinder.budgetMillis; the peeks and searches log their Kinesis calls at debug level.
//
// Never throws; a scan failure is the returned Status, a failure for one lease is recorded in
// its entry (action "failed") and in FixLeasesReport::failures.

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "leases/cut_finder.h"
#include "leases/lease_editor.h"
#include "leases/shard_reader.h"
#include "util/clock.h"
#include "util/status.h"

namespace au::leases {

struct FixLeasesOptions {
    std::string stream;
    int64_t maxReplayMillis = 120'000;
    std::optional<int64_t> atTimestampMillis;  // initialPositionInStreamExtended, in ms
    bool apply = false;
    std::optional<std::string> onlyLeaseKey;  // --shard
    // --resume-latest: also position leases at LATEST or AT_TIMESTAMP at the cut, so that a
    // restarted consumer resumes with the last maxReplay of data instead of skipping what arrived
    // while it was down (LATEST) or reading from whatever timestamp the daemon is given
    // (AT_TIMESTAMP).
    bool resumeLatest = false;
    CutFinderOptions cutFinder;
    // Leases planned at once (threads reading shards). The ShardReaderFactory is then called from
    // that many threads at a time and must be safe to.
    int concurrency = 1;
};

struct LeaseReportEntry {
    std::string leaseKey;
    std::string owner;  // "" when unowned
    std::string checkpoint;
    std::string counter;
    std::vector<std::string> parents;
    // keep | would-rewrite | rewritten | left-alone | waiting-on-parent | failed | unchanged
    std::string action;
    std::optional<int64_t> backlogMillis;
    std::optional<CutSearch> cut;  // the cut search of a stale lease
    // The cut's target: its sequence number, or LATEST for a shard without records.
    std::string target;
    std::optional<int64_t> skippedMillis;  // the cut record's arrival - the first stale one's
    std::string detail;
    int64_t planMillis = 0;  // peek + cut search
    int kinesisCalls = 0;    // the reader's calls, throttled ones included
    int throttled = 0;
};

struct StuckParent {
    std::string leaseKey;
    std::string checkpoint;  // "" when the row has none
    std::string owner;
    std::vector<std::string> waitingChildren;
};

struct FixLeasesReport {
    bool applied = false;
    int64_t maxReplayMillis = 0;
    size_t scanned = 0;
    size_t unparsable = 0;
    std::vector<LeaseReportEntry> leases;
    std::vector<StuckParent> stuckParents;
    size_t rewritten = 0;
    size_t wouldRewrite = 0;
    size_t failures = 0;
    int concurrency = 1;
    int64_t startedMillis = 0;  // the scan's start: every plan's cutoff is >= startedMillis - maxReplay
    int64_t elapsedMillis = 0;  // scan to last write (every cutoff is <= start + elapsed - maxReplay)
    int kinesisCalls = 0;
    int throttled = 0;
};

// A reader of one shard (called from several threads at once when concurrency > 1).
using ShardReaderFactory = std::function<std::unique_ptr<ShardReader>(const std::string& shardId)>;

Result<FixLeasesReport> runFixLeases(LeaseEditor& editor, const ShardReaderFactory& shards,
                                     const FixLeasesOptions& options, const Clock& clock);

// A fixed-width table, one line per lease entry, then the stuck parents and a summary line.
std::string formatReportTable(const FixLeasesReport& report);
nlohmann::json reportToJson(const FixLeasesReport& report);

}  // namespace au::leases
