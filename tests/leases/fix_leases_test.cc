#include "leases/fix_leases.h"

#include <catch2/catch.hpp>

#include "lease_fixtures.h"
#include "leases/shard_peek.h"

using namespace au::leases;
using namespace au::leases::testing;

namespace {

constexpr int64_t kNow = 1'700'000'000'000;
constexpr int64_t kHour = 3'600'000;
const std::string kSeq = "49650000000000000000000000000000000000000000000000000042";

nlohmann::json table() {
    auto parent = kclLease("shardId-000000000000", "SHARD_END", "30", nullptr);
    parent.erase("parentShardId");
    parent["childShardIds"] = {{"SS", {"shardId-000000000001", "shardId-000000000002"}}};
    auto staleUnowned = kclLease("shardId-000000000001", "TRIM_HORIZON", "1", nullptr);
    auto freshOwned = kclLease("shardId-000000000002", "TRIM_HORIZON", "5", "worker-1");
    auto orphan = kclLease("shardId-000000000003", "AT_TIMESTAMP", "4", "worker-1");
    orphan["parentShardId"] = {{"SS", {"shardId-000000000009"}}};  // parent gone
    auto waiting = kclLease("shardId-000000000004", "TRIM_HORIZON", "1", nullptr);
    waiting["parentShardId"] = {{"SS", {"shardId-000000000005"}}};
    auto busyParent = kclLease("shardId-000000000005", kSeq, "99", "worker-2");
    busyParent.erase("parentShardId");
    auto handOff = kclLease("shardId-000000000006", "TRIM_HORIZON", "3", "worker-1");
    handOff["checkpointOwner"] = {{"S", "worker-3"}};
    auto latest = kclLease("shardId-000000000007", "LATEST", "3", "worker-1");
    nlohmann::json metrics = {{"leaseKey", {{"S", "worker-1"}}},
                              {"entityType", {{"S", "WORKER_METRICS"}}},
                              {"checkpoint", {{"S", "TRIM_HORIZON"}}}};
    return nlohmann::json::array(
        {latest, metrics, parent, staleUnowned, freshOwned, orphan, waiting, busyParent, handOff});
}

const LeaseReportEntry& entry(const FixLeasesReport& r, const std::string& key) {
    for (const auto& e : r.leases) {
        if (e.leaseKey == key) return e;
    }
    FAIL("no entry for " << key);
    throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("Checkpoints map to the iterator a consumer would start from", "[leases][peek]") {
    CHECK(iteratorStartFor("TRIM_HORIZON", 5)->type == au::aws::ShardIteratorType::TrimHorizon);
    CHECK(iteratorStartFor("AT_TIMESTAMP", std::nullopt)->type ==
          au::aws::ShardIteratorType::TrimHorizon);
    auto at = iteratorStartFor("AT_TIMESTAMP", 1'600'000'000'000);
    CHECK(at->type == au::aws::ShardIteratorType::AtTimestamp);
    CHECK(at->timestampMillis == 1'600'000'000'000);
    auto after = iteratorStartFor(kSeq, std::nullopt);
    CHECK(after->type == au::aws::ShardIteratorType::AfterSequenceNumber);
    CHECK(after->sequenceNumber == kSeq);
    CHECK_FALSE(iteratorStartFor("LATEST", std::nullopt));
    CHECK_FALSE(iteratorStartFor("SHARD_END", std::nullopt));
    CHECK(streamNameFromArn("arn:aws:kinesis:us-east-1:123456789012:stream/heartbeats") ==
          "heartbeats");
    CHECK(streamNameFromArn("heartbeats") == "heartbeats");
}

TEST_CASE("fix-leases dry run peeks at each candidate and writes nothing", "[leases][fix-leases]") {
    au::ManualClock clock(kNow);
    DdbFixture ddb(clock);
    KinesisFixture kin(clock);
    ddb.http.respond(200, nlohmann::json{{"Items", table()}}.dump());
    kin.scriptPeek(kNow - 3 * kHour, 3 * kHour);  // shardId-1: stale
    kin.scriptPeek(kNow - 4'000, 1'000);          // shardId-2: fresh
    kin.scriptPeek(std::nullopt, 5 * kHour);      // shardId-3: stale, no record yet
    kin.scriptPeek(kNow - 10'000, 10'000);        // shardId-5: fresh
    LeaseEditor editor(ddb.ddb, "app");
    FixLeasesOptions o;
    o.stream = "heartbeats";
    o.maxReplayMillis = 120'000;
    o.atTimestampMillis = kNow - 6 * kHour;
    auto r = runFixLeases(editor, kin.kinesis, o, clock);
    REQUIRE(r.isOk());
    CHECK(r->scanned == 9);
    CHECK(r->wouldRewrite == 2);
    CHECK(r->failures == 0);
    CHECK(entry(r.value(), "shardId-000000000001").action == "would-rewrite");
    CHECK(entry(r.value(), "shardId-000000000001").detail.find("leaseCounter 1 -> 2") !=
          std::string::npos);
    CHECK(entry(r.value(), "shardId-000000000002").action == "keep");
    CHECK(entry(r.value(), "shardId-000000000003").action == "would-rewrite");
    CHECK(entry(r.value(), "shardId-000000000003").detail.find("leaseCounter 4 -> 6") !=
          std::string::npos);
    CHECK(entry(r.value(), "shardId-000000000004").action == "waiting-on-parent");
    CHECK(entry(r.value(), "shardId-000000000005").action == "keep");
    CHECK(entry(r.value(), "shardId-000000000006").action == "left-alone");
    CHECK(r->leases.size() == 6);
    REQUIRE(r->stuckParents.size() == 1);
    CHECK(r->stuckParents[0].leaseKey == "shardId-000000000005");
    CHECK(r->stuckParents[0].waitingChildren == std::vector<std::string>{"shardId-000000000004"});

    CHECK(ddb.http.callCount() == 1);  // the scan only
    const auto k = kin.http.requests();
    REQUIRE(k.size() == 8);
    auto iter = [&](size_t i) { return nlohmann::json::parse(k[i].body); };
    CHECK(iter(0)["ShardIteratorType"] == "TRIM_HORIZON");
    CHECK(iter(1)["Limit"] == 1);
    CHECK(iter(4)["ShardIteratorType"] == "AT_TIMESTAMP");
    CHECK(iter(4)["ShardId"] == "shardId-000000000003");
    CHECK(iter(6)["ShardIteratorType"] == "AFTER_SEQUENCE_NUMBER");
    CHECK(iter(6)["StartingSequenceNumber"] == kSeq);

    const std::string text = formatReportTable(r.value());
    CHECK(text.find("would-rewrite") != std::string::npos);
    CHECK(text.find("parent shardId-000000000005 is at") != std::string::npos);
    CHECK(text.find("dry run: 9 rows scanned, 2 would be rewritten (use --apply)") !=
          std::string::npos);
    const auto json = reportToJson(r.value());
    CHECK(json["wouldRewrite"] == 2);
    CHECK(json["leases"].size() == 6);
    CHECK(json["stuckParents"][0]["owner"] == "worker-2");
}

TEST_CASE("fix-leases --apply rewrites stale leases and re-decides after a lost race",
          "[leases][fix-leases]") {
    au::ManualClock clock(kNow);
    DdbFixture ddb(clock);
    KinesisFixture kin(clock);
    auto rows = table();
    ddb.http.respond(200, nlohmann::json{{"Items", rows}}.dump());
    // shardId-1 (unowned, from the scan): written at once.
    ddb.http.respond(200, updateAnswer(kclLease("shardId-000000000001", "LATEST", "2", nullptr)));
    // shardId-3: the owner checkpointed meanwhile; the re-read shows it, the rewrite is declined.
    auto moved = kclLease("shardId-000000000003", kSeq, "5", "worker-1");
    ddb.http.respond(400, conditionFailedAnswer(moved)).respond(200, getItemAnswer(moved));
    kin.scriptPeek(kNow - 3 * kHour, 3 * kHour);
    kin.scriptPeek(kNow - 4'000, 1'000);
    kin.scriptPeek(std::nullopt, 5 * kHour);
    kin.http.respond(400, R"({"__type":"ResourceNotFoundException","message":"no shard"})");
    LeaseEditor editor(ddb.ddb, "app");
    FixLeasesOptions o;
    o.stream = "heartbeats";
    o.apply = true;
    auto r = runFixLeases(editor, kin.kinesis, o, clock);
    REQUIRE(r.isOk());
    CHECK(entry(r.value(), "shardId-000000000001").action == "rewritten");
    CHECK(entry(r.value(), "shardId-000000000003").action == "unchanged");
    CHECK(entry(r.value(), "shardId-000000000003").detail.find("checkpoint changed") !=
          std::string::npos);
    CHECK(entry(r.value(), "shardId-000000000005").action == "failed");
    CHECK(r->rewritten == 1);
    CHECK(r->failures == 1);
    const auto d = ddb.http.requests();
    REQUIRE(d.size() == 4);
    auto first = nlohmann::json::parse(d[1].body);
    CHECK(first["ConditionExpression"].get<std::string>().find("attribute_not_exists(#owner)") !=
          std::string::npos);
    CHECK(first["ExpressionAttributeValues"][":next"]["N"] == "2");
}

TEST_CASE("fix-leases --shard limits the work to one lease", "[leases][fix-leases]") {
    au::ManualClock clock(kNow);
    DdbFixture ddb(clock);
    KinesisFixture kin(clock);
    ddb.http.respond(200, nlohmann::json{{"Items", table()}}.dump());
    kin.scriptPeek(kNow - 1'000, 1'000);
    LeaseEditor editor(ddb.ddb, "app");
    FixLeasesOptions o;
    o.stream = "heartbeats";
    o.onlyLeaseKey = "shardId-000000000002";
    auto r = runFixLeases(editor, kin.kinesis, o, clock);
    REQUIRE(r.isOk());
    REQUIRE(r->leases.size() == 1);
    CHECK(r->leases[0].action == "keep");
    CHECK(kin.http.callCount() == 2);
}

TEST_CASE("A scan failure is the command's error", "[leases][fix-leases]") {
    au::ManualClock clock(kNow);
    DdbFixture ddb(clock);
    KinesisFixture kin(clock);
    ddb.http.respond(400, errorAnswer("com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
                                      "Requested resource not found"));
    LeaseEditor editor(ddb.ddb, "app");
    auto r = runFixLeases(editor, kin.kinesis, FixLeasesOptions{}, clock);
    REQUIRE_FALSE(r.isOk());
    CHECK(r.status().code() == "ResourceNotFoundException");
}
