#include "leases/shard_peek.h"

#include <algorithm>

#include "leases/lease_row.h"

namespace au::leases {

std::optional<aws::IteratorStart> iteratorStartFor(const std::string& checkpoint,
                                                   std::optional<int64_t> atTimestampMillis) {
    aws::IteratorStart start;
    if (checkpoint == kTrimHorizon) {
        start.type = aws::ShardIteratorType::TrimHorizon;
        return start;
    }
    if (checkpoint == kAtTimestamp) {
        if (atTimestampMillis) {
            start.type = aws::ShardIteratorType::AtTimestamp;
            start.timestampMillis = *atTimestampMillis;
        } else {
            start.type = aws::ShardIteratorType::TrimHorizon;
        }
        return start;
    }
    if (!checkpoint.empty() && std::all_of(checkpoint.begin(), checkpoint.end(),
                                           [](char c) { return c >= '0' && c <= '9'; })) {
        start.type = aws::ShardIteratorType::AfterSequenceNumber;
        start.sequenceNumber = checkpoint;
        return start;
    }
    return std::nullopt;
}

Result<ShardPeek> peekShard(aws::KinesisClient& kinesis, const std::string& stream,
                            const std::string& shardId, const std::string& checkpoint,
                            std::optional<int64_t> atTimestampMillis) {
    auto start = iteratorStartFor(checkpoint, atTimestampMillis);
    if (!start) {
        return Status::error("NothingToReplay", "checkpoint " + checkpoint + " replays nothing");
    }
    auto iterator = kinesis.getShardIterator(stream, shardId, *start);
    if (!iterator) return iterator.status();
    auto records = kinesis.getRecords(iterator.value(), 1);
    if (!records) return records.status();
    ShardPeek peek;
    peek.start = *start;
    peek.millisBehindLatest = records->millisBehindLatest;
    if (!records->records.empty()) {
        peek.hasRecord = true;
        const int64_t arrival = records->records.front().approximateArrivalMillis;
        if (arrival > 0) peek.firstArrivalMillis = arrival;
    }
    return peek;
}

std::string streamNameFromArn(const std::string& arnOrName) {
    if (arnOrName.rfind("arn:", 0) != 0) return arnOrName;
    const auto slash = arnOrName.find(":stream/");
    if (slash == std::string::npos) return arnOrName;
    return arnOrName.substr(slash + 8);
}

}  // namespace au::leases
