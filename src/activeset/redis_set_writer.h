#pragma once
// RedisSetWriter: the logic of one processor's writes to the shared set, without threads (the
// sink runs it on its worker thread; tests drive it directly with a fake link and a ManualClock).
//
//  - Connection: tryConnect() respects a capped exponential backoff (Backoff) after failures.
//  - Outage logging: ONE warning when Redis becomes unreachable (first failed connect or round
//    trip after a success, or at start), ONE info line when a round trip succeeds again; nothing
//    per batch in between.
//  - deliver(): sends the work as pipelines of at most kCommandsPerPipeline commands per
//    partition of the layout and at most kBytesPerPipeline bytes (ZADD GT with up to 1000
//    members each, then HSET of the stats), plus ZREMRANGEBYSCORE when the eviction interval has
//    passed: of the one sorted set, or of 1/kEvictionRounds of the partitions (at least one), in
//    turn, so that each processor visits every partition once per kEvictionRounds intervals and
//    the cluster's eviction load does not grow with P times the number of processors. A Redis error
//    reply (e.g. WRONGTYPE, or an old Redis without ZADD GT) counts as a failure like a lost
//    connection. After any failure the undelivered work is dropped: the caller resends the shard's
//    whole table after the next connect.
//
// Thread-compatible: one thread.

#include <cstdint>
#include <optional>
#include <string>

#include "activeset/pending_updates.h"
#include "activeset/set_layout.h"
#include "redis/backoff.h"
#include "redis/link.h"
#include "util/clock.h"

namespace au::activeset {

struct WriterWork {
    UserScores resync;   // the shard's whole table (after a connect)
    UserScores updates;  // pending heartbeats
    std::optional<std::string> statsJson;
    bool empty() const { return resync.empty() && updates.empty() && !statsJson; }
};

struct WriterOptions {
    std::string key;       // the sorted set (the partitions' prefix)
    std::string statsKey;  // the stats hash
    std::string shardId;   // the stats field
    int64_t ttlMillis = 120'000;
    int64_t evictIntervalMillis = 5'000;
    int64_t backoffBaseMillis = 100;
    int64_t backoffCapMillis = 5'000;
    std::string endpointForLogs;  // redacted URL
    int partitions = 0;           // 0: one sorted set named `key` (set_layout.h)
    MemberFormat memberFormat = MemberFormat::kText;
};

class RedisSetWriter {
  public:
    static constexpr size_t kCommandsPerPipeline = 64;
    static constexpr size_t kBytesPerPipeline = 4 << 20;
    static constexpr size_t kEvictionRounds = 16;

    // REQUIRES: link and clock outlive this object.
    RedisSetWriter(redis::Link& link, const Clock& clock, WriterOptions options,
                   std::function<double()> random);

    bool connected() const { return link_.connected(); }
    // When disconnected: the earliest time tryConnect() will try.
    int64_t nextAttemptAt() const { return nextAttemptAt_; }
    // When the next eviction is due (only while connected).
    int64_t nextEvictAt() const { return nextEvictAt_; }
    bool inOutage() const { return outage_; }
    // The start of the current (or last) outage, and the end of the last one; 0 = none yet.
    int64_t outageSince() const { return outageSince_; }
    int64_t recoveredAt() const { return recoveredAt_; }

    // Connects when disconnected and the backoff allows it. True when a NEW connection was made
    // (the caller must then schedule a resync of the whole table).
    bool tryConnect();
    // Sends the work (and a due eviction). True on success (or nothing to send).
    bool deliver(WriterWork& work);

    // Also where this processor's eviction turn starts (spread over the partitions by shard).
    void setShardId(const std::string& shardId);

    struct Counters {
        uint64_t connects = 0;
        uint64_t failedConnects = 0;
        uint64_t failedRoundTrips = 0;
        uint64_t outages = 0;     // = warning lines written
        uint64_t recoveries = 0;  // = recovery lines written
        uint64_t usersSent = 0;
        uint64_t evictions = 0;
    };
    const Counters& counters() const { return counters_; }

  private:
    void onFailure(const Status& why);
    bool send(const std::vector<std::string>& commands);

    redis::Link& link_;
    const Clock& clock_;
    WriterOptions options_;
    SetLayout layout_;
    redis::Backoff backoff_;
    int64_t nextAttemptAt_ = 0;
    int64_t nextEvictAt_ = 0;
    size_t nextEvictPartition_ = 0;
    bool outage_ = false;
    int64_t outageSince_ = 0;
    int64_t recoveredAt_ = 0;
    Counters counters_;
};

}  // namespace au::activeset
