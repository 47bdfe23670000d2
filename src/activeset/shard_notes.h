#pragma once
// ShardNotes: what one processor knows about its shard besides its counters, published with them
// (shard_stats.h) for `serve`'s dashboard: the warm start's counts, the lease fixer's last action
// and the Redis connection's outages.
//
// Writers: the warm start (protocol thread, at initialize) and the Redis sink's worker thread;
// the fixer's action is read through a probe when the stats are made (protocol thread). Readers:
// the stats publishers. Thread-safe.

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

namespace au::activeset {

struct WarmStartNote {
    int64_t at = 0;
    uint64_t own = 0;            // users seeded from the shard's own snapshot
    uint64_t parents = 0;        // users seeded from the parents' snapshots
    std::string parentsUnknown;  // why the parents could not be looked up; empty when they were
};

struct FixerNote {
    // "off", "watching", "left alone", "cutting", "cut", "not cut", "stopped".
    std::string action;
    std::string detail;  // the fixer's reason
    int64_t at = 0;      // when this action was first seen
};

struct RedisNote {
    bool connected = false;
    uint64_t outages = 0;   // times Redis became unreachable
    int64_t downSince = 0;  // the current outage's start; 0 when connected
    int64_t lastDownAt = 0;
    int64_t lastUpAt = 0;  // the end of the last outage
};

class ShardNotes {
  public:
    // Called when the stats are made; returns the fixer's current action.
    using FixerProbe = std::function<FixerNote(int64_t now)>;

    void setWarmStart(WarmStartNote note);
    void setRedis(RedisNote note);
    void setFixerProbe(FixerProbe probe);

    std::optional<WarmStartNote> warmStart() const;
    std::optional<RedisNote> redis() const;
    std::optional<FixerNote> fixer(int64_t now) const;

  private:
    mutable std::mutex mu_;
    std::optional<WarmStartNote> warmStart_;
    std::optional<RedisNote> redis_;
    FixerProbe probe_;
};

}  // namespace au::activeset
