#pragma once
// Shared test material for the leases layer: KCL-shaped lease items, scripted DynamoDB answers,
// clients over the FakeHttpClient, and a log capture.

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "aws/dynamodb_client.h"
#include "aws/fake_http_client.h"
#include "aws/json_rpc.h"
#include "aws/kinesis_client.h"
#include "util/clock.h"

namespace au::leases::testing {

// A lease row as KCL 3.x writes it, with every attribute type of kcl-multilang.md §3.
inline nlohmann::json kclLease(const std::string& key, const std::string& checkpoint,
                               const std::string& counter = "7", const char* owner = "worker-1") {
    nlohmann::json item = {
        {"leaseKey", {{"S", key}}},
        {"leaseCounter", {{"N", counter}}},
        {"checkpoint", {{"S", checkpoint}}},
        {"checkpointSubSequenceNumber", {{"N", "0"}}},
        {"ownerSwitchesSinceCheckpoint", {{"N", "1"}}},
        {"pendingCheckpoint", {{"S", "49650000000000000000000000000000000000000000000000000042"}}},
        {"pendingCheckpointSubSequenceNumber", {{"N", "0"}}},
        {"pendingCheckpointState", {{"B", "AAEC/w=="}}},
        {"parentShardId", {{"SS", {"shardId-000000000000"}}}},
        {"startingHashKey", {{"S", "0"}}},
        {"endingHashKey", {{"S", "170141183460469231731687303715884105727"}}},
        {"throughputKBps", {{"N", "12.5"}}},
    };
    if (owner != nullptr) item["leaseOwner"] = {{"S", owner}};
    return item;
}

inline std::string getItemAnswer(const nlohmann::json& item) {
    return nlohmann::json{{"Item", item}}.dump();
}
inline std::string updateAnswer(const nlohmann::json& item) {
    return nlohmann::json{{"Attributes", item}}.dump();
}
inline std::string conditionFailedAnswer(const nlohmann::json& item) {
    return nlohmann::json{
        {"__type", "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException"},
        {"message", "The conditional request failed"},
        {"Item", item}}
        .dump();
}
inline std::string errorAnswer(const std::string& type, const std::string& message = "boom") {
    return nlohmann::json{{"__type", type}, {"message", message}}.dump();
}

// The X-Amz-Target operation of a request ("GetItem", ...).
inline std::string operationOf(const aws::HttpRequest& request) {
    auto target = aws::testing::FakeHttpClient::headerOf(request, "X-Amz-Target").value_or("");
    return target.substr(target.find('.') + 1);
}

// A credentials provider that counts invalidate() calls.
class CountingCredentials final : public aws::CredentialsProvider {
  public:
    Result<aws::Credentials> resolve() override {
        ++resolves;
        return aws::Credentials{"AKID" + std::to_string(invalidations), "SECRET", std::nullopt,
                                std::nullopt};
    }
    void invalidate() override { ++invalidations; }
    std::string name() const override { return "counting"; }
    int resolves = 0;
    int invalidations = 0;
};

struct DdbFixture {
    explicit DdbFixture(ManualClock& c) : clock(c) {}
    ManualClock& clock;
    aws::testing::FakeHttpClient http;
    CountingCredentials creds;
    aws::AwsJsonClient rpc{http,
                           creds,
                           clock,
                           aws::dynamoDbProtocol(),
                           "http://127.0.0.1:1",
                           "us-east-1",
                           aws::RetryPolicy{},
                           [] { return 0.5; }};
    aws::DynamoDbClient ddb{rpc};
};

struct KinesisFixture {
    explicit KinesisFixture(ManualClock& c) : clock(c) {}
    ManualClock& clock;
    aws::testing::FakeHttpClient http;
    aws::StaticCredentialsProvider creds{
        aws::Credentials{"AKID", "SECRET", std::nullopt, std::nullopt}};
    aws::AwsJsonClient rpc{http,
                           creds,
                           clock,
                           aws::kinesisProtocol(),
                           "http://127.0.0.1:1",
                           "us-east-1",
                           aws::RetryPolicy{},
                           [] { return 0.5; }};
    aws::KinesisClient kinesis{rpc};

    // Scripts GetShardIterator + GetRecords(Limit 1) answers for one peek.
    void scriptPeek(std::optional<int64_t> firstArrivalMillis, int64_t millisBehindLatest) {
        http.respond(200, R"({"ShardIterator":"IT"})");
        nlohmann::json records = nlohmann::json::array();
        if (firstArrivalMillis) {
            records.push_back({{"SequenceNumber", "100"},
                               {"PartitionKey", "pk"},
                               {"Data", "e30="},
                               {"ApproximateArrivalTimestamp",
                                static_cast<double>(*firstArrivalMillis) / 1000.0}});
        }
        http.respond(200, nlohmann::json{{"Records", records},
                                         {"MillisBehindLatest", millisBehindLatest},
                                         {"NextShardIterator", "IT2"}}
                              .dump());
    }
};

// Captures the default logger's lines while alive; restores the previous logger afterwards.
class LogCapture {
  public:
    LogCapture() : previous_(spdlog::default_logger()) {
        auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
        sink->set_pattern("%l: %v");
        auto logger = std::make_shared<spdlog::logger>("capture", sink);
        logger->set_level(spdlog::level::info);
        spdlog::set_default_logger(logger);
    }
    ~LogCapture() { spdlog::set_default_logger(previous_); }
    std::string text() const { return out_.str(); }
    size_t count(const std::string& needle) const {
        const std::string t = text();
        size_t n = 0;
        for (size_t pos = t.find(needle); pos != std::string::npos; pos = t.find(needle, pos + 1))
            ++n;
        return n;
    }

  private:
    std::ostringstream out_;
    std::shared_ptr<spdlog::logger> previous_;
};

}  // namespace au::leases::testing
