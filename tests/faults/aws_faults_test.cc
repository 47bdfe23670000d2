// DynamoDB and Kinesis faults during the lease fixers' read and rewrite (labels "integration",
// "faults"). Real dynalite and kinesis-local, each behind an HttpFaultProxy; the real binary as the
// in-process fixer (driven over pipes as the daemon drives it, fed a stale first batch) and as
// `fix-leases --apply`. Each test asserts:
//  - every reply to the daemon within 2 s, and the exit on stdin EOF within 2 s;
//  - the lease row either untouched or exactly rewritten to the cut (typed items compared whole:
//    only the attributes docs/leases.md names change, every other attribute keeps its type), the
//    cut being the last record that arrived before the cutoff the row's cut mark records;
//  - the requests counted at the proxy within the retry budgets (json_rpc.h, shard_reader.h);
//  - no secret in any output, at log level trace.
#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <thread>
#include <vector>

#include "faults/fault_support.h"
#include "faults/http_fault_proxy.h"
#include "faults/kinesis_local.h"
#include "leases/dynalite.h"
#include "support/records.h"
#include "support/skip.h"
#include "support/temp_dir.h"

using namespace au;
using namespace au::test;
using leases::testing::Dynalite;
using leases::testing::LoopbackDynamoDb;
using nlohmann::json;

namespace {

constexpr int64_t kMaxReplay = 1'000;  // activeUsers.maxReplaySeconds = 1
const std::string kTable = "leases-faults";
const std::string kStream = "heartbeats";
const std::string kOwnedShard = "shardId-000000000000";  // the processor's lease, worker-1
const std::string kFreeShard = "shardId-000000000001";   // unowned: fix-leases' lease

struct ShardRecord {
    std::string sequenceNumber;
    int64_t arrivalMillis = 0;
};

// A KCL lease row plus one attribute of every other DynamoDB type, which no rewrite may touch.
json leaseRow(const std::string& key, const char* owner) {
    json item = {{"leaseKey", {{"S", key}}},
                 {"leaseCounter", {{"N", "41"}}},
                 {"checkpoint", {{"S", "TRIM_HORIZON"}}},
                 {"checkpointSubSequenceNumber", {{"N", "0"}}},
                 {"ownerSwitchesSinceCheckpoint", {{"N", "1"}}},
                 {"pendingCheckpoint", {{"S", "49650000000000000000000000000000000000000000042"}}},
                 {"pendingCheckpointSubSequenceNumber", {{"N", "0"}}},
                 {"pendingCheckpointState", {{"B", "AAEC/w=="}}},
                 {"parentShardId", {{"SS", {"shardId-000000000099"}}}},
                 {"throughputKBps", {{"N", "12.5"}}},
                 {"xBool", {{"BOOL", true}}},
                 {"xNull", {{"NULL", true}}},
                 {"xList", {{"L", {{{"S", "a"}}, {{"N", "1"}}}}}},
                 {"xMap", {{"M", {{"k", {{"SS", {"v"}}}}}}}},
                 {"xNumbers", {{"NS", {"1", "2.5"}}}},
                 {"xBinaries", {{"BS", {"AQ==", "Ag=="}}}}};
    if (owner != nullptr) item["leaseOwner"] = {{"S", owner}};
    return item;
}

// dynalite, kinesis-local, a proxy in front of each, the lease table, and a 2-shard stream whose
// shards hold 6 stale records (two puts 30 ms apart, then more than maxReplay of quiet) and 2
// fresh ones.
class Stack {
  public:
    static bool available() {
        return leases::testing::dynaliteAvailable() && kinesisLocalAvailable();
    }

