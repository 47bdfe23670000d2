#pragma once
// StatsFilePublisher: a TableListener that writes the processor's ShardStats to
// <stateDir>/<shardId>.stats.json (atomically) at most every `intervalMillis`, and at the end.
// With `notes`, the stats carry the warm start, fixer and Redis notes too. A write failure is
// logged at most once a minute. Protocol thread only; local file I/O only.

#include <string>

#include "activeset/shard_notes.h"
#include "processor/table_listener.h"
#include "util/clock.h"
#include "util/log.h"

namespace au::activeset {

class StatsFilePublisher final : public processor::TableListener {
  public:
    // REQUIRES: clock and notes (may be null) outlive this object.
    StatsFilePublisher(std::string stateDir, int64_t ttlMillis, int64_t intervalMillis,
                       const Clock& clock, const ShardNotes* notes = nullptr)
        : dir_(std::move(stateDir)),
          ttlMillis_(ttlMillis),
          interval_(intervalMillis),
          clock_(clock),
          notes_(notes) {}

    void onStart(const std::string& shardId, int64_t now,
                 const processor::ActiveUserTable&) override {
        shardId_ = shardId;
        nextAt_ = now;
    }
    void onApplied(std::string_view, int64_t) override {}
    void onBatchEnd(int64_t now, const processor::ActiveUserTable& table,
                    const processor::ProcessorStats& stats) override {
        maybeWrite(now, table, stats, false);
    }
    void onTick(int64_t now, const processor::ActiveUserTable& table,
                const processor::ProcessorStats& stats) override {
        maybeWrite(now, table, stats, false);
    }
    void onEnd(int64_t now, const processor::ActiveUserTable& table,
               const processor::ProcessorStats& stats) override {
        maybeWrite(now, table, stats, true);
    }

  private:
    void maybeWrite(int64_t now, const processor::ActiveUserTable& table,
                    const processor::ProcessorStats& stats, bool force);

    std::string dir_;
    int64_t ttlMillis_;
    int64_t interval_;
    const Clock& clock_;
    const ShardNotes* notes_;
    std::string shardId_;
    int64_t nextAt_ = 0;
    LogThrottle failureLog_{60'000};
};

}  // namespace au::activeset
