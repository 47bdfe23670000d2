#include "activeset/redis_commands.h"

#include "redis/command.h"

namespace au::activeset {

std::vector<std::string> zaddGreaterCommands(const SetLayout& layout, const UserScores& entries,
                                             size_t perCommand) {
    // The entries of each partition, in their order.
    std::vector<std::vector<const std::pair<std::string, int64_t>*>> byPartition(
        layout.partitions());
    for (const auto& e : entries) byPartition[layout.partitionOf(e.first)].push_back(&e);
    std::vector<std::string> out;
    std::vector<std::string> args;
    for (size_t p = 0; p < byPartition.size(); ++p) {
        const auto& mine = byPartition[p];
        for (size_t start = 0; start < mine.size(); start += perCommand) {
            const size_t end = std::min(mine.size(), start + perCommand);
            args.clear();
            args.reserve(2 + 2 * (end - start) + 1);
            args.emplace_back("ZADD");
            args.push_back(layout.partitionKey(p));
            args.emplace_back("GT");
            for (size_t i = start; i < end; ++i) {
                args.push_back(std::to_string(mine[i]->second));
                args.push_back(layout.member(mine[i]->first));
            }
            out.push_back(redis::formatCommand(args));
        }
    }
    return out;
}

std::vector<std::string> evictCommands(const SetLayout& layout, int64_t cutoff, size_t first,
                                       size_t count) {
    std::vector<std::string> out;
    count = std::min(count, layout.partitions());
    out.reserve(count);
    for (size_t i = 0; i < count; ++i) {
        const size_t p = (first + i) % layout.partitions();
        out.push_back(redis::formatCommand(
            {"ZREMRANGEBYSCORE", layout.partitionKey(p), "-inf", std::to_string(cutoff)}));
    }
    return out;
}

std::string publishStatsCommand(const std::string& statsKey, const std::string& shardId,
                                const std::string& json) {
    return redis::formatCommand({"HSET", statsKey, shardId, json});
}

}  // namespace au::activeset