    Stack()
        : ddbProxy(AwsService::kDynamoDb, dynamo.port()),
          kinesisProxy(AwsService::kKinesis, kinesis.port()),
          db(dynamo.url()) {
        REQUIRE(dynamo.ok());
        REQUIRE(kinesis.ok());
        REQUIRE(ddbProxy.ok());
        REQUIRE(kinesisProxy.ok());
        const auto table = leases::testing::createKclLeaseTable(db.ddb, kTable);
        INFO(table.toString());
        REQUIRE(table.isOk());
        const auto stream = kinesis.createStream(kStream, 2);
        INFO(stream.toString());
        REQUIRE(stream.isOk());
        const int64_t t0 = wallMillis();
        put(3);
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
        put(3);
        std::this_thread::sleep_for(
            std::chrono::milliseconds(t0 + kMaxReplay + 300 - wallMillis()));
        put(2);
        for (const auto& shard : {kOwnedShard, kFreeShard}) {
            readBack(shard);
            REQUIRE(records[shard].size() == 8);
        }
        for (const auto& row : {leaseRow(kOwnedShard, "worker-1"), leaseRow(kFreeShard, nullptr)}) {
            REQUIRE(db.ddb.putItem(kTable, row).isOk());
        }
    }

    json row(const std::string& key) {
        auto r = db.ddb.getItem(kTable, {{"leaseKey", {{"S", key}}}});
        REQUIRE(r.isOk());
        REQUIRE(r.value());
        return *r.value();
    }

    // The daemon's first batch: the first four stale records (of six; the two puts' arrivals
    // differ, which gives the batch a density). The cut, the sixth or later, lies ahead.
    std::vector<ShardRecord> firstBatch(const std::string& shard) {
        return {records[shard].begin(), records[shard].begin() + 4};
    }

    // The cut for `cutoff`: the last record that arrived before it (docs/leases.md).
    std::string cutFor(const std::string& shard, int64_t cutoff) {
        std::string cut;
        for (const auto& r : records[shard]) {
            if (r.arrivalMillis < cutoff) cut = r.sequenceNumber;
        }
        return cut;
    }

