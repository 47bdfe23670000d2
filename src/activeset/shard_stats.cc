#include "activeset/shard_stats.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <type_traits>
#include <utility>

#include "processor/snapshot.h"
#include "util/log.h"

namespace au::activeset {

namespace {
constexpr const char* kSuffix = ".stats.json";

Status ioError(const std::string& what) {
    return Status::error("IoError", what + ": " + std::strerror(errno));
}

using Json = nlohmann::ordered_json;

// A time in ms, or null when 0 (not yet).
Json timeOrNull(int64_t t) { return t > 0 ? Json(t) : Json(nullptr); }

Status bad(const std::string& key, const char* what) {
    return Status::error("BadStats", key + " is not " + what);
}

// A counter or time: absent leaves `out` as it is; an integer that fits is taken; anything else
// (a fraction, a number out of range, a negative counter, another type) is an error. nlohmann's
// own conversion casts a double such as 1e24 to int64, which is undefined (fuzz/shard_stats).
template <class T>
Status readInteger(const nlohmann::json& j, const std::string& key, T& out) {
    const auto it = j.find(key);
    if (it == j.end()) return Status::ok();
    const bool fits =
        it->is_number_unsigned()
            ? it->template get<uint64_t>() <= static_cast<uint64_t>(INT64_MAX) ||
                  std::is_unsigned_v<T>
            : it->is_number_integer() && (std::is_signed_v<T> || it->template get<int64_t>() >= 0);
    if (!fits) return bad(key, "an integer in range");
    out = it->template get<T>();
    return Status::ok();
}

// A time written by timeOrNull (or as a plain number): absent or null leaves `out` (0: not yet);
// else a non-negative integer (a negative time would be written back as null).
Status readTime(const nlohmann::json& j, const char* key, int64_t& out) {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) return Status::ok();
    int64_t t = 0;
    if (Status st = readInteger(j, key, t); !st) return st;
    if (t < 0) return bad(key, "a time");
    out = t;
    return Status::ok();
}

// Absent leaves `out` as it is; anything but a string (a boolean) is an error.
Status readText(const nlohmann::json& j, const char* key, std::string& out) {
    const auto it = j.find(key);
    if (it == j.end()) return Status::ok();
    if (!it->is_string()) return bad(key, "a string");
    out = it->get<std::string>();
    return Status::ok();
}

Status readBool(const nlohmann::json& j, const char* key, bool& out) {
    const auto it = j.find(key);
    if (it == j.end()) return Status::ok();
    if (!it->is_boolean()) return bad(key, "a boolean");
    out = it->get<bool>();
    return Status::ok();
}

// One of the optional notes: the object, or null when absent (or null, or not an object).
const nlohmann::json* noteOf(const nlohmann::json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_object() ? &*it : nullptr;
}

}  // namespace

ShardStats makeShardStats(const std::string& shardId, int64_t now, int64_t ttlMillis, size_t active,
                          const processor::ProcessorStats& stats, const ShardNotes* notes) {
    ShardStats s;
    s.shardId = shardId;
    s.writtenAt = now;
    s.ttlMillis = ttlMillis;
    s.active = active;
    s.batches = stats.batches;
    s.records = stats.records;
    s.applied = stats.applied;
    s.stale = stats.stale;
    s.evicted = stats.evicted;
    for (size_t i = 0; i < stats.rejected.size(); ++i) {
        if (stats.rejected[i] != 0) {
            s.malformed[processor::reasonName(static_cast<processor::RejectReason>(i))] =
                stats.rejected[i];
        }
    }
    s.millisBehindLatest = stats.millisBehindLatest;
    s.pid = ::getpid();
    s.startedAt = stats.startedAtMillis;
    s.lastBatchAt = stats.lastBatchAtMillis;
    s.endReason = stats.endReason;
    s.endedAt = stats.endedAtMillis;
    if (notes != nullptr) {
        s.warmStart = notes->warmStart();
        s.fixer = notes->fixer(now);
        s.redis = notes->redis();
    }
    return s;
}

