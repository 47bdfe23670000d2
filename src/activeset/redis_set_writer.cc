#include "activeset/redis_set_writer.h"

#include "activeset/redis_commands.h"
#include "util/log.h"

namespace au::activeset {

RedisSetWriter::RedisSetWriter(redis::Link& link, const Clock& clock, WriterOptions options,
                               std::function<double()> random)
    : link_(link),
      clock_(clock),
      options_(std::move(options)),
      layout_(SetLayout::of(options_.key, options_.partitions, options_.memberFormat)),
      backoff_(options_.backoffBaseMillis, options_.backoffCapMillis, std::move(random)) {}

void RedisSetWriter::setShardId(const std::string& shardId) {
    if (shardId == options_.shardId) return;
    options_.shardId = shardId;
    nextEvictPartition_ = stableHash(shardId) % layout_.partitions();
}

void RedisSetWriter::onFailure(const Status& why) {
    const int64_t now = clock_.nowMillis();
    const int64_t delay = backoff_.nextDelayMillis();
    nextAttemptAt_ = now + delay;
    if (!outage_) {
        outage_ = true;
        outageSince_ = now;
        ++counters_.outages;
        spdlog::warn(
            "redis {} unavailable ({}): processing continues; updates are buffered and this "
            "shard's table is resent on reconnection (retrying with backoff up to {} ms; no more "
            "lines until it is back)",
            options_.endpointForLogs, why.toString(), options_.backoffCapMillis);
    }
}

bool RedisSetWriter::tryConnect() {
    if (link_.connected()) return false;
    if (clock_.nowMillis() < nextAttemptAt_) return false;
    const Status st = link_.connect();
    if (!st) {
        ++counters_.failedConnects;
        onFailure(st);
        return false;
    }
    ++counters_.connects;
    nextEvictAt_ = clock_.nowMillis();
    return true;
}

bool RedisSetWriter::send(const std::vector<std::string>& commands) {
    const size_t maxCommands = kCommandsPerPipeline * layout_.partitions();
    std::vector<std::string> chunk;
    size_t bytes = 0;
    for (size_t i = 0; i < commands.size(); ++i) {
        chunk.push_back(commands[i]);
        bytes += commands[i].size();
        const bool last = i + 1 == commands.size();
        if (!last && chunk.size() < maxCommands && bytes < kBytesPerPipeline) continue;
        auto replies = link_.pipeline(chunk);
        if (!replies) {
            ++counters_.failedRoundTrips;
            onFailure(replies.status());
            return false;
        }
        for (const auto& r : replies.value()) {
            if (r.isError()) {
                ++counters_.failedRoundTrips;
                onFailure(Status::error("RedisError", r.str));
                return false;
            }
        }
        chunk.clear();
        bytes = 0;
    }
    return true;
}

bool RedisSetWriter::deliver(WriterWork& work) {
    if (!link_.connected()) return false;
    const int64_t now = clock_.nowMillis();
    std::vector<std::string> commands = zaddGreaterCommands(layout_, work.resync);
    auto updates = zaddGreaterCommands(layout_, work.updates);
    commands.insert(commands.end(), std::make_move_iterator(updates.begin()),
                    std::make_move_iterator(updates.end()));
    if (work.statsJson && !options_.shardId.empty()) {
        commands.push_back(
            publishStatsCommand(options_.statsKey, options_.shardId, *work.statsJson));
    }
    const bool evict = now >= nextEvictAt_;
    const size_t evictCount = (layout_.partitions() + kEvictionRounds - 1) / kEvictionRounds;
    if (evict) {
        auto evictions =
            evictCommands(layout_, now - options_.ttlMillis, nextEvictPartition_, evictCount);
        commands.insert(commands.end(), std::make_move_iterator(evictions.begin()),
                        std::make_move_iterator(evictions.end()));
    }
    if (commands.empty()) return true;
    if (!send(commands)) return false;
    counters_.usersSent += work.resync.size() + work.updates.size();
    if (evict) {
        ++counters_.evictions;
        nextEvictAt_ = now + options_.evictIntervalMillis;
        nextEvictPartition_ = (nextEvictPartition_ + evictCount) % layout_.partitions();
    }
    backoff_.reset();
    if (outage_) {
        outage_ = false;
        recoveredAt_ = now;
        ++counters_.recoveries;
        spdlog::info("redis {} reachable again after {} ms; resending this shard's table",
                     options_.endpointForLogs, now - outageSince_);
    }
    return true;
}

}  // namespace au::activeset
