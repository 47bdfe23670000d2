#pragma once
// KinesisClient: the Kinesis Data Streams operations active-users and its tools use, over an
// AwsJsonClient. Record data is returned decoded (raw bytes); arrival times as epoch ms.
//
// Errors are the AwsJsonClient's (see json_rpc.h; e.g. "ExpiredIteratorException",
// "ResourceNotFoundException", "ProvisionedThroughputExceededException" after retries), plus
// "BadResponse" when an answer lacks an expected field or has undecodable data.
// Thread-compatible, like the AwsJsonClient it uses.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "aws/json_rpc.h"
#include "util/status.h"

namespace au::aws {

enum class ShardIteratorType {
    TrimHorizon,
    Latest,
    AtSequenceNumber,
    AfterSequenceNumber,
    AtTimestamp
};

struct IteratorStart {
    ShardIteratorType type = ShardIteratorType::TrimHorizon;
    std::string sequenceNumber;   // for At/AfterSequenceNumber
    int64_t timestampMillis = 0;  // for AtTimestamp (epoch ms)
};

struct KinesisRecord {
    std::string sequenceNumber;
    std::string partitionKey;
    std::string data;  // decoded bytes
    int64_t approximateArrivalMillis = 0;
    std::optional<std::string> encryptionType;
};

struct GetRecordsResult {
    std::vector<KinesisRecord> records;
    int64_t millisBehindLatest = 0;
    std::optional<std::string> nextShardIterator;  // absent once a closed shard is consumed
    nlohmann::json childShards = nullptr;          // as sent, when the shard has ended
};

struct Shard {
    std::string shardId;
    std::optional<std::string> parentShardId;
    std::optional<std::string> adjacentParentShardId;
    std::string startingHashKey;
    std::string endingHashKey;
    std::string startingSequenceNumber;
    std::optional<std::string> endingSequenceNumber;  // set only for closed shards
};

struct PutRecordsEntry {
    std::string data;  // raw bytes (base64-encoded on the wire)
    std::string partitionKey;
    std::optional<std::string> explicitHashKey;
};

struct PutRecordsResultEntry {
    std::optional<std::string> sequenceNumber;
    std::optional<std::string> shardId;
    std::optional<std::string> errorCode;
    std::optional<std::string> errorMessage;
};

struct PutRecordsResult {
    int failedRecordCount = 0;
    std::vector<PutRecordsResultEntry> records;  // in request order
};

// Kinesis JSON sends timestamps as epoch SECONDS with a fraction (e.g. 1.693000000123E9);
// this rounds to the nearest millisecond. A non-number yields nullopt.
std::optional<int64_t> epochSecondsToMillis(const nlohmann::json& value);

class KinesisClient {
  public:
    // REQUIRES: rpc uses kinesisProtocol() and outlives this object.
    explicit KinesisClient(AwsJsonClient& rpc) : rpc_(rpc) {}

    Result<std::string> getShardIterator(const std::string& stream, const std::string& shardId,
                                         const IteratorStart& start);
    Result<GetRecordsResult> getRecords(const std::string& shardIterator,
                                        std::optional<int> limit = std::nullopt);
    // Every shard of the stream, following NextToken.
    Result<std::vector<Shard>> listShards(const std::string& stream);
    Result<PutRecordsResult> putRecords(const std::string& stream,
                                        const std::vector<PutRecordsEntry>& entries);
    Result<nlohmann::json> describeStreamSummary(const std::string& stream);
    Status createStream(const std::string& stream, int shardCount);

  private:
    AwsJsonClient& rpc_;
};

}  // namespace au::aws
