#pragma once
// History: what `serve` remembers for its dashboard (docs/active-set.md, "Dashboard").
//  - A ring of samples of the active-user count: one per interval (default 5 s) for a window
//    (default 2 h); a sample whose source could not be read has no count. Each sample also has
//    the largest millisBehindLatest of the running processors (the backlog being read).
//  - Events, taken from the processors' published stats (activeset/shard_stats.h) and from the
//    source itself, each at the time it happened:
//      start       a processor started on a shard (a new pid; with its warm-start counts)
//      leaseLost   the lease was lost (another worker took it)
//      shardEnded  the shard ended (reshard): its children take over
//      shutdown    graceful shutdown (shutdownRequested) or end of input
//      fixerCut    the lease fixer cut the lease's stale backlog (docs/leases.md)
//      redisDown   a processor lost Redis (and redisUp: it was back)
//      sourceDown  serve could not read the set (and sourceUp: it could again)
//    Events older than the window are dropped; each is recorded once.
//  - Each shard's records/s, from two consecutive stats of the same process.
// record() is called by the sampler thread, the readers by HTTP threads: thread-safe.

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "activeset/shard_stats.h"
#include "util/status.h"

namespace au::serve {

struct HistorySample {
    int64_t t = 0;
    std::optional<uint64_t> count;        // nullopt: the source could not be read
    std::optional<int64_t> behindMillis;  // nullopt: no running processor told
};

struct HistoryEvent {
    int64_t t = 0;
    std::string kind;   // see above
    std::string shard;  // empty for the source's own events
    std::string text;   // one line for a person
};

class History {
  public:
    // REQUIRES: intervalMillis > 0, windowMillis >= intervalMillis.
    History(int64_t intervalMillis, int64_t windowMillis, size_t maxEvents = 1000);

    int64_t intervalMillis() const { return interval_; }

    // One sample at `now`: the count (or why the set could not be read) and the shards' stats
    // (when readable; an error leaves the events and rates as they are).
    void record(int64_t now, const Result<size_t>& count,
                const Result<std::vector<activeset::ShardStats>>& shards);

    std::vector<HistorySample> samples() const;
    std::vector<HistoryEvent> events() const;
    // records/s of the shard's current process over the last two samples; nullopt before that.
    std::optional<double> recordsPerSecond(const std::string& shardId) const;

    // {"intervalMillis":n,"windowMillis":n,"samples":[[t,count|null,behindMillis|null],...],
    //  "events":[{"t":ms,"kind":"..","shard":"..","text":".."},...]} (oldest first)
    std::string json() const;

  private:
    struct Seen {  // the last stats of a shard, for rates
        int64_t pid = 0;
        int64_t writtenAt = 0;
        uint64_t records = 0;
        std::optional<double> rate;
    };
    // REQUIRES: mu_ held.
    void addEvent(int64_t now, HistoryEvent event);
    void eventsFrom(int64_t now, const activeset::ShardStats& s);
    void prune(int64_t now);

    const int64_t interval_;
    const int64_t window_;
    const size_t capacity_;
    const size_t maxEvents_;
    mutable std::mutex mu_;
    std::deque<HistorySample> samples_;
    std::deque<HistoryEvent> events_;
    std::map<std::string, Seen> seen_;
    bool sourceDown_ = false;
};

}  // namespace au::serve
