// Integration tests of the lease fixers against two independent DynamoDB implementations
// (label "integration"): dynalite (npm) and moto's server mode (PyPI). Each template test runs
// once per server ("... - Dynalite", "... - Moto"), starts its own in-memory server on a free
// loopback port and stops that process. docs/robustness.md "DynamoDB implementations".
#include "dynalite.h"

#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "aws/loopback_http_server.h"
#include "fake_shard.h"
#include "lease_fixtures.h"
#include "leases/aws_services.h"
#include "leases/fix_leases.h"
#include "leases/lease_editor.h"
#include "leases/stale_lease_fixer.h"
#include "moto.h"
#include "support/skip.h"
#include "support/temp_dir.h"
#include "util/env.h"

using namespace au::leases;
using namespace au::leases::testing;

namespace {

constexpr int64_t kHour = 3'600'000;
const std::string kTable = "leases-it";
const std::string kSeq = "49650000000000000000000000000000000000000000000000000042";

#define REQUIRE_SERVER(d)                 \
    if (!TestType::available()) {         \
        AU_SKIP(TestType::missingHint()); \
    }                                     \
    REQUIRE((d).ok())

// What §5 says the row must look like after the rewrite: only these attributes change.
nlohmann::json expectedAfter(nlohmann::json item, int64_t counterIncrement, bool removeOwner) {
    const int64_t c = std::stoll(item["leaseCounter"]["N"].get<std::string>());
    item["checkpoint"] = {{"S", "LATEST"}};
    item["checkpointSubSequenceNumber"] = {{"N", "0"}};
    item["leaseCounter"] = {{"N", std::to_string(c + counterIncrement)}};
    item.erase("pendingCheckpoint");
    item.erase("pendingCheckpointSubSequenceNumber");
    item.erase("pendingCheckpointState");
    if (removeOwner) item.erase("leaseOwner");
    return item;
}

// A KCL child lease with every attribute type of kcl-multilang.md §3.
nlohmann::json fullLease(const std::string& key, const std::string& checkpoint,
                         const char* owner = "worker-1") {
    auto item = kclLease(key, checkpoint, "41", owner);
    item["parentShardId"] = {{"SS", {"shardId-000000000000"}}};
    return item;
}

struct Table {
    template <class Server>
    explicit Table(const Server& d) : db(d.url()) {
        const auto st = createKclLeaseTable(db.ddb, kTable);
        INFO(st.toString());
        REQUIRE(st.isOk());
    }
    void put(const nlohmann::json& item) { REQUIRE(db.ddb.putItem(kTable, item).isOk()); }
    nlohmann::json get(const std::string& key) {
        auto r = db.ddb.getItem(kTable, leaseKeyItem(key));
        REQUIRE(r.isOk());
        return r.value() ? *r.value() : nlohmann::json();
    }
    std::vector<nlohmann::json> all() {
        auto r = db.ddb.scan(kTable);
        REQUIRE(r.isOk());
        auto items = r.value();
        std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
            return a["leaseKey"].dump() < b["leaseKey"].dump();
        });
        return items;
    }
    LoopbackDynamoDb db;
};

// The lease table of a reshard: a finished parent, stale and fresh children, and rows §5 protects.
void putReshardTable(Table& t) {
    auto parent = kclLease("shardId-000000000000", "SHARD_END", "30", nullptr);
    parent.erase("parentShardId");
    parent.erase("pendingCheckpoint");
    parent.erase("pendingCheckpointSubSequenceNumber");
    parent.erase("pendingCheckpointState");
    parent["childShardIds"] = {{"SS", {"shardId-000000000001", "shardId-000000000002"}}};
    t.put(parent);
    t.put(fullLease("shardId-000000000001", "TRIM_HORIZON", nullptr));     // stale, unowned
    t.put(fullLease("shardId-000000000002", "TRIM_HORIZON", "worker-1"));  // fresh, owned
    auto stuckChild = fullLease("shardId-000000000004", "TRIM_HORIZON", nullptr);
    stuckChild["parentShardId"] = {{"SS", {"shardId-000000000005"}}};
    t.put(stuckChild);
    auto busyParent = kclLease("shardId-000000000005", kSeq, "99", "worker-2");
    busyParent.erase("parentShardId");
    t.put(busyParent);
    auto handOff = fullLease("shardId-000000000006", "TRIM_HORIZON", "worker-1");
    handOff["checkpointOwner"] = {{"S", "worker-3"}};
    t.put(handOff);
    t.put(nlohmann::json{{"leaseKey", {{"S", "worker-metrics-1"}}},
                         {"entityType", {{"S", "WORKER_METRICS"}}},
                         {"checkpoint", {{"S", "TRIM_HORIZON"}}},
                         {"leaseCounter", {{"N", "1"}}}});
}

