#include "activeset/stats_file_publisher.h"

#include "activeset/shard_stats.h"

namespace au::activeset {

void StatsFilePublisher::maybeWrite(int64_t now, const processor::ActiveUserTable& table,
                                    const processor::ProcessorStats& stats, bool force) {
    if (dir_.empty() || shardId_.empty()) return;
    if (!force && now < nextAt_) return;
    nextAt_ = now + interval_;
    const Status st = writeStatsFile(
        dir_, makeShardStats(shardId_, now, ttlMillis_, table.size(), stats, notes_));
    if (!st && failureLog_.allow(clock_))
        spdlog::error("stats file not written: {}", st.toString());
}

}  // namespace au::activeset
