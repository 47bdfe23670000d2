#pragma once
// Settings of the shared active set (docs/active-set.md), read from the activeUsers.redis* and
// activeUsers.warmStart keys.

#include <cstdint>
#include <string>

#include "redis/tls_settings.h"

namespace au::activeset {

// How a user id is stored as a member of the sorted set (set_layout.h): kText = the id's text
// (GUIDs in canonical lower case, 36 bytes); kBinary = a GUID as 0xFF + its 16 bytes, other ids
// as text (measured 11 % less memory per member: docs/active-set.md "Memory").
enum class MemberFormat { kText, kBinary };

// The number of partitions of a set on a Redis Cluster when activeUsers.redisPartitions is not
// set (docs/active-set.md "Partitions": enough to spread evenly over up to ~64 masters, small
// enough for a slot migration to move one quickly at 100 M users).
constexpr int kDefaultClusterPartitions = 256;

struct RedisSettings {
    std::string url;  // redis://[user:password@]host:port[/db] or rediss://...; empty: no Redis
    std::string key;  // the sorted set; default "active-users:<applicationName>"
    bool cluster = false;  // a Redis Cluster (redisCluster = true or a redis+cluster:// URL)
    int partitions = 0;    // cluster: the number of sorted sets; 0 = one set named `key`
    MemberFormat memberFormat = MemberFormat::kText;
    std::string passwordEnv;  // an environment variable holding the AUTH password; empty: none
    redis::TlsSettings tls;
    int64_t timeoutMillis = 1'000;        // connect, and each pipeline's write + read
    size_t maxPendingUsers = 1'000'000;   // bound of the buffer of unsent updates
    int64_t evictIntervalMillis = 5'000;  // ZREMRANGEBYSCORE at most this often (per processor)
    int64_t backoffBaseMillis = 100;
    int64_t backoffCapMillis = 5'000;
    int64_t finalFlushMillis = 1'000;  // how long a lease end waits for the last updates
};

// The default key of an application's set.
inline std::string defaultRedisKey(const std::string& applicationName) {
    return "active-users:" + (applicationName.empty() ? std::string("default") : applicationName);
}
// The hash holding each shard's published stats (field = shard id, value = stats JSON).
inline std::string statsKeyOf(const std::string& setKey) { return setKey + ":stats"; }

struct WarmStartSettings {
    bool enabled = true;
    int64_t timeoutMillis = 2'000;  // the lease-table lookup of the parent shards
};

}  // namespace au::activeset
