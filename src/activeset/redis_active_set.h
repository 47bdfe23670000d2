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

#include "activeset/redis_connection.h"
#include "activeset/shard_stats.h"

namespace au::activeset {

Result<std::map<std::string, int64_t>> activeUsersAt(RedisConnection& connection,
                                                     const std::string& key, int64_t atMillis,
                                                     int64_t ttlMillis, int64_t timeoutMillis);
Result<std::vector<ShardStats>> shardStats(RedisConnection& connection, const std::string& key,
                                           int64_t timeoutMillis);

// The replies' meaning, pure. A ZRANGEBYSCORE ... WITHSCORES reply: member -> score (integer ms).
// "RedisError" for an error reply, "ProtocolError" for a reply of another shape.
Result<std::map<std::string, int64_t>> usersFromScores(const RedisReply& reply);
// An HGETALL reply of the stats hash: every value that parses as ShardStats (others skipped).
Result<std::vector<ShardStats>> shardStatsFromHash(const RedisReply& reply);

}  // namespace au::activeset
