#pragma once
// ShardReader: the two reads of one shard that the cut search needs (cut_finder.h), behind an
// interface so the search is tested against an in-memory shard. KinesisShardReader is the real
// one: GetShardIterator + GetRecords through the KinesisClient, sharing the shard's read limits
// (5 GetRecords calls/s, 2 MB/s) with the KCL that reads the same shard. It backs off on
// ProvisionedThroughputExceededException (1 s, 2 s, 4 s ... capped at 8 s, at most
// `maxThrottleWaits` waits per read) through an injected wait function, so a stop request ends
// the wait and the tests never sleep.
// Thread-compatible: one reader per thread, like the KinesisClient it uses.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "aws/kinesis_client.h"
#include "util/status.h"

namespace au::leases {

struct ShardRecordRef {
    std::string sequenceNumber;
    int64_t arrivalMillis = 0;
};

struct ShardPage {
    std::vector<ShardRecordRef> records;  // in sequence order
    int64_t millisBehindLatest = 0;
    std::optional<std::string> nextIterator;  // absent at the end of a closed shard
    // Nothing comes after this page for now: Kinesis says so with MillisBehindLatest 0, and a
    // closed shard by giving no next iterator.
    bool reachesTip() const { return !nextIterator || millisBehindLatest == 0; }
};

class ShardReader {
  public:
    virtual ~ShardReader() = default;
    // The first page read from `start`, at most `limit` records (1..10,000; one GetShardIterator
    // and one GetRecords).
    virtual Result<ShardPage> read(const aws::IteratorStart& start, int limit) = 0;
    // The page after `iterator`, at most `limit` records (one GetRecords).
    virtual Result<ShardPage> readNext(const std::string& iterator, int limit) = 0;
};

// Waits `millis`; false when the wait was cut short by a stop request (give up then).
using WaitFunction = std::function<bool(int64_t millis)>;

class KinesisShardReader final : public ShardReader {
  public:
    // REQUIRES: kinesis outlives this object.
    KinesisShardReader(aws::KinesisClient& kinesis, std::string stream, std::string shardId,
                       WaitFunction wait, int maxThrottleWaits = 6);

    Result<ShardPage> read(const aws::IteratorStart& start, int limit) override;
    Result<ShardPage> readNext(const std::string& iterator, int limit) override;

    int calls() const { return calls_; }          // Kinesis calls sent, throttled ones included
    int throttled() const { return throttled_; }  // calls answered with a throughput error

  private:
    // Runs `call` again after a backoff while Kinesis answers with a throughput error.
    template <class T, class Call>
    Result<T> withThrottleBackoff(Call call);

    aws::KinesisClient& kinesis_;
    std::string stream_;
    std::string shardId_;
    WaitFunction wait_;
    int maxThrottleWaits_;
    int calls_ = 0;
    int throttled_ = 0;
};

}  // namespace au::leases