// A loopback Kinesis over in-memory shards: those named in `stale` hold ten records that
// arrived 3 h ago and five from the last seconds, the others only the recent five. It serves
// TRIM_HORIZON, AT_TIMESTAMP and AFTER_SEQUENCE_NUMBER iterators, pages of `Limit` records, and
// MillisBehindLatest as Kinesis does (0 at the tip).
std::unique_ptr<au::aws::testing::LoopbackHttpServer> fakeKinesis(std::set<std::string> stale) {
    const int64_t now = au::SystemClock().nowMillis();
    auto shards = std::make_shared<std::map<std::string, FakeShard>>();
    for (const char* id : {"shardId-000000000001", "shardId-000000000002", "shardId-000000000003",
                           "shardId-000000000005"}) {
        auto& shard = shards->try_emplace(id, now).first->second;
        if (stale.count(id) > 0) shard.addEvery(now - 3 * kHour, now - 3 * kHour + 10'000, 1'000);
        shard.addEvery(now - 5'000, now, 1'000);
    }
    return std::make_unique<au::aws::testing::LoopbackHttpServer>(
        [shards](const au::aws::testing::RawRequest& r) -> std::optional<std::string> {
            using au::aws::testing::LoopbackHttpServer;
            const auto body = nlohmann::json::parse(r.body, nullptr, false);
            if (r.head.find("GetShardIterator") != std::string::npos) {
                // The iterator is the request itself: GetRecords replays it with its Limit.
                return LoopbackHttpServer::response(
                    200, nlohmann::json{{"ShardIterator", body.dump()}}.dump());
            }
            const std::string iterator = body.value("ShardIterator", "");
            const int limit = body.value("Limit", 10'000);
            std::string shardId;
            au::Result<ShardPage> page = au::Status::error("x", "x");
            if (iterator.rfind("next:", 0) == 0) {  // next:<shard>:<index>
                const auto colon = iterator.find(':', 5);
                shardId = iterator.substr(5, colon - 5);
                page = shards->at(shardId).readNext(iterator.substr(colon + 1), limit);
            } else {
                const auto start = nlohmann::json::parse(iterator);
                shardId = start.value("ShardId", "");
                au::aws::IteratorStart s;
                const std::string type = start.value("ShardIteratorType", "");
                if (type == "AT_TIMESTAMP") {
                    s.type = au::aws::ShardIteratorType::AtTimestamp;
                    s.timestampMillis =
                        static_cast<int64_t>(start.value("Timestamp", 0.0) * 1000.0 + 0.5);
                } else if (type == "AFTER_SEQUENCE_NUMBER") {
                    s.type = au::aws::ShardIteratorType::AfterSequenceNumber;
                    s.sequenceNumber = start.value("StartingSequenceNumber", "");
                }
                page = shards->at(shardId).read(s, limit);
            }
            nlohmann::json records = nlohmann::json::array();
            for (const auto& rec : page->records) {
                records.push_back({{"SequenceNumber", rec.sequenceNumber},
                                   {"PartitionKey", "pk"},
                                   {"Data", "e30="},
                                   {"ApproximateArrivalTimestamp",
                                    static_cast<double>(rec.arrivalMillis) / 1000.0}});
            }
            nlohmann::json answer = {
                {"Records", records},
                {"MillisBehindLatest", page->millisBehindLatest},
                {"NextShardIterator", "next:" + shardId + ":" + *page->nextIterator}};
            return LoopbackHttpServer::response(200, answer.dump());
        },
        /*concurrent=*/true);  // fix-leases reads several shards at once (--concurrency)
}

struct RunResult {
    int exitCode = -1;
    std::string out;
    std::string err;
    int64_t millis = 0;
};

RunResult runBinary(const au::test::TempDir& dir, const std::string& args) {
    const std::string out = dir.file("stdout"), err = dir.file("stderr");
    const std::string cmd = "env -i PATH=/usr/bin:/bin HOME=" + dir.path() +
                            " AWS_ACCESS_KEY_ID=AKIDTEST AWS_SECRET_ACCESS_KEY=secret"
                            " AWS_EC2_METADATA_DISABLED=true " +
                            std::string(AU_BINARY_DIR) + "/active-users " + args + " >" + out +
                            " 2>" + err;
    const auto t0 = std::chrono::steady_clock::now();
    const int status = std::system(cmd.c_str());
    RunResult r;
    r.millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::stringstream o, e;
    o << std::ifstream(out).rdbuf();
    e << std::ifstream(err).rdbuf();
    r.out = o.str();
    r.err = e.str();
    return r;
}

std::string properties(int dynamoPort, int kinesisPort, const std::string& extra = "") {
    return "executableName = active-users\napplicationName = " + kTable +
           "\nstreamName = heartbeats\nregionName = us-east-1\n"
           "dynamoDBEndpoint = http://127.0.0.1:" +
           std::to_string(dynamoPort) +
           "\nkinesisEndpoint = http://127.0.0.1:" + std::to_string(kinesisPort) +
           "\nactiveUsers.maxReplaySeconds = 120\n" + extra;
}

}  // namespace

