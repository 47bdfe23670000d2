#pragma once
// The Redis commands of the active set (docs/active-set.md), formatted for a pipeline.
//   set:   <key>        sorted set, member = user id, score = last seen (epoch ms)
//   stats: <key>:stats  hash, field = shard id, value = the shard's stats JSON (shard_stats.h)

#include <cstdint>
#include <string>
#include <vector>

#include "activeset/pending_updates.h"

namespace au::activeset {

// "ZADD key GT t1 u1 t2 u2 ..." with at most `perCommand` members each.
std::vector<std::string> zaddGreaterCommands(const std::string& key, const UserScores& entries,
                                             size_t perCommand = 1'000);
// "ZREMRANGEBYSCORE key -inf cutoff": drops every user with lastSeen <= cutoff (= now - ttl: no
// longer active).
std::string evictCommand(const std::string& key, int64_t cutoff);
// "HSET statsKey shardId json"
std::string publishStatsCommand(const std::string& statsKey, const std::string& shardId,
                                const std::string& json);

}  // namespace au::activeset
