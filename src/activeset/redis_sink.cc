#include "activeset/redis_sink.h"

#include <chrono>

#include "activeset/shard_stats.h"
#include "util/log.h"

namespace au::activeset {

namespace {
constexpr int64_t kStatsEveryMillis = 1'000;
constexpr int64_t kMaxWaitMillis = 1'000;
}  // namespace

RedisSink::RedisSink(Options options, std::unique_ptr<redis::Link> link, Clock& clock,
                     std::function<double()> random)
    : options_(std::move(options)),
      clock_(clock),
      link_(std::move(link)),
      writer_(*link_, clock_,
              WriterOptions{options_.settings.key, statsKeyOf(options_.settings.key), "",
                            options_.ttlMillis, options_.settings.evictIntervalMillis,
                            options_.settings.backoffBaseMillis, options_.settings.backoffCapMillis,
                            options_.endpointForLogs, options_.settings.partitions,
                            options_.settings.memberFormat},
              std::move(random)),
      pending_(options_.settings.maxPendingUsers) {
    if (options_.startThread) thread_ = std::thread([this] { workerLoop(); });
}

RedisSink::~RedisSink() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void RedisSink::onStart(const std::string& shardId, int64_t now,
                        const processor::ActiveUserTable& table) {
    shardId_ = shardId;
    {
        std::lock_guard<std::mutex> lock(mu_);
        writerShardId_ = shardId;
    }
    // The worker connects on its own; the resync after that connect pushes the seeded table.
    nextStatsAt_ = now;
    (void)table;
}

void RedisSink::onApplied(std::string_view userId, int64_t lastSeen) {
    batch_.emplace_back(std::string(userId), lastSeen);
}

void RedisSink::onBatchEnd(int64_t now, const processor::ActiveUserTable& table,
                           const processor::ProcessorStats& stats) {
    handOver(now, table, stats, false);
}

void RedisSink::onTick(int64_t now, const processor::ActiveUserTable& table,
                       const processor::ProcessorStats& stats) {
    handOver(now, table, stats, false);
}

void RedisSink::handOver(int64_t now, const processor::ActiveUserTable& table,
                         const processor::ProcessorStats& stats, bool forceStats) {
    UserScores resync;
    const bool wantResync = resyncWanted_.exchange(false);
    if (wantResync) {
        resync.reserve(table.size());
        table.forEach(
            [&](std::string_view id, int64_t t) { resync.emplace_back(std::string(id), t); });
    }
    std::optional<std::string> statsJson;
    if (!shardId_.empty() && (forceStats || now >= nextStatsAt_)) {
        auto published =
            makeShardStats(shardId_, now, options_.ttlMillis, table.size(), stats, options_.notes);
        if (options_.settings.partitions > 0)
            published.redisPartitions = options_.settings.partitions;
        statsJson = toJson(published);
        nextStatsAt_ = now + kStatsEveryMillis;
    }
    if (batch_.empty() && !wantResync && !statsJson) return;
    bool overflowed = false;
    {
        std::lock_guard<std::mutex> lock(mu_);
        if (wantResync) {
            pending_.clear();  // everything buffered is <= the table's values
            resync_ = std::move(resync);
            ++resyncs_;
        } else {
            for (const auto& [id, t] : batch_) {
                if (!pending_.add(id, t)) overflowed = true;
            }
        }
        if (statsJson) stats_ = std::move(statsJson);
        dropped_ += pending_.takeDropped();
        ++enqueued_;
    }
    batch_.clear();
    // A full buffer while Redis is reachable (but slow): resend the whole table instead.
    if (overflowed && connected_.load()) resyncWanted_ = true;
    cv_.notify_all();
}

void RedisSink::onEnd(int64_t now, const processor::ActiveUserTable& table,
                      const processor::ProcessorStats& stats) {
    handOver(now, table, stats, true);
    if (!options_.startThread || outage_.load() || !connected_.load()) return;
    std::unique_lock<std::mutex> lock(mu_);
    const uint64_t target = enqueued_;
    cv_.wait_for(lock, std::chrono::milliseconds(options_.settings.finalFlushMillis),
                 [&] { return delivered_ >= target || stop_; });
}

void RedisSink::noteConnection() {
    connected_ = writer_.connected();
    outage_ = writer_.inOutage();
    if (options_.notes == nullptr) return;
    RedisNote note;
    note.connected = connected_.load();
    note.outages = writer_.counters().outages;
    note.downSince = writer_.inOutage() ? writer_.outageSince() : 0;
    note.lastDownAt = writer_.counters().outages > 0 ? writer_.outageSince() : 0;
    note.lastUpAt = writer_.recoveredAt();
    options_.notes->setRedis(note);
}

bool RedisSink::workOnce() {
    if (!writer_.connected()) {
        if (!writer_.tryConnect()) {
            noteConnection();
            return false;
        }
        connected_ = true;
        resyncWanted_ = true;  // the protocol thread hands over the whole table next
    }
    WriterWork work;
    uint64_t generation = 0;
    {
        std::lock_guard<std::mutex> lock(mu_);
        work.resync.swap(resync_);
        work.updates = pending_.take();
        work.statsJson = std::move(stats_);
        stats_.reset();
        writer_.setShardId(writerShardId_);
        generation = enqueued_;
    }
    const bool ok = writer_.deliver(work);
    noteConnection();
    {
        std::lock_guard<std::mutex> lock(mu_);
        if (ok) delivered_ = generation;
        writerCounters_ = writer_.counters();
    }
    cv_.notify_all();
    return ok && !work.empty();
}

void RedisSink::pumpOnce() { workOnce(); }

void RedisSink::workerLoop() {
    for (;;) {
        {
            std::unique_lock<std::mutex> lock(mu_);
            const int64_t now = clock_.nowMillis();
            const int64_t due =
                writer_.connected() ? writer_.nextEvictAt() : writer_.nextAttemptAt();
            const int64_t wait = std::clamp<int64_t>(due - now, 0, kMaxWaitMillis);
            auto hasWork = [&] {
                return stop_ ||
                       (writer_.connected() && (!pending_.empty() || !resync_.empty() || stats_));
            };
            if (!hasWork()) cv_.wait_for(lock, std::chrono::milliseconds(wait), hasWork);
            if (stop_) break;
        }
        workOnce();
    }
    // A last delivery of what is pending when connected (bounded by the round-trip timeout).
    if (writer_.connected()) workOnce();
}

RedisSink::Counters RedisSink::counters() const {
    std::lock_guard<std::mutex> lock(mu_);
    Counters c;
    c.writer = writerCounters_;
    c.dropped = dropped_;
    c.resyncs = resyncs_;
    c.pending = pending_.size();
    c.connected = connected_.load();
    return c;
}

}  // namespace au::activeset
