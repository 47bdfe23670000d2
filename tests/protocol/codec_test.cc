#include "protocol/codec.h"

#include <catch2/catch.hpp>

#include "support/records.h"

using namespace au;
using namespace au::protocol;

TEST_CASE("Every daemon action decodes into its message", "[protocol]") {
    MessageDecoder d;
    auto init = d.decode(
        R"({"action":"initialize","shardId":"shardId-000000000001","sequenceNumber":"TRIM_HORIZON","subSequenceNumber":0})");
    REQUIRE(init);
    const auto& i = std::get<Initialize>(init.value());
    CHECK(i.shardId == "shardId-000000000001");
    CHECK(i.sequenceNumber == "TRIM_HORIZON");
    CHECK(i.subSequenceNumber == 0);

    auto nullInit = d.decode(
        R"({"action":"initialize","shardId":"s","sequenceNumber":null,"subSequenceNumber":null})");
    REQUIRE(nullInit);
    CHECK_FALSE(std::get<Initialize>(nullInit.value()).sequenceNumber);

    CHECK(std::holds_alternative<LeaseLost>(d.decode(R"({"action":"leaseLost"})").value()));
    CHECK(std::holds_alternative<ShardEnded>(d.decode(R"({"action":"shardEnded"})").value()));
    CHECK(std::holds_alternative<ShutdownRequested>(
        d.decode(R"({"action":"shutdownRequested"})").value()));
    for (const char* reason : {"TERMINATE", "SHARD_END"}) {
        auto m = d.decode(std::string(R"({"action":"shutdown","reason":")") + reason + "\"}");
        CHECK(std::get<Shutdown>(m.value()).isShardEnd());
    }
    for (const char* reason : {"ZOMBIE", "LEASE_LOST"}) {
        auto m = d.decode(std::string(R"({"action":"shutdown","reason":")") + reason + "\"}");
        CHECK_FALSE(std::get<Shutdown>(m.value()).isShardEnd());
    }
    auto reply = d.decode(
        R"({"action":"checkpoint","sequenceNumber":null,"subSequenceNumber":null,"error":"ThrottlingException"})");
    CHECK(std::get<CheckpointReply>(reply.value()).error == "ThrottlingException");
    auto unknown = d.decode(R"({"shardId":"x","action":"somethingNew"})");
    CHECK(std::get<UnknownAction>(unknown.value()).action == "somethingNew");
    CHECK(actionName(unknown.value()) == "somethingNew");
}

TEST_CASE("processRecords keeps sequence numbers as text and reads every arrival-time form",
          "[protocol]") {
    MessageDecoder d;
    const std::string seq = "49590338271490256608559692538361571095921575989136588898";
    auto m = d.decode(
        R"({"action":"processRecords","millisBehindLatest":1234,"records":[)"
        R"({"action":"record","data":"aGk=","partitionKey":"pk","sequenceNumber":")" +
        seq +
        R"(","subSequenceNumber":3,"approximateArrivalTimestamp":1700000000123},)"
        R"({"data":null,"partitionKey":"pk","sequenceNumber":"2","approximateArrivalTimestamp":1700000000.5},)"
        R"({"data":"aGk=","sequenceNumber":"3","approximateArrivalTimestamp":{"epochSecond":1700000000,"nano":7000000}},)"
        R"({"data":"aGk=","sequenceNumber":"4","approximateArrivalTimestamp":null,"subsequenceNumber":9},)"
        R"({"data":42,"sequenceNumber":"5"}, "not a record", {"data":"aGk="}]})");
    REQUIRE(m);
    const auto& batch = std::get<ProcessRecords>(m.value());
    CHECK(batch.millisBehindLatest == 1234);
    REQUIRE(batch.records.size() == 7);
    CHECK(batch.records[0].sequenceNumber == seq);
    CHECK(batch.records[0].subSequenceNumber == 3);
    CHECK(batch.records[0].data == "aGk=");
    CHECK(batch.records[0].approximateArrivalMillis == 1700000000123);
    CHECK(batch.records[1].data.empty());
    CHECK(batch.records[1].wellFormed);
    CHECK(batch.records[1].approximateArrivalMillis == 1700000000500);
    CHECK(batch.records[2].approximateArrivalMillis == 1700000000007);
    CHECK_FALSE(batch.records[3].approximateArrivalMillis);
    CHECK(batch.records[3].subSequenceNumber == 9);
    CHECK_FALSE(batch.records[4].wellFormed);  // data of the wrong type
    CHECK_FALSE(batch.records[5].wellFormed);  // not an object
    CHECK_FALSE(batch.records[6].wellFormed);  // no sequence number
}

TEST_CASE("Lines that are not a JSON object with an action are errors, not crashes", "[protocol]") {
    MessageDecoder d;
    CHECK(d.decode("not json").status().code() == "NotAnObject");
    CHECK(d.decode("{\"action\":").status().code() == "NotJson");
    CHECK(d.decode("[1,2]").status().code() == "NotAnObject");
    CHECK(d.decode("{\"records\":[]}").status().code() == "NoAction");
    CHECK(d.decode("{\"action\":7}").status().code() == "NoAction");
    CHECK_FALSE(d.decode(std::string("{\"action\":\"\xff\xfe\"}")));
    CHECK_FALSE(d.decode(std::string(1 << 16, '{')));
    // The decoder is still usable afterwards.
    CHECK(d.decode(R"({"action":"leaseLost"})"));
}

TEST_CASE("Replies carry exactly the protocol's fields", "[protocol]") {
    CHECK(encodeStatus("processRecords") ==
          R"({"action":"status","responseFor":"processRecords"})");
    CHECK(encodeStatus("we\"ird") == R"({"action":"status","responseFor":"we\"ird"})");
    CHECK(encodeCheckpoint(std::nullopt, std::nullopt) ==
          R"({"action":"checkpoint","sequenceNumber":null,"subSequenceNumber":null})");
    CHECK(encodeCheckpoint(std::string("123"), 0) ==
          R"({"action":"checkpoint","sequenceNumber":"123","subSequenceNumber":0})");
}