TEMPLATE_TEST_CASE(
    "The rewrite changes only what §5 names, every other attribute keeps its value and type",
    "[leases][dynamodb]", Dynalite, Moto) {
    TestType d;
    REQUIRE_SERVER(d);
    Table t(d);
    bool removeOwner = false;
    std::string owner = "worker-1";
    int64_t increment = 2;
    SECTION("owned, leaseOwner kept") {}
    SECTION("owned, leaseOwner removed") { removeOwner = true; }
    SECTION("unowned") {
        owner.clear();
        increment = 1;
    }
    const auto before =
        fullLease("shardId-000000000001", "TRIM_HORIZON", owner.empty() ? nullptr : owner.c_str());
    t.put(before);
    REQUIRE(t.get("shardId-000000000001") == before);  // the server keeps the item as written

    LeaseEditor editor(t.db.ddb, kTable, EditOptions{removeOwner, 3});
    auto r = editor.rewriteToLatest("shardId-000000000001");
    REQUIRE(r.isOk());
    CHECK(r->outcome == EditOutcome::kRewritten);
    const auto after = t.get("shardId-000000000001");
    CHECK(after == expectedAfter(before, increment, removeOwner && !owner.empty()));
    CHECK(after["leaseCounter"].contains("N"));
    CHECK_FALSE(after.contains("pendingCheckpoint"));
    REQUIRE(r->after);
    CHECK(r->after->raw == after);
}

TEMPLATE_TEST_CASE(
    "A renewal between the read and the write: the condition fails, the fixer re-reads and "
    "decides again",
    "[leases][dynamodb]", Dynalite, Moto) {
    TestType d;
    REQUIRE_SERVER(d);
    Table t(d);
    const auto before = fullLease("shardId-000000000001", "TRIM_HORIZON");
    t.put(before);
    LoopbackDynamoDb kcl(d.url());  // the "KCL": a second, independent client
    int hooks = 0;
    LeaseEditor editor(t.db.ddb, kTable);
    editor.setBeforeWriteHook([&](const LeaseRow& row) {
        if (++hooks > 1) return;
        // The KCL's renewal: leaseCounter = local + 1 IF leaseCounter = local.
        au::aws::UpdateItemRequest renew;
        renew.table = kTable;
        renew.key = leaseKeyItem(row.leaseKey);
        renew.updateExpression = "SET leaseCounter = :next";
        renew.condition.conditionExpression = "leaseCounter = :c";
        renew.condition.expressionAttributeValues = {{":next", {{"N", "42"}}},
                                                     {":c", {{"N", "41"}}}};
        auto w = kcl.ddb.updateItem(renew);
        REQUIRE(w.isOk());
        REQUIRE_FALSE(w->conditionFailed);
    });
    auto r = editor.rewriteToLatest("shardId-000000000001");
    REQUIRE(r.isOk());
    CHECK(r->outcome == EditOutcome::kRewritten);
    CHECK(r->conditionFailures == 1);
    CHECK(r->writes == 2);
    auto renewed = before;
    renewed["leaseCounter"] = {{"N", "42"}};
    CHECK(t.get("shardId-000000000001") == expectedAfter(renewed, 2, false));  // 44, not 43
}

