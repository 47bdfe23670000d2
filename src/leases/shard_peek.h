#pragma once
// A look at the data a lease would replay: the first record read from the lease's checkpoint
// (docs/leases.md).
// Thread-compatible, like the reader.

#include <cstdint>
#include <optional>
#include <string>

#include "aws/kinesis_client.h"
#include "leases/cut_finder.h"
#include "leases/shard_reader.h"
#include "util/status.h"

namespace au::leases {

// Where a consumer starting from `checkpoint` reads: TRIM_HORIZON -> TRIM_HORIZON;
// AT_TIMESTAMP -> AT_TIMESTAMP at `atTimestampMillis` (the daemon's
// initialPositionInStreamExtended) or TRIM_HORIZON when that is unknown; digits ->
// AFTER_SEQUENCE_NUMBER; anything else (LATEST, SHARD_END) -> nullopt (nothing to replay).
std::optional<aws::IteratorStart> iteratorStartFor(const std::string& checkpoint,
                                                   std::optional<int64_t> atTimestampMillis);

struct ShardPeek {
    aws::IteratorStart start;
    int64_t millisBehindLatest = 0;
    std::optional<CutPoint> first;  // the first record, when one came back
};

// Fails with the reader's Status, or "NothingToReplay" for LATEST / SHARD_END.
Result<ShardPeek> peekShard(ShardReader& reader, const std::string& checkpoint,
                            std::optional<int64_t> atTimestampMillis);

// The stream name of "arn:aws:kinesis:<region>:<account>:stream/<name>", or `arnOrName` itself.
std::string streamNameFromArn(const std::string& arnOrName);

}  // namespace au::leases
