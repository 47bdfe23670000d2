#pragma once
// Snapshots of a shard's active-user table: <stateDir>/<shardId>.json, written atomically (a
// temporary file in the same folder, then rename), and read back by `query` and the warm start.
//
// Format (docs/state.md):
//   {"version":1,"shardId":"...","writtenAt":<epoch ms>,"ttlMillis":<ms>,
//    "users":{"<userId>":<lastSeen epoch ms>,...}}

#include <cstdint>
#include <map>
#include <string>

#include "processor/active_user_table.h"

namespace simdjson {
struct padded_string;
}
#include "util/status.h"

namespace au::processor {

struct Snapshot {
    std::string shardId;
    int64_t writtenAt = 0;
    int64_t ttlMillis = 0;
    std::map<std::string, int64_t> users;  // userId -> lastSeen
};

// The snapshot's path for a shard (characters other than [A-Za-z0-9._-] become '_').
std::string snapshotPath(const std::string& dir, const std::string& shardId);

// Writes the table as the shard's snapshot. The previous snapshot stays intact on failure.
Status writeSnapshot(const std::string& dir, const std::string& shardId, int64_t writtenAt,
                     const ActiveUserTable& table);

Result<Snapshot> readSnapshot(const std::string& path);

// Removes the temporary files ('.tmp-*', of snapshots and stats files) in `dir` last modified more
// than `olderThanMillis` before `nowMillis` (epoch ms): a writer killed between creating one and
// renaming it (SIGKILL, OOM) leaves it behind, and a live writer holds one for milliseconds only.
// Returns how many were removed; errors are ignored (a missing folder removes nothing).
size_t removeAbandonedTemporaries(const std::string& dir, int64_t nowMillis,
                                  int64_t olderThanMillis);

// The two halves of the above without the file: the document (with its final newline), and its
// parse ("BadSnapshot" naming `source` for a document that is not a snapshot).
std::string snapshotJson(const std::string& shardId, int64_t writtenAt,
                         const ActiveUserTable& table);
Result<Snapshot> parseSnapshot(const simdjson::padded_string& text, const std::string& source);

// Every snapshot in `dir` merged: the maximum lastSeen per user among the users each snapshot
// holds active at `atMillis` (by that snapshot's own TTL). Unreadable files are skipped with a
// warning; a missing folder is an error.
Result<std::map<std::string, int64_t>> mergeActiveUsers(const std::string& dir, int64_t atMillis);
// The rule for one snapshot: adds the users it holds active at `atMillis` to `merged`, keeping
// each user's latest lastSeen.
void mergeActiveUsers(const Snapshot& snapshot, int64_t atMillis,
                      std::map<std::string, int64_t>& merged);

}  // namespace au::processor
