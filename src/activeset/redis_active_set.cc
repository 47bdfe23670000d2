#include "activeset/redis_active_set.h"

#include <charconv>
#include <cmath>
#include <optional>

#include "redis/command.h"

namespace au::activeset {

namespace {

constexpr int64_t kDefaultTtlMillis = 120'000;

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

Result<std::map<std::string, int64_t>> usersFromScores(const std::vector<redis::Reply>& replies) {
    std::map<std::string, int64_t> users;
    for (const redis::Reply& reply : replies) {
        if (reply.isError()) return Status::error("RedisError", reply.str);
        if (reply.type != redis::Reply::Type::kArray || reply.elements.size() % 2 != 0) {
            return Status::error("ProtocolError", "unexpected ZRANGEBYSCORE reply");
        }
        for (size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
            const redis::Reply& member = reply.elements[i];
            const redis::Reply& score = reply.elements[i + 1];
            const auto t =
                score.type == redis::Reply::Type::kString ? scoreMillis(score.str) : std::nullopt;
            if (member.type != redis::Reply::Type::kString || !t) {
                // Not a set this program wrote (found by fuzz/redis_reply: std::stod threw here).
                return Status::error("ProtocolError",
                                     "a member of the set has no time as its score");
            }
            auto [it, inserted] = users.try_emplace(userIdOfMember(member.str), *t);
            if (!inserted && *t > it->second) it->second = *t;
        }
    }
    return users;
}

Result<std::vector<ShardStats>> shardStatsFromHash(const redis::Reply& reply) {
    if (reply.isError()) return Status::error("RedisError", reply.str);
    std::vector<ShardStats> out;
    for (size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
        auto s = shardStatsFromJson(reply.elements[i + 1].str);
        if (s) out.push_back(std::move(s).value());
    }
    return out;
}

Result<std::vector<ShardStats>> SetReader::shardStats(redis::Link& link) {
    auto replies = link.pipeline({redis::formatCommand({"HGETALL", statsKeyOf(options_.key)})});
    if (!replies) return replies.status();
    return shardStatsFromHash(replies->front());
}

Result<SetReader::Plan> SetReader::plan(redis::Link& link) {
    int64_t ttl = options_.ttlMillis;
    int partitions = options_.partitions;
    const bool needPartitions = options_.cluster && partitions <= 0;
    if (ttl <= 0 || needPartitions) {
        auto stats = shardStats(link);
        if (!stats) return stats.status();
        int64_t published = 0;
        std::optional<int> publishedPartitions;
        for (const auto& s : stats.value()) {
            published = std::max(published, s.ttlMillis);
            if (!s.redisPartitions) continue;
            if (publishedPartitions && *publishedPartitions != *s.redisPartitions) {
                return Status::error("InconsistentLayout",
                                     "processors write " + std::to_string(*publishedPartitions) +
                                         " and " + std::to_string(*s.redisPartitions) +
                                         " partitions (activeUsers.redisPartitions differs)");
            }
            publishedPartitions = s.redisPartitions;
        }
        if (ttl <= 0) ttl = published > 0 ? published : kDefaultTtlMillis;
        if (needPartitions) partitions = publishedPartitions.value_or(kDefaultClusterPartitions);
    }
    // Readers decode either member format; the layout's format is not used.
    return Plan{SetLayout::of(options_.key, options_.cluster ? partitions : 0, MemberFormat::kText),
                ttl};
}

Result<std::vector<redis::Reply>> SetReader::readPartitions(redis::Link& link,
                                                            const SetLayout& layout,
                                                            const std::string& name,
                                                            const std::vector<std::string>& args) {
    std::vector<std::string> commands;
    commands.reserve(layout.partitions());
    std::vector<std::string> argv;
    for (size_t p = 0; p < layout.partitions(); ++p) {
        argv = {name, layout.partitionKey(p)};
        argv.insert(argv.end(), args.begin(), args.end());
        commands.push_back(redis::formatCommand(argv));
    }
    auto replies = link.pipeline(commands);
    if (!replies) return replies.status();
    const auto& timings = link.lastTimings();
    std::vector<PartitionRead> reads(layout.partitions());
    for (size_t p = 0; p < layout.partitions(); ++p) {
        const redis::Reply& r = replies.value()[p];
        if (r.isError()) return Status::error("RedisError", r.str);
        reads[p].key = layout.partitionKey(p);
        if (p < timings.size()) {
            reads[p].node = timings[p].node;
            reads[p].micros = timings[p].micros;
        }
    }
    lastReads_ = std::move(reads);
    return replies;
}

Result<std::map<std::string, int64_t>> SetReader::users(redis::Link& link, int64_t atMillis) {
    auto p = plan(link);
    if (!p) return p.status();
    auto replies =
        readPartitions(link, p->layout, "ZRANGEBYSCORE",
                       {"(" + std::to_string(atMillis - p->ttlMillis), "+inf", "WITHSCORES"});
    if (!replies) return replies.status();
    return usersFromScores(replies.value());
}

Result<std::vector<uint64_t>> SetReader::counts(redis::Link& link, int64_t atMillis) {
    auto p = plan(link);
    if (!p) return p.status();
    auto replies = readPartitions(link, p->layout, "ZCOUNT",
                                  {"(" + std::to_string(atMillis - p->ttlMillis), "+inf"});
    if (!replies) return replies.status();
    std::vector<uint64_t> out;
    out.reserve(replies->size());
    for (size_t i = 0; i < replies->size(); ++i) {
        const redis::Reply& r = replies.value()[i];
        if (r.type != redis::Reply::Type::kInteger || r.integer < 0) {
            return Status::error("ProtocolError", "unexpected ZCOUNT reply");
        }
        out.push_back(static_cast<uint64_t>(r.integer));
        lastReads_[i].active = out.back();
    }
    return out;
}

}  // namespace au::activeset
