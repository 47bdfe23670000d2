// Fuzz target: a snapshot file (src/processor/snapshot.h), as `query`, `serve` and the warm start
// read it. Input: the file. Properties, for a snapshot that loads:
//  - its shard id and user ids are valid UTF-8 (they go out in JSON);
//  - loaded into a table and written again, it reads back as the same shard, times and table;
//  - the merge rule keeps exactly the users active at the asked time, each once, with its time.
#include "processor/snapshot.h"

#include <simdjson.h>

#include "fuzz.h"

using namespace au;
using namespace au::processor;

namespace {

std::map<std::string, int64_t> contents(const ActiveUserTable& table) {
    std::map<std::string, int64_t> out;
    table.forEach([&](std::string_view id, int64_t t) { out[std::string(id)] = t; });
    return out;
}

void checkMerge(const Snapshot& snap, int64_t at) {
    std::map<std::string, int64_t> merged;
    mergeActiveUsers(snap, at, merged);
    for (const auto& [id, lastSeen] : snap.users) {
        // Active at `at` <=> at - lastSeen < ttl, computed without overflow.
        const __int128 age = static_cast<__int128>(at) - lastSeen;
        const bool active = age < snap.ttlMillis;
        FUZZ_CHECK(merged.count(id) == (active ? 1u : 0u));
        if (active) FUZZ_CHECK(merged.at(id) == lastSeen);
    }
    FUZZ_CHECK(merged.size() <= snap.users.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const simdjson::padded_string text(reinterpret_cast<const char*>(data), size);
    auto snap = parseSnapshot(text, "fuzz.json");
    if (!snap) {
        FUZZ_CHECK(snap.status().code() == "BadSnapshot");
        return 0;
    }
    const Snapshot& s = snap.value();
    FUZZ_CHECK(fuzz::isUtf8(s.shardId));
    for (const auto& [id, lastSeen] : s.users) FUZZ_CHECK(fuzz::isUtf8(id));

    ActiveUserTable table(s.ttlMillis);
    for (const auto& [id, lastSeen] : s.users) table.apply(id, parseGuid(id), lastSeen);
    const auto before = contents(table);

    const std::string written = snapshotJson(s.shardId, s.writtenAt, table);
    auto again = parseSnapshot(simdjson::padded_string(written), "written.json");
    FUZZ_CHECK(again);
    FUZZ_CHECK(again->shardId == s.shardId);
    FUZZ_CHECK(again->writtenAt == s.writtenAt && again->ttlMillis == s.ttlMillis);
    FUZZ_CHECK(again->users == before);

    checkMerge(s, s.writtenAt);
    checkMerge(s, INT64_MAX);
    checkMerge(s, INT64_MIN);
    return 0;
}