TEMPLATE_TEST_CASE(
    "A hand-off or shard end that lands between the read and the write is never overwritten",
    "[leases][dynamodb]", Dynalite, Moto) {
    TestType d;
    REQUIRE_SERVER(d);
    Table t(d);
    t.put(fullLease("shardId-000000000001", "TRIM_HORIZON"));
    LoopbackDynamoDb other(d.url());
    std::string update;
    SECTION("checkpointOwner set, counter unchanged") { update = "SET checkpointOwner = :v"; }
    SECTION("entityType changed, counter unchanged") { update = "SET entityType = :v"; }
    LeaseEditor editor(t.db.ddb, kTable);
    editor.setBeforeWriteHook([&](const LeaseRow& row) {
        au::aws::UpdateItemRequest u;
        u.table = kTable;
        u.key = leaseKeyItem(row.leaseKey);
        u.updateExpression = update;
        u.condition.expressionAttributeValues = {{":v", {{"S", "worker-3"}}}};
        REQUIRE(other.ddb.updateItem(u).isOk());
    });
    nlohmann::json raced;
    auto r = editor.rewriteToLatest("shardId-000000000001");
    REQUIRE(r.isOk());
    CHECK(r->outcome == EditOutcome::kLeftAlone);  // the server's condition refused the write
    CHECK(r->conditionFailures == 1);
    const auto now = t.get("shardId-000000000001");
    CHECK(now["checkpoint"]["S"] == "TRIM_HORIZON");
    CHECK(now["leaseCounter"]["N"] == "41");
    CHECK(now.contains("pendingCheckpointState"));
}

TEMPLATE_TEST_CASE("Rows §5 protects stay exactly as they were", "[leases][dynamodb]", Dynalite,
                   Moto) {
    TestType d;
    REQUIRE_SERVER(d);
    Table t(d);
    auto handOff = fullLease("shardId-000000000006", "TRIM_HORIZON");
    handOff["checkpointOwner"] = {{"S", "worker-3"}};
    auto metrics = fullLease("worker-metrics-1", "TRIM_HORIZON");
    metrics["entityType"] = {{"S", "WORKER_METRICS"}};
    auto ended = fullLease("shardId-000000000007", "SHARD_END");
    auto latest = fullLease("shardId-000000000008", "LATEST");
    auto typed = fullLease("shardId-000000000009", "TRIM_HORIZON");
    typed["leaseCounter"] = {{"S", "41"}};
    for (const auto& item : {handOff, metrics, ended, latest, typed}) t.put(item);
    const auto before = t.all();

    LeaseEditor editor(t.db.ddb, kTable);
    for (const auto& item : before) {
        const std::string key = item["leaseKey"]["S"];
        auto r = editor.rewriteToLatest(key);
        REQUIRE(r.isOk());
        CHECK(r->outcome != EditOutcome::kRewritten);
        CHECK(r->writes == 0);
    }
    CHECK(t.all() == before);
}

TEMPLATE_TEST_CASE("fix-leases: the dry run changes nothing, --apply rewrites only the stale child",
                   "[leases][dynamodb][fix-leases]", Dynalite, Moto) {
    TestType d;
    REQUIRE_SERVER(d);
    Table t(d);
    putReshardTable(t);
    const auto before = t.all();
    au::ManualClock clock(au::SystemClock().nowMillis());
    FakeShards shards(clock.nowMillis());
    shards["shardId-000000000001"].addEvery(clock.nowMillis() - 3 * kHour,
                                            clock.nowMillis() - 3 * kHour + 10'000, 1'000);
    const std::string cut = shards["shardId-000000000001"].records().back().sequenceNumber;
    for (const char* id : {"shardId-000000000001", "shardId-000000000002", "shardId-000000000005"})
        shards[id].addEvery(clock.nowMillis() - 4'000, clock.nowMillis(), 1'000);
    LeaseEditor editor(t.db.ddb, kTable);
    FixLeasesOptions o;
    o.stream = "heartbeats";
    o.maxReplayMillis = 120'000;

    auto dry = runFixLeases(editor, shards.factory(), o, clock);
    REQUIRE(dry.isOk());
    CHECK(dry->wouldRewrite == 1);
    CHECK(dry->failures == 0);
    CHECK(dry->stuckParents.size() == 1);
    CHECK(t.all() == before);

    o.apply = true;
    auto applied = runFixLeases(editor, shards.factory(), o, clock);
    REQUIRE(applied.isOk());
    CHECK(applied->rewritten == 1);
    CHECK(applied->failures == 0);
    const auto after = t.all();
    REQUIRE(after.size() == before.size());
    for (size_t i = 0; i < before.size(); ++i) {
        if (before[i]["leaseKey"]["S"] == "shardId-000000000001") {
            auto expected = expectedAfter(before[i], 1, false);
            expected["checkpoint"] = {{"S", cut}};
            expected["activeUsersCutCheckpoint"] = {{"S", cut}};
            expected["activeUsersCutAtMillis"] = {{"N", std::to_string(clock.nowMillis())}};
            CHECK(after[i] == expected);
        } else {
            CHECK(after[i] == before[i]);
        }
    }
}

