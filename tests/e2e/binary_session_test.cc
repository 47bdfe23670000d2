// End-to-end sessions of each daemon generation against the built binary, over real pipes.
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <sstream>

#include "e2e/daemon_driver.h"
#include "support/records.h"
#include "support/temp_dir.h"

using namespace au;
using namespace au::test;
using nlohmann::json;

namespace {

int64_t nowMillis() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

const char* kUsers[] = {"3f2504e0-4f89-11d3-9a0c-0305e82c3301",
                        "9b2c1d6e-0000-4000-8000-000000000002",
                        "0e4f6a8b-1111-4222-8333-444455556666"};

json initialize(const std::string& shard, const char* checkpoint = "LATEST") {
    return {{"action", "initialize"},
            {"shardId", shard},
            {"sequenceNumber", checkpoint},
            {"subSequenceNumber", 0}};
}

json batchOfHeartbeats(int firstSequence, int64_t arrival) {
    json records = json::array();
    int seq = firstSequence;
    for (const char* u : kUsers) {
        records.push_back(recordJson(heartbeatPayload(u), std::to_string(seq++), arrival));
    }
    records.push_back(
        recordJson(std::string("\x00\xff garbage", 10), std::to_string(seq++), arrival));
    records.push_back(
        recordJson(heartbeatPayload(kUsers[0]), std::to_string(seq++), arrival - 3'600'000));
    json m = {{"action", "processRecords"}, {"records", records}, {"millisBehindLatest", 0}};
    return m;
}

std::string readFile(const std::string& path) {
    std::ifstream f(path);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

std::string runQuery(const std::string& stateDir) {
    bp::ipstream out;
    bp::child c(binaryPath(), "query", "--state-dir", stateDir, bp::std_out > out);
    std::string all, line;
    while (std::getline(out, line)) all += line + "\n";
    c.wait();
    REQUIRE(c.exit_code() == 0);
    return all;
}

}  // namespace

TEST_CASE("KCL 2.x/3.x: a whole lease with a shard end, throttled once", "[e2e]") {
    TempDir dir;
    std::ofstream(dir.file("p.properties"))
        << "activeUsers.stateDir = " << dir.file("state") << "\n";
    DaemonDriver d({"--properties", dir.file("p.properties")}, dir.file("stderr"));
    CHECK(d.exchange(initialize("shardId-000000000001", "TRIM_HORIZON")) == "initialize");
    CHECK(d.exchange(batchOfHeartbeats(100, nowMillis())) == "processRecords");
    CHECK(d.checkpoints.empty());
    d.checkpointErrors = {std::string("ThrottlingException"), std::nullopt};
    CHECK(d.exchange({{"action", "shardEnded"}}) == "shardEnded");
    REQUIRE(d.checkpoints.size() == 2);
    CHECK(d.checkpoints[1]["sequenceNumber"].is_null());
    auto [code, took] = d.closeAndWait();
    CHECK(code == 0);
    CHECK(took.count() < 2000);

    const std::string query = runQuery(dir.file("state"));
    CHECK(query.rfind("3\n", 0) == 0);
    for (const char* u : kUsers) CHECK(query.find(u) != std::string::npos);
    const std::string err = readFile(dir.file("stderr"));
    CHECK(err.find("stats: active=3 applied=3 stale=1 malformed=1 (invalid_utf8=1)") !=
          std::string::npos);
}

TEST_CASE("KCL 2.x/3.x: graceful shutdown, then lease lost, then EOF", "[e2e]") {
    DaemonDriver d({});
    CHECK(d.exchange(initialize("shardId-000000000002")) == "initialize");
    CHECK(d.exchange(batchOfHeartbeats(1, nowMillis())) == "processRecords");
    CHECK(d.exchange({{"action", "shutdownRequested"}}) == "shutdownRequested");
    CHECK(d.exchange({{"action", "leaseLost"}}) == "leaseLost");
    CHECK(d.checkpoints.empty());  // checkpointing is off by default: the lease keeps LATEST
    CHECK(d.closeAndWait().first == 0);
}

TEST_CASE(
    "KCL 1.x and 2.0.x: shutdown with TERMINATE/SHARD_END checkpoints, ZOMBIE/LEASE_LOST does not",
    "[e2e]") {
    for (const char* reason : {"TERMINATE", "SHARD_END", "ZOMBIE", "LEASE_LOST"}) {
        INFO(reason);
        DaemonDriver d({});
        CHECK(d.exchange(initialize("shardId-000000000003")) == "initialize");
        CHECK(d.exchange(batchOfHeartbeats(1, nowMillis())) == "processRecords");
        CHECK(d.exchange({{"action", "shutdown"}, {"reason", reason}}) == "shutdown");
        const bool shardEnd =
            std::string(reason) == "TERMINATE" || std::string(reason) == "SHARD_END";
        CHECK(d.checkpoints.size() == (shardEnd ? 1u : 0u));
        CHECK(d.closeAndWait().first == 0);
    }
}

TEST_CASE("The daemon's checkpoint errors are handled by name, never by crashing", "[e2e]") {
    TempDir dir;
    std::ofstream(dir.file("p.properties")) << "activeUsers.checkpointIntervalSeconds = 3600\n";
    {
        // With a checkpoint policy, a graceful shutdown checkpoints the last record delivered.
        DaemonDriver d({"--properties", dir.file("p.properties")});
        CHECK(d.exchange(initialize("shardId-000000000004")) == "initialize");
        CHECK(d.exchange(batchOfHeartbeats(10, nowMillis())) == "processRecords");
        CHECK(d.checkpoints.empty());  // the interval has not passed
        d.checkpointErrors = {std::string("InvalidStateException")};
        CHECK(d.exchange({{"action", "shutdownRequested"}}) == "shutdownRequested");
        REQUIRE(d.checkpoints.size() == 1);
        CHECK(d.checkpoints[0]["sequenceNumber"] == "14");
        CHECK(d.exchange({{"action", "leaseLost"}}) == "leaseLost");
        CHECK(d.closeAndWait().first == 0);
    }
    for (const char* error :
         {"ShutdownException", "IllegalArgumentException", "SomeFutureException"}) {
        INFO(error);
        DaemonDriver d({"--properties", dir.file("p.properties")});
        CHECK(d.exchange(initialize("shardId-000000000004")) == "initialize");
        d.checkpointErrors = {std::string(error)};
        CHECK(d.exchange({{"action", "shardEnded"}}) == "shardEnded");
        CHECK(d.checkpoints.size() == 1);  // not retried: only throttling is
        CHECK(d.closeAndWait().first == 0);
    }
}

TEST_CASE("Garbage on stdin never takes the process down", "[e2e]") {
    DaemonDriver d({});
    d.sendRaw("");
    d.sendRaw("definitely not json");
    d.sendRaw(std::string("\x00\x01\x02\xff\xfe", 5));
    d.sendRaw("{\"action\":");
    d.sendRaw(std::string(5'000'000, '['));
    d.sendRaw("{\"no\":\"action\"}");
    CHECK(d.exchange({{"action", "aNewActionFromTheFuture"}, {"payload", {1, 2}}}) ==
          "aNewActionFromTheFuture");
    CHECK(d.exchange(initialize("shardId-000000000005")) == "initialize");
    json records = json::array();
    records.push_back({{"data", 5}, {"sequenceNumber", "1"}});
    records.push_back("string instead of record");
    records.push_back(recordJson(std::string(1 << 20, 'x'), "2", nowMillis()));  // 1 MiB id
    records.push_back(
        recordJson("{\"userId\":\"" + std::string(300, 'a') + "\"}", "3", nowMillis()));
    CHECK(d.exchange({{"action", "processRecords"},
                      {"records", records},
                      {"millisBehindLatest", nullptr}}) == "processRecords");
    CHECK(d.exchange({{"action", "processRecords"}, {"records", "not an array"}}) ==
          "processRecords");
    CHECK(d.exchange({{"action", "leaseLost"}}) == "leaseLost");
    CHECK(d.closeAndWait().first == 0);
}

TEST_CASE("An invalid configuration stops the process before it answers initialize", "[e2e]") {
    TempDir dir;
    std::ofstream(dir.file("p.properties")) << "activeUsers.ttlSeconds = -5\n";
    // The daemon's first message is already waiting on stdin (a file: the process may exit before
    // reading it, and a pipe would then break under the writer).
    std::ofstream(dir.file("stdin")) << initialize("shardId-1").dump() << "\n";
    bp::ipstream stdoutLines;
    bp::child processor(binaryPath(), "--properties", dir.file("p.properties"),
                        bp::std_in<dir.file("stdin"), bp::std_out> stdoutLines,
                        bp::std_err > dir.file("stderr"));
    std::string answered, line;
    while (std::getline(stdoutLines, line)) answered += line;
    processor.wait();
    CHECK(processor.exit_code() == 2);
    CHECK(answered.empty());  // no status for initialize
    CHECK(readFile(dir.file("stderr")).find("activeUsers.ttlSeconds (line 1)") !=
          std::string::npos);

    bp::ipstream out;
    bp::child check(binaryPath(), "check-config", "--properties", dir.file("p.properties"),
                    bp::std_out > out, bp::std_err > bp::null);
    check.wait();
    CHECK(check.exit_code() == 2);
}

TEST_CASE("A recorded session replays without differences, and a changed one shows them", "[e2e]") {
    TempDir dir;
    {
        DaemonDriver d({"--record-transcript", dir.file("tr")});
        CHECK(d.exchange(initialize("shardId-000000000006")) == "initialize");
        d.checkpointErrors = {std::nullopt};
        CHECK(d.exchange({{"action", "shardEnded"}}) == "shardEnded");
        CHECK(d.closeAndWait().first == 0);
    }
    std::string transcript;
    for (const auto& e : std::filesystem::directory_iterator(dir.file("tr"))) transcript = e.path();
    REQUIRE_FALSE(transcript.empty());
    bp::child ok(binaryPath(), "replay", transcript, bp::std_out > bp::null,
                 bp::std_err > bp::null);
    ok.wait();
    CHECK(ok.exit_code() == 0);

    // Corrupt one recorded reply: the replay must fail and say where.
    std::string text = readFile(transcript);
    const auto pos = text.find("responseFor\\\":\\\"shardEnded");
    REQUIRE(pos != std::string::npos);
    const std::string from = "responseFor\\\":\\\"shardEnded";
    text.replace(pos, from.size(), "responseFor\\\":\\\"leaseLost");
    std::ofstream(dir.file("bad.jsonl")) << text;
    bp::ipstream out;
    bp::child bad(binaryPath(), "replay", dir.file("bad.jsonl"), bp::std_out > out,
                  bp::std_err > bp::null);
    std::string all, line;
    while (std::getline(out, line)) all += line + "\n";
    bad.wait();
    CHECK(bad.exit_code() == 1);
    CHECK(all.find("- expected") != std::string::npos);
    CHECK(all.find("1 differences") != std::string::npos);
}
