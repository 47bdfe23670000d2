#pragma once
// The Redis commands of the active set (docs/active-set.md), formatted for a pipeline.
//   set:   the layout's sorted set(s) (set_layout.h), member = user id, score = last seen (ms)
//   stats: <key>:stats  hash, field = shard id, value = the shard's stats JSON (shard_stats.h)

#include <cstdint>
#include <string>
#include <vector>

#include "activeset/pending_updates.h"
#include "activeset/set_layout.h"

namespace au::activeset {

// "ZADD <partition> GT t1 m1 t2 m2 ..." for every partition holding some of the entries, members
// in the layout's format, at most `perCommand` members each. With one sorted set the entries keep
// their order.
std::vector<std::string> zaddGreaterCommands(const SetLayout& layout, const UserScores& entries,
                                             size_t perCommand = 1'000);
// "ZREMRANGEBYSCORE <partition> -inf cutoff" for `count` partitions from `first` on (wrapping
// around): drops every user with lastSeen <= cutoff (= now - ttl: no longer active).
std::vector<std::string> evictCommands(const SetLayout& layout, int64_t cutoff, size_t first,
                                       size_t count);
// "HSET statsKey shardId json"
std::string publishStatsCommand(const std::string& statsKey, const std::string& shardId,
                                const std::string& json);

}  // namespace au::activeset