TEMPLATE_TEST_CASE("The fix-leases command against DynamoDB and a loopback Kinesis",
                   "[leases][dynamodb][cli]", Dynalite, Moto) {
    TestType d;
    REQUIRE_SERVER(d);
    Table t(d);
    putReshardTable(t);
    const auto before = t.all();
    auto kinesis = fakeKinesis({"shardId-000000000001"});
    REQUIRE(kinesis);
    au::test::TempDir dir;
    const std::string props = dir.write("app.properties", properties(d.port(), kinesis->port()));

    auto dry = runBinary(dir, "fix-leases --properties " + props + " --json");
    INFO(dry.err);
    INFO(dry.out);  // the report names the lease that failed and why
    REQUIRE(dry.exitCode == 0);
    const auto report = nlohmann::json::parse(dry.out);
    CHECK(report["applied"] == false);
    CHECK(report["wouldRewrite"] == 1);
    CHECK(report["stuckParents"][0]["leaseKey"] == "shardId-000000000005");
    REQUIRE(report["leases"][0]["leaseKey"] == "shardId-000000000001");
    CHECK(report["leases"][0]["cut"]["skippedSeconds"] == Approx(9.0));
    CHECK(t.all() == before);

    auto table =
        runBinary(dir, "fix-leases --properties " + props + " --shard shardId-000000000001");
    REQUIRE(table.exitCode == 0);
    CHECK(table.out.find("would-rewrite") != std::string::npos);
    CHECK(table.out.find("dry run") != std::string::npos);

    auto apply = runBinary(dir, "fix-leases --properties " + props + " --apply");
    INFO(apply.err);
    REQUIRE(apply.exitCode == 0);
    CHECK(apply.out.find("rewritten") != std::string::npos);
    // The exact cut: the last of the ten 3 h old records (the 10th record of the shard).
    const auto cutRow = t.get("shardId-000000000001");
    CHECK(cutRow["checkpoint"]["S"] == report["leases"][0]["cut"]["sequenceNumber"]);
    CHECK(cutRow["checkpoint"]["S"] == "49590000000000000000000000000010");
    CHECK(cutRow["activeUsersCutCheckpoint"]["S"] == "49590000000000000000000000000010");
    CHECK(cutRow["checkpointSubSequenceNumber"]["N"] == "0");
    CHECK(t.get("shardId-000000000002")["checkpoint"]["S"] == "TRIM_HORIZON");

    auto usage = runBinary(dir, "fix-leases");
    CHECK(usage.exitCode == 2);
    auto badConfig = runBinary(
        dir, "fix-leases --properties " + dir.write("bad.properties", "activeUsers.nope = 1\n"));
    CHECK(badConfig.exitCode == 2);
}

TEMPLATE_TEST_CASE("Credentials come from a named profile in a shared credentials file",
                   "[leases][dynamodb]", Dynalite, Moto) {
    TestType d;
    REQUIRE_SERVER(d);
    Table t(d);
    t.put(fullLease("shardId-000000000001", "TRIM_HORIZON"));
    au::test::TempDir dir;
    au::MapEnvironment env;
    env.set("HOME", dir.path());
    env.set("AWS_EC2_METADATA_DISABLED", "true");
    env.set("AWS_CONFIG_FILE", dir.path() + "/no-config");
    env.set("AWS_SHARED_CREDENTIALS_FILE",
            dir.write("creds",
                      "[default]\naws_access_key_id = AKIDDEFAULT\n"
                      "aws_secret_access_key = nope\n\n[lease-fixer]\n"
                      "aws_access_key_id = AKIDPROFILE\naws_secret_access_key = s3cret\n"));
    env.set("AWS_PROFILE", "lease-fixer");
    au::aws::EndpointSettings daemon;
    daemon.regionName = "us-east-1";
    daemon.dynamoDBEndpoint = d.url();
    daemon.kinesisEndpoint = "http://127.0.0.1:" + std::to_string(freeLoopbackPort());
    auto access = resolveAwsAccess(daemon, env, shortRetryPolicy());
    REQUIRE(access.isOk());
    au::SystemClock clock;
    AwsServices services(access.value(), env, clock);
    auto creds = services.credentials().resolve();
    REQUIRE(creds.isOk());
    CHECK(creds->accessKeyId == "AKIDPROFILE");
    LeaseEditor editor(services.dynamodb(), kTable);
    auto r = editor.rewriteToLatest("shardId-000000000001");
    REQUIRE(r.isOk());
    CHECK(r->outcome == EditOutcome::kRewritten);

    SECTION("a missing profile is a clear error") {
        env.set("AWS_PROFILE", "absent");
        AwsServices none(access.value(), env, clock);
        LeaseEditor e2(none.dynamodb(), kTable);
        auto failed = e2.rewriteToLatest("shardId-000000000001");
        REQUIRE_FALSE(failed.isOk());
        CHECK(failed.status().code() == "NoCredentials");
    }
}

