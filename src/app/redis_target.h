#pragma once
// Which Redis set a reading command (`query --redis`, `serve --redis`) talks to:
//   --redis URL (required), then --properties F for the key, password variable, TLS options,
//   timeout and TTL of the processors' configuration, and --key K (overrides the key). One of --key
//   / --properties is required. Without --properties the TTL is the one the processors published (0
//   here).
// Fails with "Usage" (a message for the user) or the configuration's errors.

#include <string>

#include "app/cli.h"
#include "redis/connection.h"
#include "util/status.h"

namespace au::app {

struct RedisTarget {
    redis::ConnectOptions connect;
    std::string key;
    int64_t ttlMillis = 0;  // 0: from the published stats, else 120 s
};

Result<RedisTarget> redisTargetFrom(const CommandLine& cl);

}  // namespace au::app
