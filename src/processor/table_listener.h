#pragma once
// Extension points of ActiveUsersProcessor for the shared active set (src/activeset/): a seeder
// that fills the table at initialize (the warm start) and listeners that publish the table
// elsewhere (the Redis set, stats files). The processor works without any of them.
//
// Every call happens on the protocol thread. Implementations must not do network I/O there:
// TableSeeder::seed returns within its stated bound (~2 s), every TableListener call within
// milliseconds, except onEnd, which may wait for a final flush within its stated bound (~1 s).

#include <cstdint>
#include <string>
#include <string_view>

#include "processor/active_user_table.h"
#include "processor/stats.h"

namespace au::processor {

class TableSeeder {
  public:
    virtual ~TableSeeder() = default;
    // Fills `table` for `shardId` with users still active at `now`; returns how many it applied.
    virtual size_t seed(const std::string& shardId, int64_t now, ActiveUserTable& table) = 0;
};

class TableListener {
  public:
    virtual ~TableListener() = default;
    // initialize, after the warm start: the table may already hold users.
    virtual void onStart(const std::string& shardId, int64_t now, const ActiveUserTable& table) = 0;
    // A heartbeat moved `userId`'s last seen forward to `lastSeen` (GUIDs in canonical lower
    // case). The view is valid during the call only.
    virtual void onApplied(std::string_view userId, int64_t lastSeen) = 0;
    // After each batch, and on every timer wake of the processor (at least once a second).
    virtual void onBatchEnd(int64_t now, const ActiveUserTable& table,
                            const ProcessorStats& stats) = 0;
    virtual void onTick(int64_t now, const ActiveUserTable& table, const ProcessorStats& stats) = 0;
    // The lease ended (shard end, lease lost, graceful shutdown) or stdin closed.
    virtual void onEnd(int64_t now, const ActiveUserTable& table, const ProcessorStats& stats) = 0;
};

}  // namespace au::processor
