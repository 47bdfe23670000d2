#include "leases/shard_reader.h"

#include <catch2/catch.hpp>

#include "aws/one_shot_kinesis.h"
#include "lease_fixtures.h"
#include "leases/sequence_number.h"

using namespace au::leases;
using namespace au::leases::testing;

namespace {

constexpr int64_t kNow = 1'700'000'000'000;

std::string throttled() {
    return errorAnswer("ProvisionedThroughputExceededException",
                       "Rate exceeded for shard shardId-000000000001 in stream s under account "
                       "000000000000.");
}

// A Kinesis client that does not retry by itself, so the reader's own backoff is what is seen.
struct OneShotKinesis {
    explicit OneShotKinesis(au::ManualClock& c) : clock(c) {}
    au::ManualClock& clock;
    au::aws::testing::FakeHttpClient http;
    au::aws::testing::OneShotKinesisClient client{http, clock};
    au::aws::KinesisClient& kinesis = client.kinesis;
};

}  // namespace

TEST_CASE("Sequence numbers compare as integers of any length", "[leases][seq]") {
    CHECK(isSequenceNumber("49590338271490256608559692538361571095921575989136588898"));
    CHECK_FALSE(isSequenceNumber(""));
    CHECK_FALSE(isSequenceNumber("LATEST"));
    CHECK_FALSE(isSequenceNumber("12a"));
    CHECK(compareSequenceNumbers("9", "10") < 0);
    CHECK(compareSequenceNumbers("10", "9") > 0);
    CHECK(compareSequenceNumbers("0010", "10") == 0);
    CHECK(compareSequenceNumbers("0", "000") == 0);
    CHECK(compareSequenceNumbers("49590338271490256608559692538361571095921575989136588898",
                                 "49590338271490256608559692538361571095921575989136588899") < 0);
}

