#include "activeset/redis_active_set.h"

#include <charconv>

#include "activeset/settings.h"

namespace au::activeset {

Result<std::map<std::string, int64_t>> activeUsersAt(redis::Connection& connection,
                                                     const std::string& key, int64_t atMillis,
                                                     int64_t ttlMillis, int64_t timeoutMillis) {
    auto reply = connection.command(
        {"ZRANGEBYSCORE", key, "(" + std::to_string(atMillis - ttlMillis), "+inf", "WITHSCORES"},
        timeoutMillis);
    if (!reply) return reply.status();
    if (reply->isError()) return Status::error("RedisError", reply->str);
    if (reply->type != redis::Reply::Type::kArray || reply->elements.size() % 2 != 0) {
        return Status::error("ProtocolError", "unexpected ZRANGEBYSCORE reply");
    }
    std::map<std::string, int64_t> users;
    for (size_t i = 0; i + 1 < reply->elements.size(); i += 2) {
        const std::string& score = reply->elements[i + 1].str;
        // Scores are integers below 2^53; Redis prints them without a fraction.
        int64_t t = 0;
        const auto [ptr, ec] = std::from_chars(score.data(), score.data() + score.size(), t);
        if (ec != std::errc()) {
            t = static_cast<int64_t>(std::stod(score));
        }
        (void)ptr;
        users[reply->elements[i].str] = t;
    }
    return users;
}

Result<std::vector<ShardStats>> shardStats(redis::Connection& connection, const std::string& key,
                                           int64_t timeoutMillis) {
    auto reply = connection.command({"HGETALL", statsKeyOf(key)}, timeoutMillis);
    if (!reply) return reply.status();
    if (reply->isError()) return Status::error("RedisError", reply->str);
    std::vector<ShardStats> out;
    for (size_t i = 0; i + 1 < reply->elements.size(); i += 2) {
        auto s = shardStatsFromJson(reply->elements[i + 1].str);
        if (s) out.push_back(std::move(s).value());
    }
    return out;
}

}  // namespace au::activeset
