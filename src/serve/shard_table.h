#pragma once
// The dashboard's per-shard table as JSON (GET /active-users/shards), from the processors'
// published stats (activeset/shard_stats.h) and the records/s that History measured:
//   {"now":ms,"shards":[{"shardId":"..","pid":n,"active":n,"millisBehindLatest":n|null,
//     "lastBatchAgeMillis":n|null,"statsAgeMillis":n,"recordsPerSecond":x|null,"records":n,
//     "applied":n,"stale":n,"rejected":{"<reason>":n},"startedAt":ms|null,
//     "ended":{"reason":"..","at":ms}|null,"warmStart":{..}|null,"fixer":{..}|null,
//     "redis":{..}|null},...]}   (sorted by shard id)
// Pure; thread-safe.

#include <cstdint>
#include <string>
#include <vector>

#include "activeset/shard_stats.h"
#include "serve/history.h"

namespace au::serve {

std::string shardTableJson(const std::vector<activeset::ShardStats>& shards, int64_t now,
                           const History& history);

}  // namespace au::serve