TEST_CASE("The reader pages through GetShardIterator and GetRecords", "[leases][reader]") {
    au::ManualClock clock(kNow);
    KinesisFixture k(clock);
    k.http.respond(200, R"({"ShardIterator":"IT"})")
        .respond(200, R"({"Records":[{"SequenceNumber":"7","PartitionKey":"p","Data":"e30=",
                     "ApproximateArrivalTimestamp":1700000000.5}],
                     "MillisBehindLatest":1000,"NextShardIterator":"IT2"})")
        .respond(200, R"({"Records":[],"MillisBehindLatest":0})");
    KinesisShardReader reader(k.kinesis, "s", "shardId-000000000001", [](int64_t) { return true; });
    auto first = reader.read({au::aws::ShardIteratorType::AtTimestamp, "", kNow - 5'000}, 500);
    REQUIRE(first.isOk());
    REQUIRE(first->records.size() == 1);
    CHECK(first->records[0].sequenceNumber == "7");
    CHECK(first->records[0].arrivalMillis == 1'700'000'000'500);
    CHECK_FALSE(first->reachesTip());
    auto next = reader.readNext(*first->nextIterator, 20'000);  // clamped to 10,000
    REQUIRE(next.isOk());
    CHECK(next->reachesTip());  // no next iterator: a closed shard's end
    const auto requests = k.http.requests();
    CHECK(nlohmann::json::parse(requests[1].body)["Limit"] == 500);
    CHECK(nlohmann::json::parse(requests[2].body)["ShardIterator"] == "IT2");
    CHECK(nlohmann::json::parse(requests[2].body)["Limit"] == 10'000);
    CHECK(reader.calls() == 3);
}

TEST_CASE("Throughput errors are waited out with growing waits, within a bound",
          "[leases][reader]") {
    au::ManualClock clock(kNow);
    OneShotKinesis k(clock);
    k.http.respond(400, throttled())
        .respond(400, throttled())
        .respond(200, R"({"ShardIterator":"IT"})")
        .respond(400, throttled())
        .respond(200, R"({"Records":[],"MillisBehindLatest":0,"NextShardIterator":"IT2"})");
    std::vector<int64_t> waits;
    ShardReaderOptions noJitter;
    noJitter.random = [] { return 0.0; };
    KinesisShardReader reader(
        k.kinesis, "s", "shardId-000000000001",
        [&](int64_t ms) {
            waits.push_back(ms);
            return true;
        },
        noJitter);
    auto page = reader.read({}, 100);
    REQUIRE(page.isOk());
    // Short waits that double (the KCL's polls leave gaps of a few hundred ms), per call.
    CHECK(waits == std::vector<int64_t>{100, 200, 100});
    CHECK(reader.throttled() == 3);
    CHECK(reader.calls() == 5);
    CHECK(reader.waitedMillis() == 400);

    // Past the bound, the error is returned.
    for (int i = 0; i < 4; ++i) k.http.respond(400, throttled());
    ShardReaderOptions three;
    three.maxThrottleWaits = 3;
    KinesisShardReader bounded(
        k.kinesis, "s", "shardId-000000000001", [](int64_t) { return true; }, three);
    auto r = bounded.read({}, 100);
    REQUIRE_FALSE(r.isOk());
    CHECK(r.status().code() == "ProvisionedThroughputExceededException");
    CHECK(bounded.calls() == 4);

    // A stop during the wait ends the read at once.
    k.http.respond(400, throttled());
    KinesisShardReader stopped(k.kinesis, "s", "shardId-000000000001",
                               [](int64_t) { return false; });
    auto s = stopped.read({}, 100);
    REQUIRE_FALSE(s.isOk());
    CHECK(s.status().code() == "Stopped");
    CHECK(stopped.calls() == 1);
}

TEST_CASE("Throttle waits are jittered between x and 2x, capped", "[leases][reader]") {
    au::ManualClock clock(kNow);
    OneShotKinesis k(clock);
    for (int i = 0; i < 8; ++i) k.http.respond(400, throttled());
    k.http.respond(200, R"({"ShardIterator":"IT"})")
        .respond(200, R"({"Records":[],"MillisBehindLatest":0,"NextShardIterator":"IT2"})");
    std::vector<int64_t> waits;
    KinesisShardReader reader(k.kinesis, "s", "shardId-000000000001", [&](int64_t ms) {
        waits.push_back(ms);
        return true;
    });
    REQUIRE(reader.read({}, 100).isOk());
    REQUIRE(waits.size() == 8);
    int64_t base = 100;
    for (auto w : waits) {
        CHECK(w >= base);
        CHECK(w < 2 * base);
        base = std::min<int64_t>(base * 2, 1'000);
    }
}

TEST_CASE("GetShardIterator calls stay within 5 per second per shard", "[leases][reader]") {
    au::ManualClock clock(kNow);
    OneShotKinesis k(clock);
    for (int i = 0; i < 7; ++i) {
        k.http.respond(200, R"({"ShardIterator":"IT"})")
            .respond(200, R"({"Records":[],"MillisBehindLatest":0,"NextShardIterator":"IT2"})");
    }
    std::vector<int64_t> iteratorAt;
    k.http.onSend([&](const au::aws::HttpRequest& r) {
        if (operationOf(r) == "GetShardIterator") iteratorAt.push_back(clock.nowMillis());
        clock.advance(20);
    });
    ShardReaderOptions paced;
    paced.now = [&clock] { return clock.nowMillis(); };
    KinesisShardReader reader(
        k.kinesis, "s", "shardId-000000000001",
        [&](int64_t ms) {
            clock.advance(ms);
            return true;
        },
        paced);
    for (int i = 0; i < 7; ++i) REQUIRE(reader.read({}, 1).isOk());
    REQUIRE(iteratorAt.size() == 7);
    for (size_t i = 5; i < iteratorAt.size(); ++i)
        CHECK(iteratorAt[i] - iteratorAt[i - 5] >= 1'000);
    CHECK(reader.waitedMillis() > 0);
}
