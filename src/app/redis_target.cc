#include "app/redis_target.h"

#include "app/config.h"
#include "util/env.h"

namespace au::app {

Result<RedisTarget> redisTargetFrom(const CommandLine& cl) {
    const auto url = cl.get("--redis");
    if (!url || url->empty()) return Status::error("Usage", "--redis URL is required");
    RedisTarget target;
    bool cluster = false;
    if (auto path = cl.get("--properties")) {
        auto config = loadConfig(*path);
        if (!config) return Status::error("Usage", *path + ": " + config.status().message());
        cluster = config->redis.cluster;
        target.key = config->redis.key;
        target.connect.tls = config->redis.tls;
        target.connect.timeoutMillis = config->redis.timeoutMillis;
        target.ttlMillis = config->processor.ttlMillis;
        target.partitions = config->redis.partitions;
        auto endpoint = redis::parseUrl(*url, cluster);
        if (!endpoint) return Status::error("Usage", "--redis: " + endpoint.status().message());
        target.connect.endpoint = endpoint.value();
        static const ProcessEnvironment env;
        if (Status st = redis::takePasswordFromEnvironment(target.connect.endpoint,
                                                           config->redis.passwordEnv, env);
            !st) {
            return Status::error("Usage", *path + ": " + st.message());
        }
    } else {
        auto endpoint = redis::parseUrl(*url);
        if (!endpoint) return Status::error("Usage", "--redis: " + endpoint.status().message());
        target.connect.endpoint = endpoint.value();
    }
    if (auto key = cl.get("--key")) target.key = *key;
    if (target.key.empty())
        return Status::error("Usage", "--key K or --properties F names the set");
    return target;
}

}  // namespace au::app
