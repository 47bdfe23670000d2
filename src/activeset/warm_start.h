#pragma once
// SnapshotSeeder: the warm start (docs/active-set.md). At initialize it seeds the shard's table
// from <stateDir>/<shardId>.json and from the snapshots of the shard's parents (LeaseParents:
// the lease row's parentShardId), keeping only users still active now under the CURRENT TTL.
// Without a LeaseParents (no lease table configured) or when the lookup fails or times out, it
// seeds from the shard's own snapshot only and logs one line saying why. Missing snapshot files
// are normal (a new shard); unreadable ones are logged and skipped. Always one info line with
// what was seeded, also recorded in the ShardNotes when set. Bounded by the LeaseParents' bound
// plus reading local files.

#include <memory>
#include <string>

#include "activeset/lease_parents.h"
#include "activeset/shard_notes.h"
#include "processor/table_listener.h"

namespace au::activeset {

class SnapshotSeeder final : public processor::TableSeeder {
  public:
    // `parents` may be null; `parentsUnavailable` is then the reason logged.
    SnapshotSeeder(std::string stateDir, std::unique_ptr<LeaseParents> parents,
                   std::string parentsUnavailable = "no lease table configured")
        : dir_(std::move(stateDir)),
          parents_(std::move(parents)),
          unavailable_(std::move(parentsUnavailable)) {}

    size_t seed(const std::string& shardId, int64_t now,
                processor::ActiveUserTable& table) override;
    // REQUIRES: notes outlives this object.
    void setNotes(ShardNotes* notes) { notes_ = notes; }

  private:
    std::string dir_;
    std::unique_ptr<LeaseParents> parents_;
    std::string unavailable_;
    ShardNotes* notes_ = nullptr;
};

}  // namespace au::activeset
