#include "leases/fix_leases.h"

#include <catch2/catch.hpp>

#include "fake_shard.h"
#include "lease_fixtures.h"
#include "leases/shard_peek.h"

using namespace au::leases;
using namespace au::leases::testing;
using au::Result;

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

TEST_CASE("fix-leases dry run peeks at each candidate, shows the cut and writes nothing",
          "[leases][fix-leases]") {
    au::ManualClock clock(kNow);
    DdbFixture ddb(clock);
    ddb.http.respond(200, nlohmann::json{{"Items", table()}}.dump());
    FakeShards shards(kNow);
    // shardId-1: three hours of data, one record a second: stale, cut 2 min before now.
    shards["shardId-000000000001"].addEvery(kNow - 3 * kHour, kNow, 1'000);
    // shardId-2: fresh.
    shards["shardId-000000000002"].addEvery(kNow - 4'000, kNow, 1'000);
    // shardId-3: AT_TIMESTAMP 6 h ago; all of its records are 5 h old: the cut is the newest.
    shards["shardId-000000000003"].addEvery(kNow - 5 * kHour, kNow - 5 * kHour + 10'000, 1'000);
    // shardId-5 (a busy parent, at kSeq): fresh after its checkpoint.
    shards["shardId-000000000005"].addEvery(kNow - 10'000, kNow, 1'000);
    LeaseEditor editor(ddb.ddb, "app");
    FixLeasesOptions o;
    o.stream = "heartbeats";
    o.maxReplayMillis = 120'000;
    o.atTimestampMillis = kNow - 6 * kHour;
    auto r = runFixLeases(editor, shards.factory(), o, clock);
    REQUIRE(r.isOk());
    CHECK(r->scanned == 9);
    CHECK(r->wouldRewrite == 2);
    CHECK(r->failures == 0);
    const auto& one = entry(r.value(), "shardId-000000000001");
    CHECK(one.action == "would-rewrite");
    CHECK(one.detail.find("leaseCounter 1 -> 2") != std::string::npos);
    // The exact cut: the last record before now - 2 min, and 2 h 58 min of data skipped.
    const auto& recs1 = shards["shardId-000000000001"].records();
    CHECK(one.target == recs1[recs1.size() - 121].sequenceNumber);
    CHECK(one.skippedMillis == 3 * kHour - 121'000);
    CHECK(entry(r.value(), "shardId-000000000002").action == "keep");
    const auto& three = entry(r.value(), "shardId-000000000003");
    CHECK(three.action == "would-rewrite");
    CHECK(three.target == shards["shardId-000000000003"].records().back().sequenceNumber);
    CHECK(three.detail.find("leaseCounter 4 -> 6") != std::string::npos);
    CHECK(entry(r.value(), "shardId-000000000004").action == "waiting-on-parent");
    CHECK(entry(r.value(), "shardId-000000000005").action == "keep");
    CHECK(entry(r.value(), "shardId-000000000006").action == "left-alone");
    CHECK(r->leases.size() == 6);
    REQUIRE(r->stuckParents.size() == 1);
    CHECK(r->stuckParents[0].leaseKey == "shardId-000000000005");
    CHECK(r->stuckParents[0].waitingChildren == std::vector<std::string>{"shardId-000000000004"});

    CHECK(ddb.http.callCount() == 1);  // the scan only
    // The peeks start where a consumer would: TRIM_HORIZON, AT_TIMESTAMP, AFTER_SEQUENCE_NUMBER.
    CHECK(shards["shardId-000000000001"].starts().front().type ==
          au::aws::ShardIteratorType::TrimHorizon);
    const auto& at = shards["shardId-000000000003"].starts().front();
    CHECK(at.type == au::aws::ShardIteratorType::AtTimestamp);
    CHECK(at.timestampMillis == kNow - 6 * kHour);
    const auto& after = shards["shardId-000000000005"].starts().front();
    CHECK(after.type == au::aws::ShardIteratorType::AfterSequenceNumber);
    CHECK(after.sequenceNumber == kSeq);

    const std::string text = formatReportTable(r.value());
    CHECK(text.find("would-rewrite") != std::string::npos);
    CHECK_THAT(text, Catch::Contains("skips 2h57m of stale data"));
    CHECK(text.find("parent shardId-000000000005 is at") != std::string::npos);
    CHECK(text.find("dry run: 9 rows scanned, 2 would be rewritten (use --apply)") !=
          std::string::npos);
    const auto json = reportToJson(r.value());
    CHECK(json["wouldRewrite"] == 2);
    CHECK(json["leases"].size() == 6);
    CHECK(json["stuckParents"][0]["owner"] == "worker-2");
    const auto& cut = json["leases"][0]["cut"];
    CHECK(json["leases"][0]["leaseKey"] == "shardId-000000000001");
    CHECK(cut["sequenceNumber"] == one.target);
    CHECK(cut["arrivalMillis"] == kNow - 121'000);
    CHECK(cut["skippedSeconds"] == Approx(3 * 3600 - 121));
    CHECK(cut["firstFresh"]["arrivalMillis"] == kNow - 120'000);
    CHECK(json["leases"][1]["cut"].is_null());  // a kept lease has none
}

TEST_CASE("fix-leases --apply writes the cut with its mark and re-decides after a lost race",
          "[leases][fix-leases]") {
    au::ManualClock clock(kNow);
    DdbFixture ddb(clock);
    auto rows = table();
    ddb.http.respond(200, nlohmann::json{{"Items", rows}}.dump());
    FakeShards shards(kNow);
    shards["shardId-000000000001"].addEvery(kNow - 3 * kHour, kNow, 60'000);
    const std::string cut1 = shards["shardId-000000000001"].records()[177].sequenceNumber;
    // shardId-1 (unowned, from the scan): written at once.
    ddb.http.respond(200, updateAnswer(kclLease("shardId-000000000001", cut1, "2", nullptr)));
    // shardId-3: the owner checkpointed meanwhile (before the cut); the re-read shows it, the
    // rewrite is declined.
    auto moved = kclLease("shardId-000000000003", "1", "5", "worker-1");
    ddb.http.respond(400, conditionFailedAnswer(moved)).respond(200, getItemAnswer(moved));
    shards["shardId-000000000002"].addEvery(kNow - 4'000, kNow, 1'000);
    shards["shardId-000000000003"].add(kNow - 5 * kHour);
    shards["shardId-000000000005"].failWith("ResourceNotFoundException");
    LeaseEditor editor(ddb.ddb, "app");
    FixLeasesOptions o;
    o.stream = "heartbeats";
    o.apply = true;
    auto r = runFixLeases(editor, shards.factory(), o, clock);
    REQUIRE(r.isOk());
    CHECK(entry(r.value(), "shardId-000000000001").action == "rewritten");
    CHECK(entry(r.value(), "shardId-000000000003").action == "unchanged");
    CHECK_THAT(entry(r.value(), "shardId-000000000003").detail,
               Catch::Contains("checkpoint changed"));
    CHECK(entry(r.value(), "shardId-000000000005").action == "failed");
    CHECK(r->rewritten == 1);
    CHECK(r->failures == 1);
    const auto d = ddb.http.requests();
    REQUIRE(d.size() == 4);
    auto first = nlohmann::json::parse(d[1].body);
    CHECK(first["ConditionExpression"].get<std::string>().find("attribute_not_exists(#owner)") !=
          std::string::npos);
    CHECK(first["ExpressionAttributeValues"][":next"]["N"] == "2");
    CHECK(first["ExpressionAttributeValues"][":target"]["S"] == cut1);
    CHECK(first["ExpressionAttributeValues"][":cutAt"]["N"] == std::to_string(kNow));
    CHECK(first["ExpressionAttributeNames"]["#cutCp"] == "activeUsersCutCheckpoint");
}

TEST_CASE("fix-leases rewrites to LATEST only a stale shard without any record",
          "[leases][fix-leases]") {
    au::ManualClock clock(kNow);
    DdbFixture ddb(clock);
    auto lease = kclLease("shardId-000000000001", "TRIM_HORIZON", "1", nullptr);
    lease.erase("parentShardId");
    ddb.http.respond(200, nlohmann::json{{"Items", {lease}}}.dump());
    // An empty page that says it is far behind (a sparse shard, as real Kinesis can answer),
    // and no record anywhere: the only target left is LATEST.
    struct FarBehindEmpty final : ShardReader {
        Result<ShardPage> read(const au::aws::IteratorStart&, int) override {
            ShardPage p;
            p.millisBehindLatest = 5 * kHour;
            p.nextIterator = "end";
            return p;
        }
        Result<ShardPage> readNext(const std::string&, int) override {
            ShardPage p;  // the tip
            p.nextIterator = "end";
            return p;
        }
    };
    const ShardReaderFactory factory = [](const std::string&) {
        return std::unique_ptr<ShardReader>(std::make_unique<FarBehindEmpty>());
    };
    LeaseEditor editor(ddb.ddb, "app");
    FixLeasesOptions o;
    o.stream = "heartbeats";
    auto r = runFixLeases(editor, factory, o, clock);
    REQUIRE(r.isOk());
    REQUIRE(r->leases.size() == 1);
    CHECK(r->leases[0].action == "would-rewrite");
    CHECK(r->leases[0].target == "LATEST");
    CHECK(r->leases[0].detail.find("LATEST (the shard has no record)") != std::string::npos);
}

TEST_CASE("fix-leases --shard limits the work to one lease", "[leases][fix-leases]") {
    au::ManualClock clock(kNow);
    DdbFixture ddb(clock);
    ddb.http.respond(200, nlohmann::json{{"Items", table()}}.dump());
    FakeShards shards(kNow);
    shards["shardId-000000000002"].addEvery(kNow - 1'000, kNow, 100);
    LeaseEditor editor(ddb.ddb, "app");
    FixLeasesOptions o;
    o.stream = "heartbeats";
    o.onlyLeaseKey = "shardId-000000000002";
    auto r = runFixLeases(editor, shards.factory(), o, clock);
    REQUIRE(r.isOk());
    REQUIRE(r->leases.size() == 1);
    CHECK(r->leases[0].action == "keep");
    CHECK(shards["shardId-000000000002"].reads() == 1);
    CHECK(shards.size() == 1);  // no other shard was read
}

TEST_CASE("A scan failure is the command's error", "[leases][fix-leases]") {
    au::ManualClock clock(kNow);
    DdbFixture ddb(clock);
    ddb.http.respond(400, errorAnswer("com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
                                      "Requested resource not found"));
    LeaseEditor editor(ddb.ddb, "app");
    FakeShards shards(kNow);
    auto r = runFixLeases(editor, shards.factory(), FixLeasesOptions{}, clock);
    REQUIRE_FALSE(r.isOk());
    CHECK(r.status().code() == "ResourceNotFoundException");
}

TEST_CASE("fix-leases --resume-latest positions LATEST leases at the cut", "[leases][fix-leases]") {
    au::ManualClock clock(kNow);
    DdbFixture ddb(clock);
    auto old = kclLease("shardId-000000000001", "LATEST", "3", "worker-1");
    auto young = kclLease("shardId-000000000002", "LATEST", "4", nullptr);
    auto empty = kclLease("shardId-000000000003", "LATEST", "5", nullptr);
    for (auto* row : {&old, &young, &empty}) row->erase("parentShardId");
    ddb.http.respond(200, nlohmann::json{{"Items", {old, young, empty}}}.dump());
    FakeShards shards(kNow);
    shards["shardId-000000000001"].addEvery(kNow - kHour, kNow, 1'000);
    shards["shardId-000000000002"].addEvery(kNow - 60'000, kNow, 1'000);
    shards["shardId-000000000003"];
    LeaseEditor editor(ddb.ddb, "app");
    FixLeasesOptions o;
    o.stream = "heartbeats";
    o.maxReplayMillis = 120'000;

    // Without the option LATEST leases are not considered at all.
    auto plain = runFixLeases(editor, shards.factory(), o, clock);
    REQUIRE(plain.isOk());
    CHECK(plain->leases.empty());

    ddb.http.respond(200, nlohmann::json{{"Items", {old, young, empty}}}.dump());
    o.resumeLatest = true;
    auto r = runFixLeases(editor, shards.factory(), o, clock);
    REQUIRE(r.isOk());
    REQUIRE(r->leases.size() == 3);
    const auto& recs = shards["shardId-000000000001"].records();
    CHECK(entry(r.value(), "shardId-000000000001").action == "would-rewrite");
    // The restart resumes with the last 2 minutes: the cut is the record 121 s old.
    CHECK(entry(r.value(), "shardId-000000000001").target ==
          recs[recs.size() - 121].sequenceNumber);
    CHECK_THAT(entry(r.value(), "shardId-000000000001").detail,
               Catch::Contains("resume the last 2m: LATEST -> ") &&
                   Catch::Contains("(the owner drops it)"));
    CHECK(entry(r.value(), "shardId-000000000002").target == "TRIM_HORIZON");
    CHECK(entry(r.value(), "shardId-000000000003").action == "keep");
    CHECK(r->wouldRewrite == 2);
    CHECK(ddb.http.callCount() == 2);  // the two scans: nothing written in a dry run
}

TEST_CASE("fix-leases --resume-latest positions AT_TIMESTAMP leases at the cut like LATEST",
          "[leases][fix-leases]") {
    // The leases of a first start through the launcher sit at the AT_TIMESTAMP sentinel: the KCL
    // reads them from the timestamp the daemon is configured with when it takes them. At the next
    // start they must resume at now - maxReplay, whatever timestamp the properties carry.
    au::ManualClock clock(kNow);
    DdbFixture ddb(clock);
    auto old = kclLease("shardId-000000000001", "AT_TIMESTAMP", "3", "worker-1");
    auto young = kclLease("shardId-000000000002", "AT_TIMESTAMP", "4", nullptr);
    auto empty = kclLease("shardId-000000000003", "AT_TIMESTAMP", "5", nullptr);
    for (auto* row : {&old, &young, &empty}) row->erase("parentShardId");
    const auto rows = nlohmann::json{{"Items", {old, young, empty}}}.dump();
    FakeShards shards(kNow);
    shards["shardId-000000000001"].addEvery(kNow - kHour, kNow, 1'000);
    shards["shardId-000000000002"].addEvery(kNow - 60'000, kNow, 1'000);
    shards["shardId-000000000003"];
    LeaseEditor editor(ddb.ddb, "app");
    FixLeasesOptions o;
    o.stream = "heartbeats";
    o.maxReplayMillis = 120'000;
    // The properties' timestamp: the previous start's now - maxReplay, 30 s before the cutoff.
    o.atTimestampMillis = kNow - 150'000;

    // Without the option the peek starts at that timestamp: 30 s of data older than maxReplay is
    // stale, so shardId-1 is cut anyway; shardId-2 is fresh there and kept at the sentinel.
    ddb.http.respond(200, rows);
    auto plain = runFixLeases(editor, shards.factory(), o, clock);
    REQUIRE(plain.isOk());
    CHECK(entry(plain.value(), "shardId-000000000002").action == "keep");
    const auto& peek = shards["shardId-000000000002"].starts().front();
    CHECK(peek.type == au::aws::ShardIteratorType::AtTimestamp);
    CHECK(peek.timestampMillis == kNow - 150'000);

    ddb.http.respond(200, rows);
    o.resumeLatest = true;
    auto r = runFixLeases(editor, shards.factory(), o, clock);
    REQUIRE(r.isOk());
    REQUIRE(r->leases.size() == 3);
    const auto& recs = shards["shardId-000000000001"].records();
    const auto& one = entry(r.value(), "shardId-000000000001");
    CHECK(one.action == "would-rewrite");
    CHECK(one.target == recs[recs.size() - 121].sequenceNumber);  // the record 121 s old
    CHECK_THAT(one.detail, Catch::Contains("resume the last 2m: AT_TIMESTAMP -> ") &&
                               Catch::Contains("leaseCounter 3 -> 5 (the owner drops it)"));
    // Every record younger than maxReplay: all of them are resumed, not only those after the
    // configured timestamp.
    CHECK(entry(r.value(), "shardId-000000000002").action == "would-rewrite");
    CHECK(entry(r.value(), "shardId-000000000002").target == "TRIM_HORIZON");
    // No record at all: the sentinel stays (the daemon's timestamp misses nothing).
    CHECK(entry(r.value(), "shardId-000000000003").action == "keep");
    CHECK(r->wouldRewrite == 2);
}

TEST_CASE("fix-leases plans 128 leases on a pool of shard readers, with exact cuts",
          "[leases][fix-leases]") {
    au::ManualClock clock(kNow);
    DdbFixture ddb(clock);
    // 64 parents at SHARD_END, each split into two children at TRIM_HORIZON.
    nlohmann::json items = nlohmann::json::array();
    FakeShards shards(kNow);
    char id[32];
    for (int p = 0; p < 64; ++p) {
        std::snprintf(id, sizeof id, "shardId-%012d", p);
        auto parent = kclLease(id, "SHARD_END", "9", nullptr);
        parent.erase("parentShardId");
        items.push_back(parent);
        for (int c = 0; c < 2; ++c) {
            std::snprintf(id, sizeof id, "shardId-%012d", 64 + 2 * p + c);
            auto child = kclLease(id, "TRIM_HORIZON", "1", nullptr);
            std::snprintf(id, sizeof id, "shardId-%012d", p);
            child["parentShardId"] = {{"SS", {id}}};
            items.push_back(child);
            std::snprintf(id, sizeof id, "shardId-%012d", 64 + 2 * p + c);
            // 2,000 stale records within 2 s, 10 min ago; then one record every 100 ms.
            auto& shard = shards[id];
            for (int i = 0; i < 2'000; ++i) shard.add(kNow - 600'000 + i);
            shard.addEvery(kNow - 598'000, kNow, 100);
        }
    }
    ddb.http.respond(200, nlohmann::json{{"Items", items}}.dump());
    std::atomic<int> inFlight{0}, most{0};
    // A thread-safe factory: the shards exist before the run; the readers count how many read at
    // once.
    struct Counting final : ShardReader {
        Counting(FakeShard& s, std::atomic<int>& f, std::atomic<int>& m)
            : shard(s), flight(f), top(m) {}
        Result<ShardPage> read(const au::aws::IteratorStart& start, int limit) override {
            Guard g(*this);
            return shard.read(start, limit);
        }
        Result<ShardPage> readNext(const std::string& it, int limit) override {
            Guard g(*this);
            return shard.readNext(it, limit);
        }
        struct Guard {
            explicit Guard(Counting& reader) : owner(reader) {
                const int now = ++owner.flight;
                int seen = owner.top.load();
                while (now > seen && !owner.top.compare_exchange_weak(seen, now)) {
                }
            }
            ~Guard() { --owner.flight; }
            Counting& owner;
        };
        FakeShard& shard;
        std::atomic<int>& flight;
        std::atomic<int>& top;
    };
    const ShardReaderFactory factory = [&](const std::string& key) -> std::unique_ptr<ShardReader> {
        return std::make_unique<Counting>(shards.find(key)->second, inFlight, most);
    };
    LeaseEditor editor(ddb.ddb, "app");
    FixLeasesOptions o;
    o.stream = "heartbeats";
    o.maxReplayMillis = 120'000;
    o.concurrency = 8;
    auto r = runFixLeases(editor, factory, o, clock);
    REQUIRE(r.isOk());
    CHECK(r->scanned == 192);
    CHECK(r->wouldRewrite == 128);
    CHECK(r->failures == 0);
    CHECK(most.load() <= 8);
    int reads = 0;
    for (const auto& e : r->leases) {
        const auto& recs = shards.find(e.leaseKey)->second.records();
        CHECK(e.target == recs[recs.size() - 1'201].sequenceNumber);  // arrived now - 120.1 s
        reads += shards.find(e.leaseKey)->second.reads();
    }
    CHECK(reads <= 128 * 6);  // peek + a few probes each, not 2,000 records a lease
    CHECK(ddb.http.callCount() == 1);
    CHECK(reportToJson(r.value())["concurrency"] == 8);
}
