#pragma once
// ShardStats: what each processor publishes about itself for `serve` (/metrics, the dashboard) —
// as the file <stateDir>/<shardId>.stats.json (written atomically, with the snapshot) and/or as
// the field <shardId> of the Redis hash <key>:stats. One JSON document (docs/active-set.md):
//   {"version":1,"shardId":"...","writtenAt":ms,"ttlMillis":ms,"active":n,"batches":n,
//    "records":n,"applied":n,"stale":n,"evicted":n,"malformed":{"<reason>":n,...},
//    "millisBehindLatest":n|null,"pid":n,"startedAt":ms,"lastBatchAt":ms|null,
//    "ended":{"reason":"leaseLost|shardEnded|shutdownRequested|endOfInput","at":ms},
//    "warmStart":{"at":ms,"own":n,"parents":n,"parentsUnknown":".."},
//    "fixer":{"action":"cut|left alone|..","detail":"..","at":ms},
//    "redis":{"connected":b,"outages":n,"downSince":ms|null,"lastDownAt":ms|null,
//             "lastUpAt":ms|null}[,"redisPartitions":n]}
// (ended, warmStart, fixer and redis only when known). Readers accept documents without them.
// shardStatsFromJson fails with "BadStats" on anything else: not a JSON object with a shardId, a
// field of another type, a number that is not an integer in range (a fraction, a negative counter
// or time, redisPartitions outside 1..16384), an "ended" without a reason.
// redisPartitions: the partitions of the set the processor writes on a Redis Cluster (in the
// Redis hash only), so readers without the configuration find every partition.
// Counters are per process: they restart from 0 when a lease moves (Prometheus counters may).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "activeset/shard_notes.h"
#include "processor/stats.h"
#include "util/status.h"

namespace au::activeset {

struct ShardStats {
    std::string shardId;
    int64_t writtenAt = 0;
    int64_t ttlMillis = 0;
    uint64_t active = 0;
    uint64_t batches = 0;
    uint64_t records = 0;
    uint64_t applied = 0;
    uint64_t stale = 0;
    uint64_t evicted = 0;
    std::map<std::string, uint64_t> malformed;  // reason -> count (only non-zero reasons)
    std::optional<int64_t> millisBehindLatest;
    int64_t pid = 0;
    int64_t startedAt = 0;
    int64_t lastBatchAt = 0;  // 0: no batch yet
    std::string endReason;    // empty while the lease runs
    int64_t endedAt = 0;
    std::optional<WarmStartNote> warmStart;
    std::optional<FixerNote> fixer;
    std::optional<RedisNote> redis;
    std::optional<int> redisPartitions;
};

// `notes` may be null (then warmStart, fixer and redis stay unset).
ShardStats makeShardStats(const std::string& shardId, int64_t now, int64_t ttlMillis, size_t active,
                          const processor::ProcessorStats& stats,
                          const ShardNotes* notes = nullptr);
std::string toJson(const ShardStats& stats);
Result<ShardStats> shardStatsFromJson(const std::string& json);

// <stateDir>/<shardId>.stats.json (same name rules as snapshotPath).
std::string statsPath(const std::string& dir, const std::string& shardId);
// Atomic: a temporary file in the same folder, then rename.
Status writeStatsFile(const std::string& dir, const ShardStats& stats);
// Every *.stats.json in `dir` (unreadable ones skipped with a warning); error when `dir` cannot
// be opened.
Result<std::vector<ShardStats>> readStatsDir(const std::string& dir);

}  // namespace au::activeset
