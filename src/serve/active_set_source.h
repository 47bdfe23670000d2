#pragma once
// ActiveSetSource: where `serve` reads the active set and the processors' stats from.
//   StateDirSource: the snapshots (mergeActiveUsers) and <stateDir>/*.stats.json.
//   RedisSource: the sorted set (ZRANGEBYSCORE with the cutoff) and the <key>:stats hash, over one
//     connection made on first use and remade after a failure.
// Both are safe to call from several threads at once (the HTTP server's pool).

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "activeset/shard_stats.h"
#include "redis/connection.h"
#include "util/status.h"

namespace au::serve {

class ActiveSetSource {
  public:
    virtual ~ActiveSetSource() = default;
    // Users with at - lastSeen < ttl.
    virtual Result<std::map<std::string, int64_t>> activeUsers(int64_t atMillis) = 0;
    virtual Result<std::vector<activeset::ShardStats>> shardStats() = 0;
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
    // stats hash, else 120 s.
    RedisSource(redis::ConnectOptions options, std::string key, int64_t ttlMillis)
        : options_(std::move(options)), key_(std::move(key)), ttlMillis_(ttlMillis) {}
    Result<std::map<std::string, int64_t>> activeUsers(int64_t atMillis) override;
    Result<std::vector<activeset::ShardStats>> shardStats() override;
    std::string describe() const override;

  private:
    Result<redis::Connection*> connection();  // REQUIRES: mu_ held
    void dropConnection() { connection_.reset(); }

    redis::ConnectOptions options_;
    std::string key_;
    int64_t ttlMillis_;
    std::mutex mu_;
    std::unique_ptr<redis::Connection> connection_;
};

}  // namespace au::serve
