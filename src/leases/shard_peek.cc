#include "leases/shard_peek.h"

#include "leases/lease_row.h"
#include "leases/sequence_number.h"

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
    if (isSequenceNumber(checkpoint)) {
        start.type = aws::ShardIteratorType::AfterSequenceNumber;
        start.sequenceNumber = checkpoint;
        return start;
    }
    return std::nullopt;
}

Result<ShardPeek> peekShard(ShardReader& reader, const std::string& checkpoint,
                            std::optional<int64_t> atTimestampMillis) {
    auto start = iteratorStartFor(checkpoint, atTimestampMillis);
    if (!start) {
        return Status::error("NothingToReplay", "checkpoint " + checkpoint + " replays nothing");
    }
    auto page = reader.read(*start, 1);
    if (!page) return page.status();
    ShardPeek peek;
    peek.start = *start;
    peek.millisBehindLatest = page->millisBehindLatest;
    if (!page->records.empty() && page->records.front().arrivalMillis > 0) {
        const auto& r = page->records.front();
        peek.first = CutPoint{r.sequenceNumber, r.arrivalMillis};
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
