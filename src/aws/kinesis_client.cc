#include "aws/kinesis_client.h"

#include <cmath>

#include "util/base64.h"

namespace au::aws {
namespace {

const char* typeName(ShardIteratorType type) {
    switch (type) {
        case ShardIteratorType::TrimHorizon:
            return "TRIM_HORIZON";
        case ShardIteratorType::Latest:
            return "LATEST";
        case ShardIteratorType::AtSequenceNumber:
            return "AT_SEQUENCE_NUMBER";
        case ShardIteratorType::AfterSequenceNumber:
            return "AFTER_SEQUENCE_NUMBER";
        case ShardIteratorType::AtTimestamp:
            return "AT_TIMESTAMP";
    }
    return "TRIM_HORIZON";
}

std::optional<std::string> optionalString(const nlohmann::json& obj, const char* key) {
    auto it = obj.find(key);
    if (it == obj.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
}

std::string stringOr(const nlohmann::json& obj, const char* key) {
    return optionalString(obj, key).value_or("");
}

}  // namespace

std::optional<int64_t> epochSecondsToMillis(const nlohmann::json& value) {
    if (value.is_number_integer()) return value.get<int64_t>() * 1000;
    if (value.is_number_float())
        return static_cast<int64_t>(std::llround(value.get<double>() * 1000.0));
    return std::nullopt;
}

Result<std::string> KinesisClient::getShardIterator(const std::string& stream,
                                                    const std::string& shardId,
                                                    const IteratorStart& start) {
    nlohmann::json request = {
        {"StreamName", stream}, {"ShardId", shardId}, {"ShardIteratorType", typeName(start.type)}};
    if (start.type == ShardIteratorType::AtSequenceNumber ||
        start.type == ShardIteratorType::AfterSequenceNumber) {
        request["StartingSequenceNumber"] = start.sequenceNumber;
    }
    if (start.type == ShardIteratorType::AtTimestamp) {
        request["Timestamp"] = static_cast<double>(start.timestampMillis) / 1000.0;
    }
    auto r = rpc_.call("GetShardIterator", request);
    if (!r) return r.status();
    auto iterator = optionalString(r.value(), "ShardIterator");
    if (!iterator) return Status::error("BadResponse", "GetShardIterator: no ShardIterator");
    return *iterator;
}

Result<GetRecordsResult> KinesisClient::getRecords(const std::string& shardIterator,
                                                   std::optional<int> limit) {
    nlohmann::json request = {{"ShardIterator", shardIterator}};
    if (limit) request["Limit"] = *limit;
    auto r = rpc_.call("GetRecords", request);
    if (!r) return r.status();
    GetRecordsResult out;
    auto records = r->find("Records");
    if (records != r->end() && records->is_array()) {
        for (const auto& rec : *records) {
            if (!rec.is_object()) return Status::error("BadResponse", "GetRecords: bad record");
            KinesisRecord k;
            k.sequenceNumber = stringOr(rec, "SequenceNumber");
            k.partitionKey = stringOr(rec, "PartitionKey");
            // Kinesis always sends padded base64; the shared decoder also accepts unpadded text,
            // so the length is checked here to keep this client strict.
            const std::string text = stringOr(rec, "Data");
            if (text.size() % 4 != 0 || !base64Decode(text, k.data)) {
                return Status::error("BadResponse",
                                     "GetRecords: record " + k.sequenceNumber + " has bad base64");
            }
            auto arrival = rec.find("ApproximateArrivalTimestamp");
            if (arrival != rec.end())
                k.approximateArrivalMillis = epochSecondsToMillis(*arrival).value_or(0);
            k.encryptionType = optionalString(rec, "EncryptionType");
            out.records.push_back(std::move(k));
        }
    }
    auto behind = r->find("MillisBehindLatest");
    if (behind != r->end() && behind->is_number()) out.millisBehindLatest = behind->get<int64_t>();
    out.nextShardIterator = optionalString(r.value(), "NextShardIterator");
    auto children = r->find("ChildShards");
    if (children != r->end()) out.childShards = *children;
    return out;
}

Result<std::vector<Shard>> KinesisClient::listShards(const std::string& stream) {
    std::vector<Shard> shards;
    std::optional<std::string> nextToken;
    for (int page = 0; page < 10'000; ++page) {
        // NextToken must be sent alone, without StreamName.
        nlohmann::json request = nextToken ? nlohmann::json{{"NextToken", *nextToken}}
                                           : nlohmann::json{{"StreamName", stream}};
        auto r = rpc_.call("ListShards", request);
        if (!r) return r.status();
        auto list = r->find("Shards");
        if (list != r->end() && list->is_array()) {
            for (const auto& s : *list) {
                Shard shard;
                shard.shardId = stringOr(s, "ShardId");
                shard.parentShardId = optionalString(s, "ParentShardId");
                shard.adjacentParentShardId = optionalString(s, "AdjacentParentShardId");
                if (auto range = s.find("HashKeyRange"); range != s.end()) {
                    shard.startingHashKey = stringOr(*range, "StartingHashKey");
                    shard.endingHashKey = stringOr(*range, "EndingHashKey");
                }
                if (auto range = s.find("SequenceNumberRange"); range != s.end()) {
                    shard.startingSequenceNumber = stringOr(*range, "StartingSequenceNumber");
                    shard.endingSequenceNumber = optionalString(*range, "EndingSequenceNumber");
                }
                shards.push_back(std::move(shard));
            }
        }
        nextToken = optionalString(r.value(), "NextToken");
        if (!nextToken) return shards;
    }
    return Status::error("BadResponse", "ListShards: too many pages");
}

Result<PutRecordsResult> KinesisClient::putRecords(const std::string& stream,
                                                   const std::vector<PutRecordsEntry>& entries) {
    nlohmann::json records = nlohmann::json::array();
    for (const auto& e : entries) {
        nlohmann::json rec = {{"Data", base64Encode(e.data)}, {"PartitionKey", e.partitionKey}};
        if (e.explicitHashKey) rec["ExplicitHashKey"] = *e.explicitHashKey;
        records.push_back(std::move(rec));
    }
    auto r = rpc_.call("PutRecords", {{"StreamName", stream}, {"Records", records}});
    if (!r) return r.status();
    PutRecordsResult out;
    auto failed = r->find("FailedRecordCount");
    if (failed != r->end() && failed->is_number_integer())
        out.failedRecordCount = failed->get<int>();
    auto list = r->find("Records");
    if (list == r->end() || !list->is_array() || list->size() != entries.size()) {
        return Status::error("BadResponse", "PutRecords: Records does not match the request");
    }
    for (const auto& rec : *list) {
        out.records.push_back({optionalString(rec, "SequenceNumber"),
                               optionalString(rec, "ShardId"), optionalString(rec, "ErrorCode"),
                               optionalString(rec, "ErrorMessage")});
    }
    return out;
}

Result<nlohmann::json> KinesisClient::describeStreamSummary(const std::string& stream) {
    return rpc_.call("DescribeStreamSummary", {{"StreamName", stream}});
}

Status KinesisClient::createStream(const std::string& stream, int shardCount) {
    auto r = rpc_.call("CreateStream", {{"StreamName", stream}, {"ShardCount", shardCount}});
    return r ? Status::ok() : r.status();
}

}  // namespace au::aws
