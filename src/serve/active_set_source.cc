#include "serve/active_set_source.h"

#include "activeset/redis_active_set.h"
#include "processor/snapshot.h"

namespace au::serve {

namespace {
constexpr int64_t kDefaultTtlMillis = 120'000;
}

Result<std::map<std::string, int64_t>> StateDirSource::activeUsers(int64_t atMillis) {
    return processor::mergeActiveUsers(dir_, atMillis);
}

Result<std::vector<activeset::ShardStats>> StateDirSource::shardStats() {
    return activeset::readStatsDir(dir_);
}

std::string RedisSource::describe() const {
    return "redis " + options_.endpoint.redacted() + " key " + key_;
}

Result<redis::Connection*> RedisSource::connection() {
    if (!connection_) {
        auto c = redis::Connection::connect(options_);
        if (!c) return c.status();
        connection_ = std::move(c).value();
    }
    return connection_.get();
}

Result<std::map<std::string, int64_t>> RedisSource::activeUsers(int64_t atMillis) {
    std::lock_guard<std::mutex> lock(mu_);
    auto c = connection();
    if (!c) return c.status();
    int64_t ttl = ttlMillis_;
    if (ttl <= 0) {
        ttl = kDefaultTtlMillis;
        auto stats = activeset::shardStats(*c.value(), key_, options_.timeoutMillis);
        if (!stats) {
            dropConnection();
            return stats.status();
        }
        int64_t published = 0;
        for (const auto& s : stats.value()) published = std::max(published, s.ttlMillis);
        if (published > 0) ttl = published;
    }
    auto users = activeset::activeUsersAt(*c.value(), key_, atMillis, ttl, options_.timeoutMillis);
    if (!users && users.status().code() != "RedisError") dropConnection();
    return users;
}

Result<std::vector<activeset::ShardStats>> RedisSource::shardStats() {
    std::lock_guard<std::mutex> lock(mu_);
    auto c = connection();
    if (!c) return c.status();
    auto stats = activeset::shardStats(*c.value(), key_, options_.timeoutMillis);
    if (!stats && stats.status().code() != "RedisError") dropConnection();
    return stats;
}

}  // namespace au::serve
