// Fuzz target: a processor's published stats document (src/activeset/shard_stats.h), read from
// <stateDir>/<shard>.stats.json and from the Redis stats hash by `serve` and `query`.
// Input: the document. Properties: parsing never throws; a document that parses writes back
// (toJson) to one that parses to the same values, and writing that again gives the same text.
#include "activeset/shard_stats.h"

#include "fuzz.h"

using namespace au;
using namespace au::activeset;

namespace {

bool same(const ShardStats& a, const ShardStats& b) {
    return a.shardId == b.shardId && a.writtenAt == b.writtenAt && a.ttlMillis == b.ttlMillis &&
           a.active == b.active && a.batches == b.batches && a.records == b.records &&
           a.applied == b.applied && a.stale == b.stale && a.evicted == b.evicted &&
           a.malformed == b.malformed && a.millisBehindLatest == b.millisBehindLatest &&
           a.pid == b.pid;
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
    return 0;
}
