#include "processor/snapshot.h"

#include <dirent.h>
#include <fcntl.h>
#include <simdjson.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "util/log.h"

namespace au::processor {

namespace {

Status ioError(const std::string& what) {
    return Status::error("IoError", what + ": " + std::strerror(errno));
}

bool plainId(std::string_view s) {
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == '"' || u == '\\' || u >= 0x80) return false;
    }
    return true;
}

Status writeAll(int fd, const std::string& data, const std::string& path) {
    size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            return ioError("writing " + path);
        }
        done += static_cast<size_t>(n);
    }
    return Status::ok();
}

}  // namespace

std::string snapshotPath(const std::string& dir, const std::string& shardId) {
    std::string name = shardId;
    for (char& c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        if (!ok) c = '_';
    }
    if (name.empty() || name[0] == '.') name.insert(0, "_");
    return dir + "/" + name + ".json";
}

std::string snapshotJson(const std::string& shardId, int64_t writtenAt,
                         const ActiveUserTable& table) {
    std::string out;
    out.reserve(128 + table.size() * 56);
    out += R"({"version":1,"shardId":)";
    out += nlohmann::json(shardId).dump();
    out += R"(,"writtenAt":)" + std::to_string(writtenAt);
    out += R"(,"ttlMillis":)" + std::to_string(table.ttlMillis());
    out += R"(,"users":{)";
    bool first = true;
    char number[24];
    table.forEach([&](std::string_view id, int64_t lastSeen) {
        if (!first) out += ',';
        first = false;
        if (plainId(id)) {
            out += '"';
            out += id;
            out += '"';
        } else {
            out += nlohmann::json(std::string(id))
                       .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        }
        out += ':';
        const int len =
            std::snprintf(number, sizeof number, "%lld", static_cast<long long>(lastSeen));
        out.append(number, static_cast<size_t>(len));
    });
    out += "}}\n";
    return out;
}

Status writeSnapshot(const std::string& dir, const std::string& shardId, int64_t writtenAt,
                     const ActiveUserTable& table) {
    const std::string out = snapshotJson(shardId, writtenAt, table);
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return ioError("creating " + dir);
    const std::string path = snapshotPath(dir, shardId);
    const std::string tmp =
        dir + "/.tmp-" + std::to_string(::getpid()) + "-" + path.substr(dir.size() + 1);
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return ioError("creating " + tmp);
    Status st = writeAll(fd, out, tmp);
    if (st && ::fdatasync(fd) != 0) st = ioError("syncing " + tmp);
    if (::close(fd) != 0 && st) st = ioError("closing " + tmp);
    if (st && ::rename(tmp.c_str(), path.c_str()) != 0) st = ioError("renaming " + tmp);
    if (!st) ::unlink(tmp.c_str());
    return st;
}

size_t removeAbandonedTemporaries(const std::string& dir, int64_t nowMillis,
                                  int64_t olderThanMillis) {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return 0;
    size_t removed = 0;
    while (dirent* entry = ::readdir(d)) {
        if (std::strncmp(entry->d_name, ".tmp-", 5) != 0) continue;
        const std::string path = dir + "/" + entry->d_name;
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
        const int64_t modified =
            static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1'000'000;
        if (nowMillis - modified > olderThanMillis && ::unlink(path.c_str()) == 0) ++removed;
    }
    ::closedir(d);
    return removed;
}

Result<Snapshot> readSnapshot(const std::string& path) {
    simdjson::padded_string text;
    if (simdjson::padded_string::load(path).get(text) != simdjson::SUCCESS) {
        return Status::error("IoError", "cannot read " + path);
    }
    return parseSnapshot(text, path);
}

Result<Snapshot> parseSnapshot(const simdjson::padded_string& text, const std::string& source) {
    Snapshot snap;
    try {
        simdjson::ondemand::parser parser;
        simdjson::ondemand::document doc = parser.iterate(text);
        for (auto field : doc.get_object()) {
            std::string_view key = field.unescaped_key();
            if (key == "shardId") {
                snap.shardId = std::string(std::string_view(field.value().get_string()));
            } else if (key == "writtenAt") {
                snap.writtenAt = field.value().get_int64();
            } else if (key == "ttlMillis") {
                snap.ttlMillis = field.value().get_int64();
            } else if (key == "users") {
                for (auto user : field.value().get_object()) {
                    std::string id(std::string_view(user.unescaped_key()));
                    snap.users[std::move(id)] = user.value().get_int64();
                }
            }
        }
    } catch (const simdjson::simdjson_error& e) {
        return Status::error("BadSnapshot", source + ": " + e.what());
    }
    return snap;
}

Result<std::map<std::string, int64_t>> mergeActiveUsers(const std::string& dir, int64_t atMillis) {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return ioError("opening " + dir);
    std::map<std::string, int64_t> merged;
    while (dirent* entry = ::readdir(d)) {
        const std::string name = entry->d_name;
        if (name.empty() || name[0] == '.' || name.size() < 6 ||
            name.compare(name.size() - 5, 5, ".json") != 0) {
            continue;
        }
        // <shardId>.stats.json holds a processor's counters (activeset/shard_stats.h), not users.
        if (name.size() > 11 && name.compare(name.size() - 11, 11, ".stats.json") == 0) continue;
        auto snap = readSnapshot(dir + "/" + name);
        if (!snap) {
            spdlog::warn("skipping {}", snap.status().toString());
            continue;
        }
        mergeActiveUsers(snap.value(), atMillis, merged);
    }
    ::closedir(d);
    return merged;
}

void mergeActiveUsers(const Snapshot& snapshot, int64_t atMillis,
                      std::map<std::string, int64_t>& merged) {
    for (const auto& [id, lastSeen] : snapshot.users) {
        if (isExpiredAt(lastSeen, atMillis, snapshot.ttlMillis)) continue;
        auto [it, inserted] = merged.try_emplace(id, lastSeen);
        if (!inserted && lastSeen > it->second) it->second = lastSeen;
    }
}

}  // namespace au::processor