TEST_CASE("An unreachable DynamoDB fails clearly and within bounds", "[leases][dynamodb]") {
    const int closed = freeLoopbackPort();
    au::aws::EndpointSettings daemon;
    daemon.regionName = "us-east-1";
    daemon.dynamoDBEndpoint = "http://127.0.0.1:" + std::to_string(closed);
    daemon.kinesisEndpoint = daemon.dynamoDBEndpoint;
    au::MapEnvironment env({{"AWS_ACCESS_KEY_ID", "AKIDTEST"},
                            {"AWS_SECRET_ACCESS_KEY", "secret"},
                            {"AWS_EC2_METADATA_DISABLED", "true"},
                            {"AWS_CONFIG_FILE", "/nonexistent"},
                            {"AWS_SHARED_CREDENTIALS_FILE", "/nonexistent"}});
    auto access = resolveAwsAccess(daemon, env, shortRetryPolicy());
    REQUIRE(access.isOk());
    au::SystemClock clock;

    SECTION("the editor returns ConnectionError within the short budget") {
        AwsServices services(access.value(), env, clock);
        LeaseEditor editor(services.dynamodb(), kTable);
        const auto t0 = std::chrono::steady_clock::now();
        auto r = editor.rewriteToLatest("shardId-000000000001");
        const auto took = std::chrono::steady_clock::now() - t0;
        REQUIRE_FALSE(r.isOk());
        CHECK(r.status().code() == "ConnectionError");
        CHECK(took < std::chrono::milliseconds(2'500));
    }
    SECTION("the in-process fixer logs once, keeps skipping, and stops promptly") {
        LogCapture logs;
        FixerOptions o;
        o.stream = "heartbeats";
        o.retryBaseMillis = 50;
        o.retryCapMillis = 200;
        StaleLeaseFixer fixer(
            kTable, o, clock,
            [&](std::function<bool()> stopping) -> au::Result<std::unique_ptr<FixerAccess>> {
                return std::unique_ptr<FixerAccess>(
                    std::make_unique<AwsServices>(access.value(), env, clock, std::move(stopping)));
            });
        fixer.onInitialize({"shardId-000000000001", std::string("TRIM_HORIZON"), 0});
        au::protocol::ProcessRecords b;
        b.millisBehindLatest = 3 * kHour;  // an empty batch of a sparse shard, far behind
        fixer.onBatch(b);
        REQUIRE(fixer.waitFor([](const auto& s) { return s.failures >= 3; }, 20'000));
        au::protocol::Record old;
        old.approximateArrivalMillis = clock.nowMillis() - kHour;
        CHECK(fixer.skipRecord(old));
        const auto t0 = std::chrono::steady_clock::now();
        fixer.onLeaseEnd();
        fixer.stop();
        CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(2'500));
        CHECK(logs.count("warning: cannot cut lease") == 1);
        CHECK(logs.count("ConnectionError") == 1);
    }
    SECTION("the command exits 1 with the reason, in bounded time") {
        au::test::TempDir dir;
        const std::string props = dir.write("app.properties", properties(closed, closed));
        auto r = runBinary(dir, "fix-leases --properties " + props);
        CHECK(r.exitCode == 1);
        CHECK(r.err.find("cannot scan lease table leases-it") != std::string::npos);
        CHECK(r.err.find("ConnectionError") != std::string::npos);
        CHECK(r.millis < 10'000);
    }
}