    // Waits until no proxied request is in flight (a slow one may still land on the server).
    void settle() {
        for (int i = 0; i < 500 && (ddbProxy.inFlight() > 0 || kinesisProxy.inFlight() > 0); ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }

    std::string properties(const std::string& extra = "") const {
        return "executableName = active-users\napplicationName = " + kTable +
               "\nstreamName = " + kStream + "\nregionName = us-east-1\nworkerId = worker-1\n" +
               "dynamoDBEndpoint = " + ddbProxy.url() +
               "\nkinesisEndpoint = " + kinesisProxy.url() +
               "\nactiveUsers.ttlSeconds = 1\nactiveUsers.maxReplaySeconds = 1\n"
               "failoverTimeMillis = 2500\nidleTimeBetweenReadsInMillis = 10000\n"
               // Pages of one record: the page after the first batch does not end the stale part.
               "maxRecords = 1\n"
               "activeUsers.fixRemovesLeaseOwner = false\nactiveUsers.logLevel = trace\n" +
               extra;
    }

    Dynalite dynamo;
    KinesisLocal kinesis;
    HttpFaultProxy ddbProxy;
    HttpFaultProxy kinesisProxy;
    LoopbackDynamoDb db;
    std::map<std::string, std::vector<ShardRecord>> records;

  private:
    void put(int perShard) {
        std::vector<aws::PutRecordsEntry> entries;
        for (int i = 0; i < perShard; ++i) {
            entries.push_back(
                {heartbeatPayload("user-" + std::to_string(i)), "pk", std::string("1")});
            entries.push_back({heartbeatPayload("user-" + std::to_string(i)), "pk",
                               std::string("340282366920938463463374607431768211454")});
        }
        auto r = kinesis.kinesis.putRecords(kStream, entries);
        REQUIRE(r.isOk());
        REQUIRE(r->failedRecordCount == 0);
    }

    void readBack(const std::string& shard) {
        auto it = kinesis.kinesis.getShardIterator(kStream, shard, {});
        REQUIRE(it.isOk());
        std::string iterator = it.value();
        for (int page = 0; page < 10; ++page) {
            auto r = kinesis.kinesis.getRecords(iterator);
            REQUIRE(r.isOk());
            for (const auto& rec : r->records) {
                records[shard].push_back({rec.sequenceNumber, rec.approximateArrivalMillis});
            }
            if (r->records.empty() && r->millisBehindLatest == 0) break;
            REQUIRE(r->nextShardIterator);
            iterator = *r->nextShardIterator;
        }
    }
};

// Checks `after` against `before` rewritten exactly as docs/leases.md says (counter + increment,
// checkpoint = the cut, sub-sequence 0, pending checkpoint removed, the cut mark), and that the cut
// is the last record older than the cutoff the mark records. Every other attribute must be equal,
// type included.
void checkExactCut(Stack& s, const std::string& shard, const json& before, const json& after,
                   int64_t increment) {
    INFO("before: " << before.dump() << "\nafter:  " << after.dump());
    REQUIRE(after.contains("activeUsersCutAtMillis"));
    REQUIRE(after["activeUsersCutAtMillis"].contains("N"));
    const int64_t cutAt = std::stoll(after["activeUsersCutAtMillis"]["N"].get<std::string>());
    const std::string cut = s.cutFor(shard, cutAt - kMaxReplay);
    REQUIRE_FALSE(cut.empty());
    json expected = before;
    expected["checkpoint"] = {{"S", cut}};
    expected["checkpointSubSequenceNumber"] = {{"N", "0"}};
    expected["leaseCounter"] = {
        {"N",
         std::to_string(std::stoll(before["leaseCounter"]["N"].get<std::string>()) + increment)}};
    expected.erase("pendingCheckpoint");
    expected.erase("pendingCheckpointSubSequenceNumber");
    expected.erase("pendingCheckpointState");
    expected["activeUsersCutCheckpoint"] = {{"S", cut}};
    expected["activeUsersCutAtMillis"] = after["activeUsersCutAtMillis"];
    CHECK(after == expected);
}

struct ProcessorRun {
    int64_t slowestReplyMillis = 0;
    std::string slowestAction;
    int exitCode = -1;
    int64_t exitMillis = 0;
    std::string err;
};

// The in-process fixer: initialize at TRIM_HORIZON, a first batch of the shard's stale records
// (millisBehindLatest 3 h), then an empty batch every 100 ms until the fixer's worker has logged
// its outcome or `windowMillis` passed; then leaseLost and EOF.
ProcessorRun runInProcessFixer(Stack& s, const TempDir& dir, int64_t windowMillis) {
    const std::string props = dir.write("processor.properties", s.properties());
    const std::string errPath = dir.file("processor.stderr");
    ProcessorRun run;
    {
        DaemonDriver driver({"--properties", props}, errPath);
        TimedDaemon d(driver);
        REQUIRE(d.exchange(initializeMessage(kOwnedShard, "TRIM_HORIZON")) == "initialize");
        json records = json::array();
        for (const auto& r : s.firstBatch(kOwnedShard)) {
            records.push_back(recordJson(heartbeatPayload("u"), r.sequenceNumber, r.arrivalMillis));
        }
        REQUIRE(d.exchange({{"action", "processRecords"},
                            {"records", records},
                            {"millisBehindLatest", 3 * 3'600'000}}) == "processRecords");
        const auto t0 = std::chrono::steady_clock::now();
        const std::string done = "lease " + kOwnedShard + " ";
        while (millisSince(t0) < windowMillis) {
            const std::string err = readText(errPath);
            if (err.find(done + "cut") != std::string::npos ||
                err.find(done + "not cut") != std::string::npos) {
                break;
            }
            REQUIRE(d.exchange({{"action", "processRecords"},
                                {"records", json::array()},
                                {"millisBehindLatest", 3 * 3'600'000}}) == "processRecords");
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        REQUIRE(d.exchange({{"action", "leaseLost"}}) == "leaseLost");
        auto [code, took] = driver.closeAndWait(std::chrono::milliseconds(5'000));
        run.exitCode = code;
        run.exitMillis = took.count();
        run.slowestReplyMillis = d.slowestMillis();
        run.slowestAction = d.slowestAction();
    }
    run.err = readText(errPath);
    return run;
}

void checkPrompt(const ProcessorRun& run) {
    figure(Catch::getResultCapture().getCurrentTestName() + ": slowest reply " +
           std::to_string(run.slowestReplyMillis) + " ms (" + run.slowestAction + "), exit " +
           std::to_string(run.exitMillis) + " ms");
    INFO("stderr:\n" << run.err);
    CHECK(run.exitCode == 0);
    INFO("slowest reply: " << run.slowestAction);
    CHECK(run.slowestReplyMillis < 2'000);
    CHECK(run.exitMillis < 2'000);
    requireNoSecrets(run.err, "processor stderr");
}

CommandResult runFixLeases(Stack& s, const TempDir& dir) {
    const std::string props = dir.write("fix.properties", s.properties());
    auto r = runActiveUsers(dir.path(), "fix-leases --properties " + props +
                                            " --apply --json --shard " + kFreeShard + " --verbose");
    requireNoSecrets(r.out + r.err, "fix-leases output");
    return r;
}

// The fix-leases JSON report's entry for the unowned lease.
json fixLeasesEntry(const CommandResult& r) {
    INFO("stdout:\n" << r.out << "\nstderr:\n" << r.err);
    const auto report = json::parse(r.out, nullptr, false);
    REQUIRE(report.is_object());
    REQUIRE(report["leases"].size() == 1);
    return report["leases"][0];
}

void resetProxies(Stack& s) {
    s.ddbProxy.clearRules();
    s.kinesisProxy.clearRules();
    s.ddbProxy.resetCounts();
    s.kinesisProxy.resetCounts();
}

#define REQUIRE_STACK()                                                            \
    if (!Stack::available()) {                                                     \
        AU_SKIP("dynalite or kinesis-local is missing (run scripts/setup-stack)"); \
    }

}  // namespace

TEST_CASE("Throttling errors: the fixers wait them out and rewrite the lease exactly once",
          "[faults][aws]") {
    REQUIRE_STACK();
    TempDir dir;
    exportFakeAwsSecrets(dir.path());
    Stack s;
    const json ownedBefore = s.row(kOwnedShard);
    const json freeBefore = s.row(kFreeShard);

    s.ddbProxy.addRule({"GetItem", HttpFault::kThroughputExceeded, 1});
    s.ddbProxy.addRule({"UpdateItem", HttpFault::kThrottling, 2});
    s.kinesisProxy.addRule({"GetShardIterator", HttpFault::kThrottling, 1});
    s.kinesisProxy.addRule({"GetRecords", HttpFault::kThroughputExceeded, 1});
    const auto run = runInProcessFixer(s, dir, 10'000);
    checkPrompt(run);
    CHECK(run.err.find("lease " + kOwnedShard + " cut") != std::string::npos);
    checkExactCut(s, kOwnedShard, ownedBefore, s.row(kOwnedShard), 2);
    // Each throttled call is retried within its call (3 attempts): nothing more is sent.
    CHECK(s.ddbProxy.received("UpdateItem") == 3);
    CHECK(s.ddbProxy.forwarded("UpdateItem") == 1);
    CHECK(s.ddbProxy.faulted("GetItem") == 1);
    CHECK(s.kinesisProxy.faulted("GetRecords") == 1);

    resetProxies(s);
    s.ddbProxy.addRule({"Scan", HttpFault::kThroughputExceeded, 1});
    s.ddbProxy.addRule({"UpdateItem", HttpFault::kThroughputExceeded, 3});
    s.kinesisProxy.addRule({"GetRecords", HttpFault::kThroughputExceeded, 2});
    const auto fix = runFixLeases(s, dir);
    INFO(fix.err);
    CHECK(fix.exitCode == 0);
    CHECK(fixLeasesEntry(fix)["action"] == "rewritten");
    checkExactCut(s, kFreeShard, freeBefore, s.row(kFreeShard), 1);
    CHECK(s.ddbProxy.received("UpdateItem") == 4);
    CHECK(s.ddbProxy.forwarded("UpdateItem") == 1);
}

TEST_CASE("HTTP 500 and 503: retried within the call, the lease is rewritten exactly once",
          "[faults][aws]") {
    REQUIRE_STACK();
    TempDir dir;
    exportFakeAwsSecrets(dir.path());
    Stack s;
    const json ownedBefore = s.row(kOwnedShard);
    const json freeBefore = s.row(kFreeShard);

    s.ddbProxy.addRule({"GetItem", HttpFault::kHttp500, 1});
    s.ddbProxy.addRule({"UpdateItem", HttpFault::kHttp503, 1});
    s.kinesisProxy.addRule({"GetShardIterator", HttpFault::kHttp503, 1});
    s.kinesisProxy.addRule({"GetRecords", HttpFault::kHttp500, 1});
    const auto run = runInProcessFixer(s, dir, 10'000);
    checkPrompt(run);
    CHECK(run.err.find("lease " + kOwnedShard + " cut") != std::string::npos);
    checkExactCut(s, kOwnedShard, ownedBefore, s.row(kOwnedShard), 2);
    CHECK(s.ddbProxy.received("UpdateItem") == 2);
    CHECK(s.ddbProxy.forwarded("UpdateItem") == 1);

    resetProxies(s);
    s.ddbProxy.addRule({"Scan", HttpFault::kHttp503, 1});
    s.ddbProxy.addRule({"UpdateItem", HttpFault::kHttp500, 2});
    s.kinesisProxy.addRule({"GetRecords", HttpFault::kHttp503, 1});
    const auto fix = runFixLeases(s, dir);
    INFO(fix.err);
    CHECK(fix.exitCode == 0);
    CHECK(fixLeasesEntry(fix)["action"] == "rewritten");
    checkExactCut(s, kFreeShard, freeBefore, s.row(kFreeShard), 1);
    CHECK(s.ddbProxy.received("UpdateItem") == 3);
    CHECK(s.ddbProxy.forwarded("UpdateItem") == 1);
}

TEST_CASE(
    "A response slower than the timeout: the late write still reaches the server and fails its "
    "condition, the lease is rewritten exactly once",
    "[faults][aws]") {
    REQUIRE_STACK();
    TempDir dir;
    exportFakeAwsSecrets(dir.path());
    Stack s;
    const json ownedBefore = s.row(kOwnedShard);
    const json freeBefore = s.row(kFreeShard);

    // The in-process fixer's attempts time out after 10 s (leases::fixerRetryPolicy).
    s.ddbProxy.addRule({"UpdateItem", HttpFault::kSlow, 1, 11'000});
    s.kinesisProxy.addRule({"GetRecords", HttpFault::kSlow, 1, 1'500});
    const auto run = runInProcessFixer(s, dir, 20'000);
    checkPrompt(run);
    s.settle();
    CHECK(s.ddbProxy.forwarded("UpdateItem") == 2);  // the late one landed too
    checkExactCut(s, kOwnedShard, ownedBefore, s.row(kOwnedShard), 2);

    // fix-leases: 5 s per attempt, within a 2 s budget per call.
    resetProxies(s);
    s.ddbProxy.addRule({"UpdateItem", HttpFault::kSlow, 1, 2'500});
    const auto fix = runFixLeases(s, dir);
    s.settle();
    INFO(fix.err);
    CHECK(fix.millis < 10'000);
    const json entry = fixLeasesEntry(fix);
    const json after = s.row(kFreeShard);
    CHECK(s.ddbProxy.received("UpdateItem") <= 2);
    // The answer came too late for the budget, the write itself landed: the report says the
    // outcome is unknown, and the next run sees the lease as it is (cut: nothing stale ahead).
    checkExactCut(s, kFreeShard, freeBefore, after, 1);
    if (entry["action"] == "failed") {
        CHECK(entry["detail"].get<std::string>().find("the write may still be applied") !=
              std::string::npos);
    } else {
        CHECK(entry["action"] == "rewritten");
    }
    resetProxies(s);
    const auto again = runFixLeases(s, dir);
    CHECK(again.exitCode == 0);
    CHECK(fixLeasesEntry(again)["action"] == "keep");
    CHECK(s.row(kFreeShard) == after);
}

TEST_CASE("A connection reset before the write reaches the server: retried, rewritten once",
          "[faults][aws]") {
    REQUIRE_STACK();
    TempDir dir;
    exportFakeAwsSecrets(dir.path());
    Stack s;
    const json ownedBefore = s.row(kOwnedShard);
    const json freeBefore = s.row(kFreeShard);

    s.ddbProxy.addRule({"GetItem", HttpFault::kResetBefore, 1});
    s.ddbProxy.addRule({"UpdateItem", HttpFault::kResetBefore, 1});
    s.kinesisProxy.addRule({"GetRecords", HttpFault::kResetBefore, 1});
    const auto run = runInProcessFixer(s, dir, 10'000);
    checkPrompt(run);
    CHECK(run.err.find("lease " + kOwnedShard + " cut") != std::string::npos);
    checkExactCut(s, kOwnedShard, ownedBefore, s.row(kOwnedShard), 2);
    CHECK(s.ddbProxy.received("UpdateItem") == 2);
    CHECK(s.ddbProxy.forwarded("UpdateItem") == 1);

    resetProxies(s);
    s.ddbProxy.addRule({"Scan", HttpFault::kResetBefore, 1});
    s.ddbProxy.addRule({"UpdateItem", HttpFault::kResetBefore, 1});
    const auto fix = runFixLeases(s, dir);
    INFO(fix.err);
    CHECK(fix.exitCode == 0);
    CHECK(fixLeasesEntry(fix)["action"] == "rewritten");
    checkExactCut(s, kFreeShard, freeBefore, s.row(kFreeShard), 1);
}

TEST_CASE(
    "A connection reset after the write reached the server: the retry's condition fails, the "
    "re-read finds our own cut, and it is reported as written",
    "[faults][aws]") {
    REQUIRE_STACK();
    TempDir dir;
    exportFakeAwsSecrets(dir.path());
    Stack s;
    const json ownedBefore = s.row(kOwnedShard);
    const json freeBefore = s.row(kFreeShard);

    s.ddbProxy.addRule({"UpdateItem", HttpFault::kResetAfter, 1});
    const auto run = runInProcessFixer(s, dir, 10'000);
    checkPrompt(run);
    checkExactCut(s, kOwnedShard, ownedBefore, s.row(kOwnedShard), 2);
    CHECK(s.ddbProxy.received("UpdateItem") == 2);
    CHECK(s.ddbProxy.forwarded("UpdateItem") == 2);  // both reached dynalite; one was applied
    CHECK(run.err.find("lease " + kOwnedShard + " cut") != std::string::npos);

    // Every answer lost: the first write is applied, its retries fail their condition, and
    // the call ends in ConnectionError; the re-read shows the write.
    resetProxies(s);
    s.ddbProxy.addRule({"UpdateItem", HttpFault::kResetAfter, -1});
    const auto fix = runFixLeases(s, dir);
    INFO(fix.err);
    CHECK(fix.exitCode == 0);
    const json entry = fixLeasesEntry(fix);
    CHECK(entry["action"] == "rewritten");
    CHECK(entry["detail"].get<std::string>().find("answer was lost (ConnectionError)") !=
          std::string::npos);
    checkExactCut(s, kFreeShard, freeBefore, s.row(kFreeShard), 1);
    CHECK(s.ddbProxy.received("UpdateItem") <= 5);
}

TEST_CASE(
    "DynamoDB throttles every write: the lease stays untouched, one warning, retries within "
    "their budget, replies stay prompt",
    "[faults][aws]") {
    REQUIRE_STACK();
    TempDir dir;
    exportFakeAwsSecrets(dir.path());
    Stack s;
    const json ownedBefore = s.row(kOwnedShard);
    const json freeBefore = s.row(kFreeShard);

    s.ddbProxy.addRule({"UpdateItem", HttpFault::kThroughputExceeded, -1});
    const auto t0 = std::chrono::steady_clock::now();
    const auto run = runInProcessFixer(s, dir, 5'000);
    const int64_t window = millisSince(t0);
    checkPrompt(run);
    CHECK(s.row(kOwnedShard) == ownedBefore);
    CHECK(countOf(run.err, "warning: cannot cut lease") == 1);
    // Attempts start after 0, 1, 3, 7 ... s of backoff: within the window at most
    // 1 + log2(window + 1) attempts, each with at most 3 UpdateItem calls.
    const int attempts = 1 + static_cast<int>(std::log2(static_cast<double>(window) / 1000.0 + 1));
    INFO("window " << window << " ms, at most " << attempts << " attempts");
    CHECK(s.ddbProxy.received("UpdateItem") >= 3);
    CHECK(s.ddbProxy.received("UpdateItem") <= 3 * attempts);
    CHECK(s.ddbProxy.forwarded("UpdateItem") == 0);

    resetProxies(s);
    s.ddbProxy.addRule({"UpdateItem", HttpFault::kThroughputExceeded, -1});
    const auto fix = runFixLeases(s, dir);
    INFO(fix.err);
    CHECK(fix.exitCode == 1);
    CHECK(fixLeasesEntry(fix)["action"] == "failed");
    CHECK(s.row(kFreeShard) == freeBefore);
    CHECK(s.ddbProxy.received("UpdateItem") >= 1);
    CHECK(s.ddbProxy.received("UpdateItem") <= 5);  // RetryPolicy{}: 5 attempts in 2 s
    CHECK(fix.millis < 5'000);
}

TEST_CASE(
    "Kinesis throttles every read: the cut search backs off, the lease stays untouched, and a "
    "lease end stops the wait at once",
    "[faults][aws]") {
    REQUIRE_STACK();
    TempDir dir;
    exportFakeAwsSecrets(dir.path());
    Stack s;
    const json ownedBefore = s.row(kOwnedShard);

    s.kinesisProxy.addRule({"GetRecords", HttpFault::kThroughputExceeded, -1});
    const auto t0 = std::chrono::steady_clock::now();
    const auto run = runInProcessFixer(s, dir, 4'000);
    const int64_t window = millisSince(t0);
    checkPrompt(run);
    CHECK(s.row(kOwnedShard) == ownedBefore);
    CHECK(s.ddbProxy.received("UpdateItem") == 0);
    // One read: 3 calls, then waits of at least 100 ms, 200 ms, 400 ms, 800 ms, then 1 s each
    // (ShardReaderOptions, jitter [x, 2x)) before the next 3.
    int reads = 1;
    for (int64_t waited = 0, delay = 100; waited + delay <= window; delay = std::min<int64_t>(delay * 2, 1'000)) {
        waited += delay;
        ++reads;
    }
    INFO("window " << window << " ms, at most " << reads << " reads");
    CHECK(s.kinesisProxy.received("GetRecords") >= 3);
    CHECK(s.kinesisProxy.received("GetRecords") <= 3 * reads);
}
