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

// A counter or time: absent leaves `out` as it is; an integer that fits is taken; anything else
// (a fraction, a number out of range, a negative counter, another type) is an error. nlohmann's
// own conversion casts a double such as 1e24 to int64, which is undefined (fuzz/shard_stats).
template <class T>
Status readInteger(const nlohmann::json& j, const char* key, T& out) {
    const auto it = j.find(key);
    if (it == j.end()) return Status::ok();
    const bool fits =
        it->is_number_unsigned()
            ? it->template get<uint64_t>() <= static_cast<uint64_t>(INT64_MAX) ||
                  std::is_unsigned_v<T>
            : it->is_number_integer() && (std::is_signed_v<T> || it->template get<int64_t>() >= 0);
    if (!fits) return Status::error("BadStats", std::string(key) + " is not an integer in range");
    out = it->template get<T>();
    return Status::ok();
}
}  // namespace

ShardStats makeShardStats(const std::string& shardId, int64_t now, int64_t ttlMillis, size_t active,
                          const processor::ProcessorStats& stats) {
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
    return s;
}

std::string toJson(const ShardStats& s) {
    nlohmann::ordered_json j;
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
    j["malformed"] = nlohmann::ordered_json::object();
    for (const auto& [reason, n] : s.malformed) j["malformed"][reason] = n;
    j["millisBehindLatest"] =
        s.millisBehindLatest ? nlohmann::ordered_json(*s.millisBehindLatest) : nullptr;
    j["pid"] = s.pid;
    return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
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
            if (Status st = readInteger(j["malformed"], reason.c_str(), count); !st) return st;
            s.malformed[reason] = count;
        }
    }
    if (j.contains("millisBehindLatest") && !j["millisBehindLatest"].is_null()) {
        int64_t behind = 0;
        if (Status st = readInteger(j, "millisBehindLatest", behind); !st) return st;
        s.millisBehindLatest = behind;
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
