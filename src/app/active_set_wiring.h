#pragma once
// Builds the shared-active-set parts of processor mode from the configuration
// (docs/active-set.md): the warm start (with stateDir and warmStart=true), the stats file (with
// stateDir) and the Redis sink (with redisUrl), and attaches them to a processor. They share one
// ShardNotes (warm start, fixer, Redis outages), published with the shard's stats.

#include <memory>

#include "activeset/redis_sink.h"
#include "activeset/shard_notes.h"
#include "activeset/stats_file_publisher.h"
#include "activeset/warm_start.h"
#include "app/config.h"
#include "leases/stale_lease_fixer.h"
#include "processor/active_users_processor.h"
#include "util/clock.h"
#include "util/env.h"

namespace au::app {

struct ActiveSetParts {
    std::unique_ptr<activeset::ShardNotes> notes = std::make_unique<activeset::ShardNotes>();
    std::unique_ptr<activeset::SnapshotSeeder> seeder;
    std::unique_ptr<activeset::StatsFilePublisher> statsFile;
    std::unique_ptr<activeset::RedisSink> redis;

    // `fixer` (may be null: the fixer is off) is reported in the published stats.
    // REQUIRES: this object and the fixer outlive the processor's use of them.
    void attachTo(processor::ActiveUsersProcessor& processor,
                  const leases::StaleLeaseFixer* fixer = nullptr);
};

// REQUIRES: clock and env (AWS credentials for the warm start, redisPasswordEnv) outlive the
// result. Never fails: a part that cannot be built is logged and left out (configuration errors
// were reported by configFromProperties already).
ActiveSetParts makeActiveSetParts(const Config& config, Clock& clock, const Environment& env);

}  // namespace au::app
