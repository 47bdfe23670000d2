#pragma once
// The Prometheus text exposition (format 0.0.4) of `serve`'s GET /metrics (docs/active-set.md):
//   active_users                                      gauge   users active now (the merged set)
//   active_users_source_up                            gauge   1 when the set could be read
//   active_users_shard_active{shard}                  gauge   users in the shard's own table
//   active_users_records_total{shard}                 counter records received
//   active_users_heartbeats_applied_total{shard}      counter valid, fresh heartbeats applied
//   active_users_heartbeats_stale_total{shard}        counter heartbeats older than the TTL
//   active_users_records_malformed_total{shard,reason} counter skipped records, by reason
//   active_users_shard_millis_behind_latest{shard}    gauge   the last batch's millisBehindLatest
//   active_users_shard_stats_age_seconds{shard}       gauge   how old the shard's published stats
//   are
// and, for a partitioned set on a Redis Cluster (renderPartitionMetrics), as of the read that
// produced active_users:
//   active_users_redis_partition_active{partition}             gauge   users in the partition
//   active_users_redis_partition_read_seconds{partition,node}  gauge   time from sending the read
//                                                                     to the partition's reply
// Shard counters come from the processors' published stats (activeset/shard_stats.h) and restart
// from 0 when a lease moves to a new process. Pure; thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "activeset/redis_active_set.h"
#include "activeset/shard_stats.h"

namespace au::serve {

// `activeUsers` nullopt: the set could not be read (active_users is then left out).
std::string renderMetrics(std::optional<size_t> activeUsers,
                          const std::vector<activeset::ShardStats>& shards, int64_t nowMillis);
// Empty when there are no partition reads.
std::string renderPartitionMetrics(const std::vector<activeset::PartitionRead>& reads);

}  // namespace au::serve
