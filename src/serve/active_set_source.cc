#include "serve/active_set_source.h"

#include "processor/snapshot.h"

namespace au::serve {

Result<size_t> ActiveSetSource::activeCount(int64_t atMillis) {
    auto users = activeUsers(atMillis);
    if (!users) return users.status();
    return users->size();
}

Result<std::map<std::string, int64_t>> StateDirSource::activeUsers(int64_t atMillis) {
    return processor::mergeActiveUsers(dir_, atMillis);
}

Result<std::vector<activeset::ShardStats>> StateDirSource::shardStats() {
    return activeset::readStatsDir(dir_);
}

RedisSource::RedisSource(redis::ConnectOptions options, std::string key, int64_t ttlMillis,
                         int partitions)
    : describe_("redis " + options.endpoint.redacted() + " key " + key),
      partitioned_(options.endpoint.cluster),
      link_(redis::makeLink(options)),
      reader_({std::move(key), options.endpoint.cluster, ttlMillis, partitions}) {}

Status RedisSource::ensureConnected() {
    return link_->connected() ? Status::ok() : link_->connect();
}

Result<std::map<std::string, int64_t>> RedisSource::activeUsers(int64_t atMillis) {
    std::lock_guard<std::mutex> lock(mu_);
    if (Status st = ensureConnected(); !st) return st;
    auto users = reader_.users(*link_, atMillis);
    if (users) reads_ = reader_.lastReads();
    return users;
}

Result<size_t> RedisSource::activeCount(int64_t atMillis) {
    std::lock_guard<std::mutex> lock(mu_);
    if (Status st = ensureConnected(); !st) return st;
    auto counts = reader_.counts(*link_, atMillis);
    if (!counts) return counts.status();
    reads_ = reader_.lastReads();
    size_t total = 0;
    for (const uint64_t n : counts.value()) total += n;
    return total;
}

Result<std::vector<activeset::ShardStats>> RedisSource::shardStats() {
    std::lock_guard<std::mutex> lock(mu_);
    if (Status st = ensureConnected(); !st) return st;
    return reader_.shardStats(*link_);
}

std::vector<activeset::PartitionRead> RedisSource::partitionReads() const {
    if (!partitioned_) return {};
    std::lock_guard<std::mutex> lock(mu_);
    return reads_;
}

}  // namespace au::serve
