#pragma once
// ActiveUsersProcessor: the record processor. Applies heartbeats to the shard's active-user table
// by event time, evicts users after the TTL, snapshots the table, logs a stats line, and
// checkpoints as the daemon requires (always with a null sequence number at shard end; while
// processing only with checkpointIntervalMillis > 0).
//
// Never throws for bad input: a record that cannot be used is counted by reason and skipped, and a
// sample is logged at most every 10 s.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "processor/active_user_table.h"
#include "processor/heartbeat_decoder.h"
#include "processor/settings.h"
#include "processor/stats.h"
#include "processor/table_listener.h"
#include "protocol/record_processor.h"
#include "util/clock.h"
#include "util/log.h"

namespace au::processor {

// Watches the start of a lease and may act on it (the stale-lease fixer); the processor works
// without one. Called on the protocol thread; implementations must return within ~2 s.
class LeaseObserver {
  public:
    virtual ~LeaseObserver() = default;
    virtual void onInitialize(const protocol::Initialize& message) = 0;
    virtual void onBatch(const protocol::ProcessRecords& batch) = 0;
    virtual void onLeaseEnd() {}
    // True when `record` must not be applied (e.g. it arrived before now - maxReplay); such
    // records are counted as stale. Called for every record, after onBatch for its batch.
    virtual bool skipRecord(const protocol::Record& /*record*/) const { return false; }
};

// Bounded backoff for checkpoints the daemon answers with a retryable error.
struct CheckpointRetryPolicy {
    int attempts = 8;
    int64_t baseMillis = 100;
    int64_t capMillis = 2'000;
};

class ActiveUsersProcessor final : public protocol::RecordProcessor {
  public:
    ActiveUsersProcessor(ProcessorSettings settings, Clock& clock,
                         LeaseObserver* observer = nullptr, CheckpointRetryPolicy retry = {});

    void initialize(const protocol::Initialize& message) override;
    void processRecords(const protocol::ProcessRecords& batch,
                        protocol::Checkpointer& checkpointer) override;
    void leaseLost() override;
    void shardEnded(protocol::Checkpointer& checkpointer) override;
    void shutdownRequested(protocol::Checkpointer& checkpointer) override;
    int64_t nextWakeMillis() const override;
    void onWake() override;
    void onEndOfInput() override;

    // The shared active set (src/activeset/), both optional: a seeder runs at initialize (the warm
    // start); listeners see every applied change, each batch end, timer wake and the end.
    // REQUIRES: set before initialize; the objects outlive this processor.
    void setSeeder(TableSeeder* seeder) { seeder_ = seeder; }
    void addListener(TableListener* listener) { listeners_.push_back(listener); }

    const ActiveUserTable& table() const { return table_; }
    const ProcessorStats& stats() const { return stats_; }
    const std::string& shardId() const { return shardId_; }

  private:
    static constexpr size_t kPrefetchGroup = 16;
    // Decodes a record and decides whether it applies (false: counted as skipped, stale or bad).
    bool admit(const protocol::Record& record, int64_t now, Heartbeat& heartbeat);
    void apply(const Heartbeat& heartbeat);
    void evict(int64_t now);
    void maybeSnapshot(int64_t now, bool force);
    void maybeLogStats(int64_t now, bool force);
    void notifyEnd(const char* reason, int64_t now);
    // One checkpoint with the retry policy; false when it finally failed.
    bool checkpointWithRetry(protocol::Checkpointer& checkpointer,
                             const std::optional<std::string>& sequenceNumber,
                             const std::optional<int64_t>& subSequenceNumber, const char* why);

    ProcessorSettings settings_;
    Clock& clock_;
    LeaseObserver* observer_;
    CheckpointRetryPolicy retry_;
    HeartbeatDecoder decoder_;
    ActiveUserTable table_;
    ProcessorStats stats_;
    std::string shardId_;
    TableSeeder* seeder_ = nullptr;
    std::vector<TableListener*> listeners_;

    bool checkpointing_ = true;  // false after ShutdownException / InvalidStateException
    std::optional<std::string> lastSequence_;  // of the last record delivered
    int64_t lastSubSequence_ = 0;
    bool uncheckpointed_ = false;
    int64_t lastCheckpointAt_ = 0;

    bool dirty_ = false;
    bool temporariesSwept_ = false;  // abandoned temporary files removed once, before the first
                                     // snapshot
    int64_t nextEvictAt_ = 0;
    int64_t nextSnapshotAt_ = 0;
    int64_t nextStatsAt_ = 0;
    LogThrottle rejectLog_{10'000};
};

}  // namespace au::processor
