#include "leases/shard_reader.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

namespace au::leases {

namespace {

bool isThroughputError(const Status& status) {
    return status.code() == "ProvisionedThroughputExceededException" ||
           status.code() == "LimitExceededException";
}

ShardPage toPage(aws::GetRecordsResult&& result) {
    ShardPage page;
    page.records.reserve(result.records.size());
    for (auto& r : result.records) {
        page.records.push_back({std::move(r.sequenceNumber), r.approximateArrivalMillis});
    }
    page.millisBehindLatest = result.millisBehindLatest;
    page.nextIterator = std::move(result.nextShardIterator);
    return page;
}

}  // namespace

KinesisShardReader::KinesisShardReader(aws::KinesisClient& kinesis, std::string stream,
                                       std::string shardId, WaitFunction wait,
                                       ShardReaderOptions options)
    : kinesis_(kinesis),
      stream_(std::move(stream)),
      shardId_(std::move(shardId)),
      wait_(std::move(wait)),
      options_(std::move(options)),
      seed_(std::hash<std::string>()(shardId_) | 1) {
    options_.maxThrottleWaits = std::max(0, options_.maxThrottleWaits);
    options_.firstBackoffMillis = std::max<int64_t>(1, options_.firstBackoffMillis);
}

double KinesisShardReader::random() {
    if (options_.random) return options_.random();
    seed_ ^= seed_ << 13;  // xorshift64: jitter only
    seed_ ^= seed_ >> 7;
    seed_ ^= seed_ << 17;
    return static_cast<double>(seed_ >> 11) / 9007199254740992.0;
}

bool KinesisShardReader::paceIterator() {
    if (!options_.now || options_.iteratorsPerSecond <= 0) return true;
    const auto per = static_cast<size_t>(options_.iteratorsPerSecond);
    int64_t now = options_.now();
    if (iteratorTimes_.size() >= per) {
        const int64_t wait = iteratorTimes_[iteratorTimes_.size() - per] + 1'000 - now;
        if (wait > 0) {
            spdlog::debug("kinesis {}: GetShardIterator paced {} ms (5/s per shard)", shardId_,
                          wait);
            waited_ += wait;
            if (!wait_(wait)) return false;
            now = options_.now();
        }
    }
    iteratorTimes_.push_back(now);
    if (iteratorTimes_.size() > per) iteratorTimes_.erase(iteratorTimes_.begin());
    return true;
}

template <class T, class Call>
Result<T> KinesisShardReader::withThrottleBackoff(const char* operation, Call call) {
    int64_t delay = options_.firstBackoffMillis;
    for (int waits = 0;; ++waits) {
        ++calls_;
        const auto t0 = std::chrono::steady_clock::now();
        Result<T> r = call();
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - t0)
                            .count();
        if (r || !isThroughputError(r.status())) {
            spdlog::debug("kinesis {} {}: {} in {} ms", operation, shardId_,
                          r ? "ok" : r.status().code(), ms);
            return r;
        }
        ++throttled_;
        if (waits >= options_.maxThrottleWaits) {
            spdlog::debug("kinesis {} {}: throttled ({} ms), giving up after {} waits", operation,
                          shardId_, ms, waits);
            return r;
        }
        const auto wait = delay + static_cast<int64_t>(random() * static_cast<double>(delay));
        spdlog::debug("kinesis {} {}: throttled ({} ms), retrying in {} ms", operation, shardId_,
                      ms, wait);
        waited_ += wait;
        if (!wait_(wait)) return Status::error("Stopped", "stopped while backing off");
        delay =
            std::min(delay * 2, std::max(options_.maxBackoffMillis, options_.firstBackoffMillis));
    }
}

Result<ShardPage> KinesisShardReader::read(const aws::IteratorStart& start, int limit) {
    if (!paceIterator()) return Status::error("Stopped", "stopped while pacing");
    auto iterator = withThrottleBackoff<std::string>(
        "GetShardIterator", [&] { return kinesis_.getShardIterator(stream_, shardId_, start); });
    if (!iterator) return iterator.status();
    return readNext(iterator.value(), limit);
}

Result<ShardPage> KinesisShardReader::readNext(const std::string& iterator, int limit) {
    auto records = withThrottleBackoff<aws::GetRecordsResult>(
        "GetRecords", [&] { return kinesis_.getRecords(iterator, std::clamp(limit, 1, 10'000)); });
    if (!records) return records.status();
    return toPage(std::move(records).value());
}

}  // namespace au::leases
