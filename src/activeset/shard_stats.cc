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

int64_t timeOf(const nlohmann::json& j, const char* key) {
    return j.contains(key) && j[key].is_number_integer() ? j[key].get<int64_t>() : 0;
}

std::string textOf(const nlohmann::json& j, const char* key) {
    return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}

uint64_t countOf(const nlohmann::json& j, const char* key) {
    return j.contains(key) && j[key].is_number_unsigned() ? j[key].get<uint64_t>() : 0;
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
    j["millisBehindLatest"] =
        s.millisBehindLatest ? Json(*s.millisBehindLatest) : Json(nullptr);
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
    try {
        s.shardId = j["shardId"].get<std::string>();
        s.writtenAt = j.value("writtenAt", int64_t{0});
        s.ttlMillis = j.value("ttlMillis", int64_t{0});
        s.active = j.value("active", uint64_t{0});
        s.batches = j.value("batches", uint64_t{0});
        s.records = j.value("records", uint64_t{0});
        s.applied = j.value("applied", uint64_t{0});
        s.stale = j.value("stale", uint64_t{0});
        s.evicted = j.value("evicted", uint64_t{0});
        if (j.contains("malformed") && j["malformed"].is_object()) {
            for (const auto& [reason, n] : j["malformed"].items())
                s.malformed[reason] = n.get<uint64_t>();
        }
        if (j.contains("redisPartitions") && j["redisPartitions"].is_number_integer()) {
            s.redisPartitions = j["redisPartitions"].get<int>();
        }
        if (j.contains("millisBehindLatest") && j["millisBehindLatest"].is_number_integer()) {
            s.millisBehindLatest = j["millisBehindLatest"].get<int64_t>();
        }
        s.pid = j.value("pid", int64_t{0});
        s.startedAt = timeOf(j, "startedAt");
        s.lastBatchAt = timeOf(j, "lastBatchAt");
        if (j.contains("ended") && j["ended"].is_object()) {
            s.endReason = textOf(j["ended"], "reason");
            s.endedAt = timeOf(j["ended"], "at");
        }
        if (j.contains("warmStart") && j["warmStart"].is_object()) {
            const auto& w = j["warmStart"];
            s.warmStart = WarmStartNote{timeOf(w, "at"), countOf(w, "own"), countOf(w, "parents"),
                                        textOf(w, "parentsUnknown")};
        }
        if (j.contains("fixer") && j["fixer"].is_object()) {
            const auto& f = j["fixer"];
            s.fixer = FixerNote{textOf(f, "action"), textOf(f, "detail"), timeOf(f, "at")};
        }
        if (j.contains("redis") && j["redis"].is_object()) {
            const auto& r = j["redis"];
            RedisNote note;
            note.connected = r.value("connected", false);
            note.outages = countOf(r, "outages");
            note.downSince = timeOf(r, "downSince");
            note.lastDownAt = timeOf(r, "lastDownAt");
            note.lastUpAt = timeOf(r, "lastUpAt");
            s.redis = note;
        }
    } catch (const nlohmann::json::exception& e) {
        return Status::error("BadStats", e.what());
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
