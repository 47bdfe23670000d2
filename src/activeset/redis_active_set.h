#pragma once
// Reading the shared set (for `query --redis` and `serve --redis`).
//   activeUsersAt: ZRANGEBYSCORE <key> (<at - ttl> +inf WITHSCORES — the users with
//     at - lastSeen < ttl, i.e. the same rule as the snapshots (docs/state.md).
//   shardStats: HGETALL <key>:stats, each value parsed as ShardStats (bad ones skipped).
// Errors: the connection's, or "RedisError" with the server's error text.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "activeset/shard_stats.h"
#include "redis/connection.h"

namespace au::activeset {

Result<std::map<std::string, int64_t>> activeUsersAt(redis::Connection& connection,
                                                     const std::string& key, int64_t atMillis,
                                                     int64_t ttlMillis, int64_t timeoutMillis);
Result<std::vector<ShardStats>> shardStats(redis::Connection& connection, const std::string& key,
                                           int64_t timeoutMillis);

}  // namespace au::activeset
