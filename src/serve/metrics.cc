#include "serve/metrics.h"

#include <algorithm>
#include <cstdio>

namespace au::serve {

namespace {

std::string labelValue(const std::string& v) {
    std::string out;
    for (char c : v) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

void header(std::string& out, const char* name, const char* type, const char* help) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
}

template <class F>
void perShard(std::string& out, const std::vector<activeset::ShardStats>& shards, const char* name,
              const char* type, const char* help, F value) {
    header(out, name, type, help);
    for (const auto& s : shards) {
        const auto v = value(s);
        if (!v) continue;
        out += name;
        out += "{shard=\"" + labelValue(s.shardId) + "\"} " + *v + "\n";
    }
}

}  // namespace

std::string renderMetrics(std::optional<size_t> activeUsers,
                          const std::vector<activeset::ShardStats>& unsorted, int64_t nowMillis) {
    auto shards = unsorted;
    std::sort(shards.begin(), shards.end(),
              [](const auto& a, const auto& b) { return a.shardId < b.shardId; });
    std::string out;
    header(out, "active_users_source_up", "gauge", "1 when the active set could be read");
    out += "active_users_source_up " + std::string(activeUsers ? "1" : "0") + "\n";
    if (activeUsers) {
        header(out, "active_users", "gauge",
               "Users active now (last seen within the TTL), all shards");
        out += "active_users " + std::to_string(*activeUsers) + "\n";
    }
    using S = activeset::ShardStats;
    using Opt = std::optional<std::string>;
    perShard(out, shards, "active_users_shard_active", "gauge", "Users in the shard's own table",
             [](const S& s) -> Opt { return std::to_string(s.active); });
    perShard(out, shards, "active_users_records_total", "counter", "Records received",
             [](const S& s) -> Opt { return std::to_string(s.records); });
    perShard(out, shards, "active_users_heartbeats_applied_total", "counter",
             "Valid heartbeats applied to the table",
             [](const S& s) -> Opt { return std::to_string(s.applied); });
    perShard(out, shards, "active_users_heartbeats_stale_total", "counter",
             "Heartbeats already older than the TTL when processed (not applied)",
             [](const S& s) -> Opt { return std::to_string(s.stale); });
    header(out, "active_users_records_malformed_total", "counter", "Records skipped, by reason");
    for (const auto& s : shards) {
        for (const auto& [reason, n] : s.malformed) {
            out += "active_users_records_malformed_total{shard=\"" + labelValue(s.shardId) +
                   "\",reason=\"" + labelValue(reason) + "\"} " + std::to_string(n) + "\n";
        }
    }
    perShard(out, shards, "active_users_shard_millis_behind_latest", "gauge",
             "millisBehindLatest of the shard's last batch", [](const S& s) -> Opt {
                 return s.millisBehindLatest ? Opt(std::to_string(*s.millisBehindLatest))
                                             : std::nullopt;
             });
    perShard(out, shards, "active_users_shard_stats_age_seconds", "gauge",
             "Seconds since the shard's processor last published its stats",
             [&](const S& s) -> Opt {
                 char buffer[32];
                 std::snprintf(
                     buffer, sizeof buffer, "%.3f",
                     static_cast<double>(std::max<int64_t>(0, nowMillis - s.writtenAt)) / 1000.0);
                 return std::string(buffer);
             });
    return out;
}

std::string renderPartitionMetrics(const std::vector<activeset::PartitionRead>& reads) {
    if (reads.empty()) return {};
    std::string out;
    header(out, "active_users_redis_partition_active", "gauge",
           "Users active in the partition (ZCOUNT) at the last count");
    for (size_t i = 0; i < reads.size(); ++i) {
        if (!reads[i].active) continue;
        out += "active_users_redis_partition_active{partition=\"" + std::to_string(i) + "\"} " +
               std::to_string(*reads[i].active) + "\n";
    }
    header(out, "active_users_redis_partition_read_seconds", "gauge",
           "Time from sending the last read to the partition's reply");
    for (size_t i = 0; i < reads.size(); ++i) {
        if (reads[i].micros < 0) continue;
        char seconds[32];
        std::snprintf(seconds, sizeof seconds, "%.6f", static_cast<double>(reads[i].micros) / 1e6);
        out += "active_users_redis_partition_read_seconds{partition=\"" + std::to_string(i) +
               "\",node=\"" + labelValue(reads[i].node) + "\"} " + seconds + "\n";
    }
    return out;
}

}  // namespace au::serve
