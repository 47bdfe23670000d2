// Fuzz target: a processor's published stats document (src/activeset/shard_stats.h), read from
// <stateDir>/<shard>.stats.json and from the Redis stats hash by `serve` and `query`.
// Input: the document. Properties: parsing never throws; a document that parses writes back
// (toJson) to one that parses to the same values — every field, the dashboard's notes and the
// cluster's partition count included — and writing that again gives the same text; a partition
// count that parses is one SetLayout allows.
#include "activeset/shard_stats.h"

#include <optional>

#include "fuzz.h"

using namespace au;
using namespace au::activeset;

namespace {

template <class T, class Same>
bool sameOptional(const std::optional<T>& a, const std::optional<T>& b, Same same) {
    return a.has_value() == b.has_value() && (!a || same(*a, *b));
}

bool same(const ShardStats& a, const ShardStats& b) {
    return a.shardId == b.shardId && a.writtenAt == b.writtenAt && a.ttlMillis == b.ttlMillis &&
           a.active == b.active && a.batches == b.batches && a.records == b.records &&
           a.applied == b.applied && a.stale == b.stale && a.evicted == b.evicted &&
           a.malformed == b.malformed && a.millisBehindLatest == b.millisBehindLatest &&
           a.pid == b.pid && a.startedAt == b.startedAt && a.lastBatchAt == b.lastBatchAt &&
           a.endReason == b.endReason && a.endedAt == b.endedAt &&
           sameOptional(a.warmStart, b.warmStart,
                        [](const WarmStartNote& x, const WarmStartNote& y) {
                            return x.at == y.at && x.own == y.own && x.parents == y.parents &&
                                   x.parentsUnknown == y.parentsUnknown;
                        }) &&
           sameOptional(a.fixer, b.fixer,
                        [](const FixerNote& x, const FixerNote& y) {
                            return x.action == y.action && x.detail == y.detail && x.at == y.at;
                        }) &&
           sameOptional(a.redis, b.redis,
                        [](const RedisNote& x, const RedisNote& y) {
                            return x.connected == y.connected && x.outages == y.outages &&
                                   x.downSince == y.downSince && x.lastDownAt == y.lastDownAt &&
                                   x.lastUpAt == y.lastUpAt;
                        }) &&
           a.redisPartitions == b.redisPartitions;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto stats = shardStatsFromJson(std::string(fuzz::asText(data, size)));
    if (!stats) {
        FUZZ_CHECK(stats.status().code() == "BadStats");
        return 0;
    }
    const std::string written = toJson(stats.value());
    auto again = shardStatsFromJson(written);
    FUZZ_CHECK(again);
    FUZZ_CHECK(same(stats.value(), again.value()));
    FUZZ_CHECK(toJson(again.value()) == written);
    if (stats->redisPartitions) {
        FUZZ_CHECK(*stats->redisPartitions >= 1 && *stats->redisPartitions <= 16'384);
    }
    return 0;
}
