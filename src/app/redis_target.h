#pragma once
// Which Redis set a reading command (`query --redis`, `serve --redis`) talks to:
//   --redis URL (required; redis+cluster://h:p,... for a cluster), then --properties F for the
//   key, password variable, TLS options, timeout, TTL, cluster flag and partitions of the
//   processors' configuration, and --key K (overrides the key). One of --key / --properties is
//   required. Without --properties the TTL and a cluster's partitions are the ones the processors
//   published (activeset/redis_active_set.h). --redis-password-env NAME takes the password from
//   the environment variable NAME (over the URL's and the properties' redisPasswordEnv), so that
//   it is not on the command line, where `ps` shows it to every user of the host.
// Fails with "Usage" (a message for the user) or the configuration's errors.

#include <string>

#include "activeset/redis_active_set.h"
#include "app/cli.h"
#include "redis/connection.h"
#include "util/env.h"
#include "util/status.h"

namespace au::app {

struct RedisTarget {
    redis::ConnectOptions connect;
    std::string key;
    int64_t ttlMillis = 0;  // 0: from the published stats, else 120 s
    int partitions = 0;     // cluster: 0 = from the published stats, else the default

    activeset::SetReader::Options readerOptions() const {
        return {key, connect.endpoint.cluster, ttlMillis, partitions};
    }
};

Result<RedisTarget> redisTargetFrom(const CommandLine& cl, const Environment& env);

}  // namespace au::app
