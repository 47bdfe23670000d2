#pragma once
// ActiveSetSource: where `serve` reads the active set and the processors' stats from.
//   StateDirSource: the snapshots (mergeActiveUsers) and <stateDir>/*.stats.json.
//   RedisSource: the set in Redis — one server or a Redis Cluster (activeset::SetReader: every
//     partition read in one pipeline, counts by ZCOUNT) — and the <key>:stats hash, over one
//     link (redis::makeLink) connected on first use and again after a failure.
// Both are safe to call from several threads at once (the HTTP server's pool).

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "activeset/redis_active_set.h"
#include "activeset/shard_stats.h"
#include "redis/link.h"
#include "util/status.h"

namespace au::serve {

class ActiveSetSource {
  public:
    virtual ~ActiveSetSource() = default;
    // Users with at - lastSeen < ttl.
    virtual Result<std::map<std::string, int64_t>> activeUsers(int64_t atMillis) = 0;
    // How many there are (default: the size of activeUsers(at)).
    virtual Result<size_t> activeCount(int64_t atMillis);
    virtual Result<std::vector<activeset::ShardStats>> shardStats() = 0;
    // A partitioned set (Redis Cluster): each partition's node, read latency and active users as
    // of the last successful count or list. Empty for other sources.
    virtual std::vector<activeset::PartitionRead> partitionReads() const { return {}; }
    // "state-dir /path" or "redis redis://host:port/db key K", for logs and /healthz.
    virtual std::string describe() const = 0;
};

class StateDirSource final : public ActiveSetSource {
  public:
    explicit StateDirSource(std::string dir) : dir_(std::move(dir)) {}
    Result<std::map<std::string, int64_t>> activeUsers(int64_t atMillis) override;
    Result<std::vector<activeset::ShardStats>> shardStats() override;
    std::string describe() const override { return "state-dir " + dir_; }

  private:
    std::string dir_;
};

class RedisSource final : public ActiveSetSource {
  public:
    // ttlMillis: the cutoff's TTL; 0 = the largest ttlMillis the processors published in the
    // stats hash, else 120 s. partitions (a cluster, options.endpoint.cluster): 0 = the number the
    // processors published, else the default.
    RedisSource(redis::ConnectOptions options, std::string key, int64_t ttlMillis,
                int partitions = 0);
    Result<std::map<std::string, int64_t>> activeUsers(int64_t atMillis) override;
    Result<size_t> activeCount(int64_t atMillis) override;
    Result<std::vector<activeset::ShardStats>> shardStats() override;
    std::vector<activeset::PartitionRead> partitionReads() const override;
    std::string describe() const override { return describe_; }

  private:
    Status ensureConnected();  // REQUIRES: mu_ held

    std::string describe_;
    bool partitioned_;
    mutable std::mutex mu_;
    std::unique_ptr<redis::Link> link_;
    activeset::SetReader reader_;
    std::vector<activeset::PartitionRead> reads_;
};

}  // namespace au::serve
