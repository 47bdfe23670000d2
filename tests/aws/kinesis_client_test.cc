#include "aws/kinesis_client.h"

#include <catch2/catch.hpp>

#include "fake_http_client.h"
#include "util/clock.h"

using namespace au::aws;
using au::aws::testing::FakeHttpClient;

namespace {
struct Fixture {
    au::ManualClock clock{1'700'000'000'000};
    FakeHttpClient http;
    StaticCredentialsProvider creds{Credentials{"AKID", "SECRET", std::nullopt, std::nullopt}};
    AwsJsonClient rpc{http,
                      creds,
                      clock,
                      kinesisProtocol(),
                      "http://localhost:4568",
                      "us-east-1",
                      RetryPolicy{},
                      [] { return 0.0; }};
    KinesisClient kinesis{rpc};
    nlohmann::json sent(size_t i) { return nlohmann::json::parse(http.requests().at(i).body); }
};
}  // namespace

TEST_CASE("Kinesis epoch-seconds timestamps become epoch milliseconds", "[aws][kinesis]") {
    CHECK(epochSecondsToMillis(nlohmann::json::parse("1693000000.123")) == 1693000000123);
    CHECK(epochSecondsToMillis(nlohmann::json::parse("1.693000000123E9")) == 1693000000123);
    CHECK(epochSecondsToMillis(nlohmann::json::parse("1693000000.9995")) == 1693000001000);
    CHECK(epochSecondsToMillis(nlohmann::json::parse("1693000000")) == 1693000000000);
    CHECK(epochSecondsToMillis(nlohmann::json::parse("1693000000.001")) == 1693000000001);
    CHECK_FALSE(epochSecondsToMillis(nlohmann::json("x")));
}

TEST_CASE("GetShardIterator sends the iterator type and its start", "[aws][kinesis]") {
    Fixture f;
    for (int i = 0; i < 4; ++i) f.http.respond(200, R"({"ShardIterator":"IT"})");
    CHECK(f.kinesis.getShardIterator("s", "shardId-0", {}).value() == "IT");
    CHECK(f.sent(0)["ShardIteratorType"] == "TRIM_HORIZON");
    CHECK_FALSE(f.sent(0).contains("StartingSequenceNumber"));
    IteratorStart after{ShardIteratorType::AfterSequenceNumber,
                        "49590338271490256608559692538361571095921575989136588898", 0};
    REQUIRE(f.kinesis.getShardIterator("s", "shardId-0", after).isOk());
    CHECK(f.sent(1)["ShardIteratorType"] == "AFTER_SEQUENCE_NUMBER");
    CHECK(f.sent(1)["StartingSequenceNumber"] ==
          "49590338271490256608559692538361571095921575989136588898");
    IteratorStart at{ShardIteratorType::AtTimestamp, "", 1693000000123};
    REQUIRE(f.kinesis.getShardIterator("s", "shardId-0", at).isOk());
    CHECK(f.http.requests().at(2).body.find(R"("Timestamp":1693000000.123)") != std::string::npos);
    REQUIRE(
        f.kinesis.getShardIterator("s", "shardId-0", {ShardIteratorType::Latest, "", 0}).isOk());
    CHECK(f.sent(3)["ShardIteratorType"] == "LATEST");
}

TEST_CASE("GetRecords decodes data, arrival times and the next iterator", "[aws][kinesis]") {
    Fixture f;
    f.http.respond(200, R"({"Records":[
        {"SequenceNumber":"1","PartitionKey":"user-1","Data":"eyJ1IjoxfQ==",
         "ApproximateArrivalTimestamp":1.693000000123E9},
        {"SequenceNumber":"2","PartitionKey":"user-2","Data":"AP8=",
         "ApproximateArrivalTimestamp":1693000001.5,"EncryptionType":"KMS"}],
        "MillisBehindLatest":4200,"NextShardIterator":"NEXT"})");
    auto r = f.kinesis.getRecords("IT", 500);
    REQUIRE(r.isOk());
    REQUIRE(r->records.size() == 2);
    CHECK(r->records[0].data == R"({"u":1})");
    CHECK(r->records[0].approximateArrivalMillis == 1693000000123);
    CHECK(r->records[1].data == std::string("\x00\xff", 2));
    CHECK(r->records[1].approximateArrivalMillis == 1693000001500);
    CHECK(r->records[1].encryptionType == "KMS");
    CHECK(r->millisBehindLatest == 4200);
    CHECK(r->nextShardIterator == "NEXT");
    CHECK(f.sent(0)["Limit"] == 500);
}

