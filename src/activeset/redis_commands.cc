#include "activeset/redis_commands.h"

#include "redis/command.h"

namespace au::activeset {

std::vector<std::string> zaddGreaterCommands(const std::string& key, const UserScores& entries,
                                             size_t perCommand) {
    std::vector<std::string> out;
    std::vector<std::string> args;
    for (size_t start = 0; start < entries.size(); start += perCommand) {
        const size_t end = std::min(entries.size(), start + perCommand);
        args.clear();
        args.reserve(2 + 2 * (end - start) + 1);
        args.emplace_back("ZADD");
        args.push_back(key);
        args.emplace_back("GT");
        for (size_t i = start; i < end; ++i) {
            args.push_back(std::to_string(entries[i].second));
            args.push_back(entries[i].first);
        }
        out.push_back(redis::formatCommand(args));
    }
    return out;
}

std::string evictCommand(const std::string& key, int64_t cutoff) {
    return redis::formatCommand({"ZREMRANGEBYSCORE", key, "-inf", std::to_string(cutoff)});
}

std::string publishStatsCommand(const std::string& statsKey, const std::string& shardId,
                                const std::string& json) {
    return redis::formatCommand({"HSET", statsKey, shardId, json});
}

}  // namespace au::activeset
