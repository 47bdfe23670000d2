#pragma once
// SetReader: reads the shared set (for `query --redis` and `serve --redis`) over a Link, in either
// layout (set_layout.h). Every partition is read in ONE pipeline (a cluster link sends it as one
// round trip per master).
//   users(at):  ZRANGEBYSCORE <partition> (<at - ttl> +inf WITHSCORES — the users with
//               at - lastSeen < ttl (the snapshots' rule, docs/state.md); members decoded
//               (userIdOfMember) and merged by maximum.
//   counts(at): ZCOUNT <partition> (<at - ttl> +inf — the same users, counted per partition.
//   shardStats(): HGETALL <key>:stats, each value parsed as ShardStats (bad ones skipped).
// The TTL and the number of partitions are the configured ones when set (> 0), else what the
// processors published in <key>:stats, read before each read (the largest TTL; the partitions,
// on which they must agree), else 120 s and kDefaultClusterPartitions.
// Each read records, per partition, the node that answered and the time to its reply.
// Errors: the link's, "RedisError" (an error reply), "ProtocolError", "InconsistentLayout"
// (processors publish different partition counts). Thread-compatible.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "activeset/set_layout.h"
#include "activeset/shard_stats.h"
#include "redis/link.h"

namespace au::activeset {

struct PartitionRead {
    std::string key;
    std::string node;                // "host:port" that answered (empty if the link does not say)
    int64_t micros = -1;             // from sending the pipeline to this partition's reply
    std::optional<uint64_t> active;  // counts(): the partition's active users
};

class SetReader {
  public:
    struct Options {
        std::string key;
        bool cluster = false;
        int64_t ttlMillis = 0;  // 0: published, else 120 s
        int partitions = 0;     // cluster: 0 = published, else kDefaultClusterPartitions
    };
    explicit SetReader(Options options) : options_(std::move(options)) {}

    // REQUIRES: link is connected.
    Result<std::map<std::string, int64_t>> users(redis::Link& link, int64_t atMillis);
    Result<std::vector<uint64_t>> counts(redis::Link& link, int64_t atMillis);
    Result<std::vector<ShardStats>> shardStats(redis::Link& link);

    // The partitions of the last successful users() or counts().
    const std::vector<PartitionRead>& lastReads() const { return lastReads_; }

  private:
    struct Plan {
        SetLayout layout;
        int64_t ttlMillis;
    };
    Result<Plan> plan(redis::Link& link);
    // One command per partition: {name, <partition key>, args...}.
    Result<std::vector<redis::Reply>> readPartitions(redis::Link& link, const SetLayout& layout,
                                                     const std::string& name,
                                                     const std::vector<std::string>& args);

    Options options_;
    std::vector<PartitionRead> lastReads_;
};

// The replies' meaning, pure (SetReader's, and fuzz/redis_reply's).
// ZRANGEBYSCORE ... WITHSCORES replies, one per partition: user (member decoded, userIdOfMember)
// -> score (integer ms), merged by maximum. "RedisError" for an error reply, "ProtocolError" for
// a reply of another shape or a score that is not a number.
Result<std::map<std::string, int64_t>> usersFromScores(const std::vector<redis::Reply>& replies);
// An HGETALL reply of the stats hash: every value that parses as ShardStats (others skipped).
// "RedisError" for an error reply.
Result<std::vector<ShardStats>> shardStatsFromHash(const redis::Reply& reply);

}  // namespace au::activeset
