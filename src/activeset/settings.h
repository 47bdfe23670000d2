#pragma once
// Settings of the shared active set (docs/active-set.md), read from the activeUsers.redis* and
// activeUsers.warmStart keys.

#include <cstdint>
#include <string>

#include "redis/tls_settings.h"

namespace au::activeset {

struct RedisSettings {
    std::string url;  // redis://[user:password@]host:port[/db] or rediss://...; empty: no Redis
    std::string key;  // the sorted set; default "active-users:<applicationName>"
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
