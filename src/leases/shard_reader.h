#pragma once
// ShardReader: the two reads of one shard that the cut search needs (cut_finder.h), behind an
// interface so the search is tested against an in-memory shard. KinesisShardReader is the real
// one: GetShardIterator + GetRecords through the KinesisClient, sharing the shard's read limits
// (5 GetRecords calls/s, 2 MB/s) with the KCL that reads the same shard. It backs off on
// ProvisionedThroughputExceededException with short jittered waits (100-200 ms, doubling, capped at
// 1 s, at most `maxThrottleWaits` waits per read: a refused call costs the shard nothing, and the
// KCL's polls leave gaps of a few hundred ms) through an injected wait function, so a stop request
// ends the wait and the tests never sleep. With a clock it keeps its own GetShardIterator calls
// within Kinesis's 5 per second per shard. Each call, its time and every throttle are logged at
// debug level.
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
    // What the reads cost, for logs and stats (0 when the reader does not count).
    virtual int calls() const { return 0; }
    virtual int throttled() const { return 0; }
    virtual int64_t waitedMillis() const { return 0; }
};

// Waits `millis`; false when the wait was cut short by a stop request (give up then).
using WaitFunction = std::function<bool(int64_t millis)>;

struct ShardReaderOptions {
    int64_t firstBackoffMillis = 100;  // the first wait after a throttle: [x, 2x) with jitter
    int64_t maxBackoffMillis = 1'000;  // waits double up to this (before jitter)
    int maxThrottleWaits = 20;         // per read; then the throughput error is returned
    // GetShardIterator calls per second per shard (Kinesis: 5); paced only with `now`.
    int iteratorsPerSecond = 5;
    std::function<int64_t()> now;    // epoch or monotonic ms; none: no pacing
    std::function<double()> random;  // [0, 1) for the jitter; none: a seeded generator
};

class KinesisShardReader final : public ShardReader {
  public:
    // REQUIRES: kinesis outlives this object.
    KinesisShardReader(aws::KinesisClient& kinesis, std::string stream, std::string shardId,
                       WaitFunction wait, ShardReaderOptions options = {});

    Result<ShardPage> read(const aws::IteratorStart& start, int limit) override;
    Result<ShardPage> readNext(const std::string& iterator, int limit) override;

    int calls() const override { return calls_; }          // Kinesis calls sent, throttled included
    int throttled() const override { return throttled_; }  // answered with a throughput error
    int64_t waitedMillis() const override { return waited_; }  // backoff and pacing waits

  private:
    // Runs `call` again after a backoff while Kinesis answers with a throughput error.
    template <class T, class Call>
    Result<T> withThrottleBackoff(const char* operation, Call call);
    double random();
    // Waits until one more GetShardIterator stays within iteratorsPerSecond; false when stopped.
    bool paceIterator();

    aws::KinesisClient& kinesis_;
    std::string stream_;
    std::string shardId_;
    WaitFunction wait_;
    ShardReaderOptions options_;
    std::vector<int64_t> iteratorTimes_;  // the last GetShardIterator calls, oldest first
    uint64_t seed_;
    int calls_ = 0;
    int throttled_ = 0;
    int64_t waited_ = 0;
};

}  // namespace au::leases
