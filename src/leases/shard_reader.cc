#include "leases/shard_reader.h"

#include <algorithm>

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
                                       std::string shardId, WaitFunction wait, int maxThrottleWaits)
    : kinesis_(kinesis),
      stream_(std::move(stream)),
      shardId_(std::move(shardId)),
      wait_(std::move(wait)),
      maxThrottleWaits_(std::max(0, maxThrottleWaits)) {}

template <class T, class Call>
Result<T> KinesisShardReader::withThrottleBackoff(Call call) {
    int64_t delay = 1'000;
    for (int waits = 0;; ++waits) {
        ++calls_;
        Result<T> r = call();
        if (r || !isThroughputError(r.status())) return r;
        ++throttled_;
        if (waits >= maxThrottleWaits_) return r;
        if (!wait_(delay)) return Status::error("Stopped", "stopped while backing off");
        delay = std::min<int64_t>(delay * 2, 8'000);
    }
}

Result<ShardPage> KinesisShardReader::read(const aws::IteratorStart& start, int limit) {
    auto iterator = withThrottleBackoff<std::string>(
        [&] { return kinesis_.getShardIterator(stream_, shardId_, start); });
    if (!iterator) return iterator.status();
    return readNext(iterator.value(), limit);
}

Result<ShardPage> KinesisShardReader::readNext(const std::string& iterator, int limit) {
    auto records = withThrottleBackoff<aws::GetRecordsResult>(
        [&] { return kinesis_.getRecords(iterator, std::clamp(limit, 1, 10'000)); });
    if (!records) return records.status();
    return toPage(std::move(records).value());
}

}  // namespace au::leases