std::string toJson(const ShardStats& s) {
    Json j;
    j["version"] = 1;
    j["shardId"] = s.shardId;
    j["writtenAt"] = s.writtenAt;
    j["ttlMillis"] = s.ttlMillis;
    j["active"] = s.active;
    j["batches"] = s.batches;
    j["records"] = s.records;
    j["applied"] = s.applied;
    j["stale"] = s.stale;
    j["evicted"] = s.evicted;
    j["malformed"] = Json::object();
    for (const auto& [reason, n] : s.malformed) j["malformed"][reason] = n;
    j["millisBehindLatest"] = s.millisBehindLatest ? Json(*s.millisBehindLatest) : Json(nullptr);
    j["pid"] = s.pid;
    j["startedAt"] = timeOrNull(s.startedAt);
    j["lastBatchAt"] = timeOrNull(s.lastBatchAt);
    if (!s.endReason.empty()) j["ended"] = {{"reason", s.endReason}, {"at", s.endedAt}};
    if (const auto& w = s.warmStart) {
        j["warmStart"] = {{"at", w->at}, {"own", w->own}, {"parents", w->parents}};
        if (!w->parentsUnknown.empty()) j["warmStart"]["parentsUnknown"] = w->parentsUnknown;
    }
    if (const auto& f = s.fixer) {
        j["fixer"] = {{"action", f->action}, {"detail", f->detail}, {"at", timeOrNull(f->at)}};
    }
    if (const auto& r = s.redis) {
        j["redis"] = {{"connected", r->connected},
                      {"outages", r->outages},
                      {"downSince", timeOrNull(r->downSince)},
                      {"lastDownAt", timeOrNull(r->lastDownAt)},
                      {"lastUpAt", timeOrNull(r->lastUpAt)}};
    }
    if (s.redisPartitions) j["redisPartitions"] = *s.redisPartitions;
    return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Result<ShardStats> shardStatsFromJson(const std::string& json) {
    const auto j = nlohmann::json::parse(json, nullptr, false);
    if (!j.is_object() || !j.contains("shardId") || !j["shardId"].is_string()) {
        return Status::error("BadStats", "not a stats document");
    }
    ShardStats s;
    s.shardId = j["shardId"].get<std::string>();
    const std::pair<const char*, int64_t*> times[] = {
        {"writtenAt", &s.writtenAt}, {"ttlMillis", &s.ttlMillis}, {"pid", &s.pid}};
    const std::pair<const char*, uint64_t*> counters[] = {
        {"active", &s.active},   {"batches", &s.batches}, {"records", &s.records},
        {"applied", &s.applied}, {"stale", &s.stale},     {"evicted", &s.evicted}};
    for (const auto& [key, field] : times) {
        if (Status st = readInteger(j, key, *field); !st) return st;
    }
    for (const auto& [key, field] : counters) {
        if (Status st = readInteger(j, key, *field); !st) return st;
    }
    if (j.contains("malformed") && j["malformed"].is_object()) {
        for (const auto& [reason, n] : j["malformed"].items()) {
            uint64_t count = 0;
            if (Status st = readInteger(j["malformed"], reason, count); !st) return st;
            s.malformed[reason] = count;
        }
    }
    if (j.contains("millisBehindLatest") && !j["millisBehindLatest"].is_null()) {
        int64_t behind = 0;
        if (Status st = readInteger(j, "millisBehindLatest", behind); !st) return st;
        s.millisBehindLatest = behind;
    }
    if (j.contains("redisPartitions")) {
        // What SetLayout and the configuration allow (a reader would build this many keys).
        int64_t partitions = 0;
        if (Status st = readInteger(j, "redisPartitions", partitions); !st) return st;
        if (partitions < 1 || partitions > 16'384) {
            return bad("redisPartitions", "a partition count from 1 to 16384");
        }
        s.redisPartitions = static_cast<int>(partitions);
    }
    for (const auto& [key, field] :
         {std::pair{"startedAt", &s.startedAt}, std::pair{"lastBatchAt", &s.lastBatchAt}}) {
        if (Status st = readTime(j, key, *field); !st) return st;
    }
    if (const auto* e = noteOf(j, "ended")) {
        if (Status st = readText(*e, "reason", s.endReason); !st) return st;
        // Written only with a reason: without one the lease has not ended.
        if (s.endReason.empty()) return bad("ended", "an end with a reason");
        if (Status st = readTime(*e, "at", s.endedAt); !st) return st;
    }
    if (const auto* w = noteOf(j, "warmStart")) {
        WarmStartNote note;
        for (Status st : {readTime(*w, "at", note.at), readInteger(*w, "own", note.own),
                          readInteger(*w, "parents", note.parents),
                          readText(*w, "parentsUnknown", note.parentsUnknown)}) {
            if (!st) return st;
        }
        s.warmStart = note;
    }
    if (const auto* f = noteOf(j, "fixer")) {
        FixerNote note;
        for (Status st : {readText(*f, "action", note.action), readText(*f, "detail", note.detail),
                          readTime(*f, "at", note.at)}) {
            if (!st) return st;
        }
        s.fixer = note;
    }
    if (const auto* r = noteOf(j, "redis")) {
        RedisNote note;
        for (Status st :
             {readBool(*r, "connected", note.connected), readInteger(*r, "outages", note.outages),
              readTime(*r, "downSince", note.downSince),
              readTime(*r, "lastDownAt", note.lastDownAt),
              readTime(*r, "lastUpAt", note.lastUpAt)}) {
            if (!st) return st;
        }
        s.redis = note;
    }
    return s;
}

std::string statsPath(const std::string& dir, const std::string& shardId) {
    std::string path = processor::snapshotPath(dir, shardId);  // ".../<name>.json"
    return path.substr(0, path.size() - 5) + kSuffix;
}

Status writeStatsFile(const std::string& dir, const ShardStats& stats) {
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return ioError("creating " + dir);
    const std::string path = statsPath(dir, stats.shardId);
    const std::string tmp =
        dir + "/.tmp-" + std::to_string(::getpid()) + "-" + path.substr(dir.size() + 1);
    const std::string data = toJson(stats) + "\n";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return ioError("creating " + tmp);
    Status st;
    size_t done = 0;
    while (st && done < data.size()) {
        const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0)
            st = ioError("writing " + tmp);
        else
            done += static_cast<size_t>(n);
    }
    if (::close(fd) != 0 && st) st = ioError("closing " + tmp);
    if (st && ::rename(tmp.c_str(), path.c_str()) != 0) st = ioError("renaming " + tmp);
    if (!st) ::unlink(tmp.c_str());
    return st;
}

Result<std::vector<ShardStats>> readStatsDir(const std::string& dir) {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return ioError("opening " + dir);
    std::vector<ShardStats> out;
    const std::string suffix = kSuffix;
    while (dirent* entry = ::readdir(d)) {
        const std::string name = entry->d_name;
        if (name.empty() || name[0] == '.' || name.size() <= suffix.size() ||
            name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
            continue;
        }
        std::ifstream in(dir + "/" + name, std::ios::binary);
        std::stringstream text;
        text << in.rdbuf();
        auto s = shardStatsFromJson(text.str());
        if (!s) {
            spdlog::warn("skipping {}/{}: {}", dir, name, s.status().toString());
            continue;
        }
        out.push_back(std::move(s).value());
    }
    ::closedir(d);
    return out;
}

}  // namespace au::activeset
