#include "activeset/warm_start.h"

#include <sys/stat.h>

#include "processor/snapshot.h"
#include "util/guid.h"
#include "util/log.h"

namespace au::activeset {

namespace {

// Applies the snapshot's users still active at `now`; returns how many.
size_t seedFrom(const std::string& dir, const std::string& shardId, int64_t now,
                processor::ActiveUserTable& table) {
    const std::string path = processor::snapshotPath(dir, shardId);
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return 0;  // no snapshot yet
    auto snap = processor::readSnapshot(path);
    if (!snap) {
        spdlog::warn("warm start: skipping {}", snap.status().toString());
        return 0;
    }
    size_t n = 0;
    for (const auto& [id, lastSeen] : snap->users) {
        if (table.isStale(lastSeen, now)) continue;
        table.apply(id, parseGuid(id), lastSeen);
        ++n;
    }
    return n;
}

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& s : items) out += (out.empty() ? "" : ",") + s;
    return out;
}

}  // namespace

size_t SnapshotSeeder::seed(const std::string& shardId, int64_t now,
                            processor::ActiveUserTable& table) {
    if (dir_.empty()) return 0;
    std::vector<std::string> parents;
    std::string why;  // why the parents are unknown, if they are
    if (parents_ == nullptr) {
        why = unavailable_;
    } else if (auto found = parents_->parentsOf(shardId)) {
        parents = std::move(found).value();
    } else {
        why = found.status().toString();
    }
    const size_t own = seedFrom(dir_, shardId, now, table);
    size_t fromParents = 0;
    for (const auto& parent : parents) {
        if (parent != shardId) fromParents += seedFrom(dir_, parent, now, table);
    }
    if (notes_ != nullptr) notes_->setWarmStart(WarmStartNote{now, own, fromParents, why});
    if (why.empty()) {
        spdlog::info("warm start: {} active users from the own snapshot, {} from parents [{}]", own,
                     fromParents, joined(parents));
    } else {
        spdlog::warn(
            "warm start: {} active users from the own snapshot only; parent shards unknown ({})",
            own, why);
    }
    return own + fromParents;
}

}  // namespace au::activeset
