#include "app/redis_target.h"

#include <optional>

#include "app/config.h"
#include "util/env.h"

namespace au::app {

Result<RedisTarget> redisTargetFrom(const CommandLine& cl, const Environment& env) {
    const auto url = cl.get("--redis");
    if (!url || url->empty()) return Status::error("Usage", "--redis URL is required");
    const auto path = cl.get("--properties");
    std::optional<Config> config;
    if (path) {
        auto loaded = loadConfig(*path);
        if (!loaded) return Status::error("Usage", *path + ": " + loaded.status().message());
        config = std::move(loaded).value();
    }
    auto endpoint = redis::parseUrl(*url, config && config->redis.cluster);
    if (!endpoint) return Status::error("Usage", "--redis: " + endpoint.status().message());
    RedisTarget target;
    target.connect.endpoint = endpoint.value();
    const auto flagEnv = cl.get("--redis-password-env");
    if (flagEnv && flagEnv->empty())
        return Status::error("Usage", "--redis-password-env needs a NAME");
    if (config) {
        target.key = config->redis.key;
        target.connect.tls = config->redis.tls;
        target.connect.timeoutMillis = config->redis.timeoutMillis;
        target.ttlMillis = config->processor.ttlMillis;
        target.partitions = config->redis.partitions;
    }
    // The flag wins over the file's variable, which is then not read at all.
    const std::string passwordEnv = flagEnv ? *flagEnv : config ? config->redis.passwordEnv : "";
    if (Status st = redis::takePasswordFromEnvironment(target.connect.endpoint, passwordEnv, env);
        !st) {
        return Status::error("Usage",
                             (flagEnv ? "--redis-password-env" : *path) + ": " + st.message());
    }
    if (auto key = cl.get("--key")) target.key = *key;
    if (target.key.empty())
        return Status::error("Usage", "--key K or --properties F names the set");
    return target;
}

}  // namespace au::app
