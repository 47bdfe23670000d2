#include "activeset/shard_notes.h"

namespace au::activeset {

void ShardNotes::setWarmStart(WarmStartNote note) {
    std::lock_guard<std::mutex> lock(mu_);
    warmStart_ = std::move(note);
}

void ShardNotes::setRedis(RedisNote note) {
    std::lock_guard<std::mutex> lock(mu_);
    redis_ = note;
}

void ShardNotes::setFixerProbe(FixerProbe probe) {
    std::lock_guard<std::mutex> lock(mu_);
    probe_ = std::move(probe);
}

std::optional<WarmStartNote> ShardNotes::warmStart() const {
    std::lock_guard<std::mutex> lock(mu_);
    return warmStart_;
}

std::optional<RedisNote> ShardNotes::redis() const {
    std::lock_guard<std::mutex> lock(mu_);
    return redis_;
}

std::optional<FixerNote> ShardNotes::fixer(int64_t now) const {
    FixerProbe probe;
    {
        std::lock_guard<std::mutex> lock(mu_);
        probe = probe_;
    }
    if (!probe) return std::nullopt;
    return probe(now);
}

}  // namespace au::activeset