TEST_CASE("GetRecords at the end of a closed shard has no next iterator", "[aws][kinesis]") {
    Fixture f;
    f.http.respond(
        200, R"({"Records":[],"MillisBehindLatest":0,"ChildShards":[{"ShardId":"shardId-2"}]})");
    auto r = f.kinesis.getRecords("IT");
    REQUIRE(r.isOk());
    CHECK_FALSE(r->nextShardIterator);
    CHECK(r->childShards[0]["ShardId"] == "shardId-2");
}

TEST_CASE("GetRecords reports bad base64 and expired iterators", "[aws][kinesis]") {
    Fixture f;
    f.http.respond(200, R"({"Records":[{"SequenceNumber":"1","Data":"!!"}]})")
        .respond(400, R"({"__type":"ExpiredIteratorException","message":"Iterator expired"})");
    CHECK(f.kinesis.getRecords("IT").status().code() == "BadResponse");
    CHECK(f.kinesis.getRecords("IT").status().code() == "ExpiredIteratorException");
}

TEST_CASE("ListShards pages with NextToken alone and keeps ids as given", "[aws][kinesis]") {
    Fixture f;
    f.http
        .respond(200, R"({"Shards":[{"ShardId":"shardId-000000000000",
            "HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"170141183460469231731687303715884105727"},
            "SequenceNumberRange":{"StartingSequenceNumber":"1","EndingSequenceNumber":"9"}}],
            "NextToken":"TOKEN"})")
        .respond(
            200,
            R"({"Shards":[{"ShardId":"shardId-000000000007","ParentShardId":"shardId-000000000000",
            "HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"1"},
            "SequenceNumberRange":{"StartingSequenceNumber":"10"}}]})");
    auto r = f.kinesis.listShards("s");
    REQUIRE(r.isOk());
    REQUIRE(r->size() == 2);
    CHECK(r.value()[0].endingHashKey == "170141183460469231731687303715884105727");
    CHECK(r.value()[0].endingSequenceNumber == "9");
    CHECK(r.value()[1].shardId == "shardId-000000000007");
    CHECK(r.value()[1].parentShardId == "shardId-000000000000");
    CHECK_FALSE(r.value()[1].endingSequenceNumber);
    CHECK(f.sent(0) == nlohmann::json{{"StreamName", "s"}});
    CHECK(f.sent(1) == nlohmann::json{{"NextToken", "TOKEN"}});
}

TEST_CASE("PutRecords encodes data and reports per-record results", "[aws][kinesis]") {
    Fixture f;
    f.http.respond(200, R"({"FailedRecordCount":1,"Records":[
        {"SequenceNumber":"5","ShardId":"shardId-0"},
        {"ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":"slow"}]})");
    auto r = f.kinesis.putRecords("s", {{std::string("\x00\x01", 2), "p1", std::nullopt},
                                        {"hello", "p2", std::string("42")}});
    REQUIRE(r.isOk());
    CHECK(r->failedRecordCount == 1);
    CHECK(r->records[0].sequenceNumber == "5");
    CHECK(r->records[1].errorCode == "ProvisionedThroughputExceededException");
    auto sent = f.sent(0);
    CHECK(sent["Records"][0]["Data"] == "AAE=");
    CHECK(sent["Records"][1]["Data"] == "aGVsbG8=");
    CHECK(sent["Records"][1]["ExplicitHashKey"] == "42");
}
