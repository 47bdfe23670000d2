#pragma once
// ShardStats: what each processor publishes about itself for `serve`'s /metrics — as the file
// <stateDir>/<shardId>.stats.json (written atomically, with the snapshot) and/or as the field
// <shardId> of the Redis hash <key>:stats. One JSON document (docs/active-set.md):
//   {"version":1,"shardId":"...","writtenAt":ms,"ttlMillis":ms,"active":n,"batches":n,
//    "records":n,"applied":n,"stale":n,"evicted":n,"malformed":{"<reason>":n,...},
//    "millisBehindLatest":n|null,"pid":n[,"redisPartitions":n]}
// redisPartitions: the partitions of the set the processor writes on a Redis Cluster (in the
// Redis hash only), so readers without the configuration find every partition.
// Counters are per process: they restart from 0 when a lease moves (Prometheus counters may).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

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
    std::optional<int> redisPartitions;
};

ShardStats makeShardStats(const std::string& shardId, int64_t now, int64_t ttlMillis, size_t active,
                          const processor::ProcessorStats& stats);
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
