#pragma once
// RedisSink: a TableListener that applies a processor's heartbeats to the application's sorted
// set in Redis (docs/active-set.md), without ever making the protocol thread wait for Redis.
//
// Threads: the protocol thread (every TableListener call) only merges the batch's changes into a
// bounded PendingUpdates under a mutex and notifies; a worker thread owns the connection
// (RedisSetWriter) and holds the mutex only to swap buffers. So a batch is delayed by at most its
// own merge (O(batch size)), whatever Redis does. onEnd() alone waits: for the final updates to be
// delivered, at most settings.finalFlushMillis, and not at all while Redis is unreachable.
//
// After every (re)connection the worker asks for a resync: at its next call (≤ 1 s: the
// processor wakes at least every second) the protocol thread copies the shard's whole table into
// the next delivery and clears the pending buffer (everything in it is ≤ the table). ZADD GT makes
// the resend idempotent, so a restarted, empty Redis converges at once. While connected, a full
// buffer also triggers a resync. Stats (shard_stats.h) are published at most once a second;
// with Options::notes, the worker records the connection's state and outages there (ShardNotes).
//
// Destruction stops the worker; a round trip in progress ends within settings.timeoutMillis.

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "activeset/pending_updates.h"
#include "activeset/redis_set_writer.h"
#include "activeset/settings.h"
#include "activeset/shard_notes.h"
#include "processor/table_listener.h"
#include "util/clock.h"

namespace au::activeset {

class RedisSink final : public processor::TableListener {
  public:
    struct Options {
        RedisSettings settings;  // key must be set
        int64_t ttlMillis = 120'000;
        std::string endpointForLogs;
        bool startThread = true;      // false: tests call pumpOnce() instead
        ShardNotes* notes = nullptr;  // optional; must outlive the sink
    };

    // REQUIRES: clock outlives this object.
    RedisSink(Options options, std::unique_ptr<redis::Link> link, Clock& clock,
              std::function<double()> random = nullptr);
    ~RedisSink() override;
    RedisSink(const RedisSink&) = delete;
    RedisSink& operator=(const RedisSink&) = delete;

    void onStart(const std::string& shardId, int64_t now,
                 const processor::ActiveUserTable& table) override;
    void onApplied(std::string_view userId, int64_t lastSeen) override;
    void onBatchEnd(int64_t now, const processor::ActiveUserTable& table,
                    const processor::ProcessorStats& stats) override;
    void onTick(int64_t now, const processor::ActiveUserTable& table,
                const processor::ProcessorStats& stats) override;
    void onEnd(int64_t now, const processor::ActiveUserTable& table,
               const processor::ProcessorStats& stats) override;

    // One iteration of the worker without waiting (startThread = false only): connect when due,
    // then deliver what is pending.
    void pumpOnce();

    struct Counters {
        RedisSetWriter::Counters writer;
        uint64_t dropped = 0;  // updates dropped because the buffer was full
        uint64_t resyncs = 0;  // whole-table copies handed to the worker
        size_t pending = 0;
        bool connected = false;
    };
    Counters counters() const;

  private:
    void handOver(int64_t now, const processor::ActiveUserTable& table,
                  const processor::ProcessorStats& stats, bool forceStats);
    void workerLoop();
    // Worker side: true when it did something.
    bool workOnce();
    // Worker side: connected_/outage_ and the notes from the writer's state.
    void noteConnection();

    Options options_;
    Clock& clock_;
    std::unique_ptr<redis::Link> link_;
    RedisSetWriter writer_;  // worker thread only

    std::string shardId_;  // protocol thread
    UserScores batch_;     // protocol thread: the current batch's changes
    int64_t nextStatsAt_ = 0;

    mutable std::mutex mu_;
    std::condition_variable cv_;
    PendingUpdates pending_;
    UserScores resync_;
    std::optional<std::string> stats_;
    std::string writerShardId_;
    uint64_t enqueued_ = 0;   // generation of the last hand-over
    uint64_t delivered_ = 0;  // generation of the last successful delivery
    uint64_t dropped_ = 0;
    uint64_t resyncs_ = 0;
    bool stop_ = false;
    std::atomic<bool> resyncWanted_{false};
    std::atomic<bool> connected_{false};
    std::atomic<bool> outage_{false};
    RedisSetWriter::Counters writerCounters_;  // copy, under mu_

    std::thread thread_;
};

}  // namespace au::activeset
