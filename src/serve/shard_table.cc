#include "serve/shard_table.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace au::serve {

namespace {
using Json = nlohmann::ordered_json;
}

std::string shardTableJson(const std::vector<activeset::ShardStats>& unsorted, int64_t now,
                           const History& history) {
    auto shards = unsorted;
    std::sort(shards.begin(), shards.end(),
              [](const auto& a, const auto& b) { return a.shardId < b.shardId; });
    auto rows = Json::array();
    for (const auto& s : shards) {
        // The published document already has the notes in their JSON form: reuse it.
        const Json doc = Json::parse(activeset::toJson(s));
        Json row;
        row["shardId"] = s.shardId;
        row["pid"] = s.pid;
        row["active"] = s.active;
        row["millisBehindLatest"] = doc["millisBehindLatest"];
        row["lastBatchAgeMillis"] =
            s.lastBatchAt > 0 ? Json(std::max<int64_t>(0, now - s.lastBatchAt)) : Json(nullptr);
        row["statsAgeMillis"] = std::max<int64_t>(0, now - s.writtenAt);
        const auto rate = history.recordsPerSecond(s.shardId);
        row["recordsPerSecond"] = rate ? Json(*rate) : Json(nullptr);
        row["records"] = s.records;
        row["applied"] = s.applied;
        row["stale"] = s.stale;
        row["rejected"] = doc["malformed"];
        row["startedAt"] = doc["startedAt"];
        for (const char* key : {"ended", "warmStart", "fixer", "redis"}) {
            row[key] = doc.contains(key) ? doc[key] : Json(nullptr);
        }
        rows.push_back(std::move(row));
    }
    Json j;
    j["now"] = now;
    j["shards"] = std::move(rows);
    return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace au::serve
