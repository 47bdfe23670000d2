#include "activeset/redis_active_set.h"

#include <charconv>
#include <cmath>
#include <optional>

#include "activeset/settings.h"

namespace au::activeset {

namespace {

// A score as Redis prints it: an integer below 2^53 for the times we write; any other finite
// number within int64 is rounded. nullopt for anything else ("inf", "", "12abc").
std::optional<int64_t> scoreMillis(const std::string& text) {
    const char* end = text.data() + text.size();
    int64_t exact = 0;
    if (auto [ptr, ec] = std::from_chars(text.data(), end, exact); ec == std::errc() && ptr == end)
        return exact;
    double d = 0;
    if (auto [ptr, ec] = std::from_chars(text.data(), end, d);
        ec != std::errc() || ptr != end || !(d > -9.2e18 && d < 9.2e18)) {
        return std::nullopt;
    }
    return static_cast<int64_t>(std::llround(d));
}

}  // namespace

Result<std::map<std::string, int64_t>> usersFromScores(const RedisReply& reply) {
    if (reply.isError()) return Status::error("RedisError", reply.str);
    if (reply.type != RedisReply::Type::kArray || reply.elements.size() % 2 != 0) {
        return Status::error("ProtocolError", "unexpected ZRANGEBYSCORE reply");
    }
    std::map<std::string, int64_t> users;
    for (size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
        const RedisReply& member = reply.elements[i];
        const RedisReply& score = reply.elements[i + 1];
        const auto t =
            score.type == RedisReply::Type::kString ? scoreMillis(score.str) : std::nullopt;
        if (member.type != RedisReply::Type::kString || !t) {
            // Not a set this program wrote (found by fuzz/redis_reply: std::stod threw here).
            return Status::error("ProtocolError", "a member of the set has no time as its score");
        }
        users[member.str] = *t;
    }
    return users;
}

Result<std::vector<ShardStats>> shardStatsFromHash(const RedisReply& reply) {
    if (reply.isError()) return Status::error("RedisError", reply.str);
    std::vector<ShardStats> out;
    for (size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
        auto s = shardStatsFromJson(reply.elements[i + 1].str);
        if (s) out.push_back(std::move(s).value());
    }
    return out;
}

Result<std::map<std::string, int64_t>> activeUsersAt(RedisConnection& connection,
                                                     const std::string& key, int64_t atMillis,
                                                     int64_t ttlMillis, int64_t timeoutMillis) {
    auto reply = connection.command(
        {"ZRANGEBYSCORE", key, "(" + std::to_string(atMillis - ttlMillis), "+inf", "WITHSCORES"},
        timeoutMillis);
    if (!reply) return reply.status();
    return usersFromScores(reply.value());
}

Result<std::vector<ShardStats>> shardStats(RedisConnection& connection, const std::string& key,
                                           int64_t timeoutMillis) {
    auto reply = connection.command({"HGETALL", statsKeyOf(key)}, timeoutMillis);
    if (!reply) return reply.status();
    return shardStatsFromHash(reply.value());
}

}  // namespace au::activeset
