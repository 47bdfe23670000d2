#include <catch2/catch.hpp>
#include <deque>
#include <functional>

#include "processor/active_users_processor.h"
#include "processor/snapshot.h"
#include "protocol/codec.h"
#include "support/records.h"
#include "support/temp_dir.h"

using namespace au;
using namespace au::processor;
using Kind = protocol::CheckpointResult::Kind;

namespace {

struct ScriptedCheckpointer : protocol::Checkpointer {
    std::deque<std::optional<std::string>> errors;  // the daemon's replies, in order
    std::vector<std::optional<std::string>> requested;
    std::vector<int64_t> at;
    const Clock* clock = nullptr;
    std::function<void()> onCheckpoint;  // runs when the daemon would receive the checkpoint
    protocol::CheckpointResult checkpoint(const std::optional<std::string>& seq,
                                          const std::optional<int64_t>&) override {
        if (onCheckpoint) onCheckpoint();
        requested.push_back(seq);
        at.push_back(clock->nowMillis());
        std::optional<std::string> error;
        if (!errors.empty()) {
            error = errors.front();
            errors.pop_front();
        }
        return protocol::classifyCheckpointError(error);
    }
};

const char* kUserA = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
const char* kUserB = "9b2c1d6e-0000-4000-8000-000000000002";

// Decodes and processes one batch of (payload, arrival) records.
void feed(ActiveUsersProcessor& p, protocol::Checkpointer& cp,
          const std::vector<std::pair<std::string, std::optional<int64_t>>>& records,
          int& sequence) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& [payload, arrival] : records) {
        list.push_back(test::recordJson(payload, std::to_string(++sequence), arrival));
    }
    protocol::MessageDecoder decoder;
    auto m = decoder.decode(test::processRecordsLine(list, 0));
    REQUIRE(m);
    p.processRecords(std::get<protocol::ProcessRecords>(m.value()), cp);
}

}  // namespace

TEST_CASE("Replayed heartbeats older than the TTL never make a user active", "[processor]") {
    ManualClock clock(10'000'000);
    ActiveUsersProcessor p(ProcessorSettings{}, clock);
    ScriptedCheckpointer cp;
    cp.clock = &clock;
    p.initialize({"shardId-1", std::string("TRIM_HORIZON"), 0});
    int seq = 0;
    const int64_t now = clock.nowMillis();
    feed(p, cp,
         {{test::heartbeatPayload(kUserA), now - 3'600'000},  // an hour old: stale
          {test::heartbeatPayload(kUserA), now - 120'000},    // exactly the TTL: stale
          {test::heartbeatPayload(kUserB), now - 119'999},    // just fresh
          {std::string("\x01\x02"), now},
          {test::heartbeatPayload(""), now}},
         seq);
    CHECK(p.stats().stale == 2);
    CHECK(p.stats().applied == 1);
    CHECK(p.stats().malformed() == 2);
    CHECK(p.stats().rejectedBreakdown() == "binary=1 missing_id=1");
    CHECK(p.table().size() == 1);
    CHECK(p.table().lastSeen(kUserB) == now - 119'999);
    CHECK(cp.requested.empty());  // the default policy never checkpoints while processing
}

TEST_CASE("Shard end checkpoints SHARD_END, retrying throttling with bounded backoff",
          "[processor]") {
    ManualClock clock(0);
    ActiveUsersProcessor p(ProcessorSettings{}, clock);
    ScriptedCheckpointer cp;
    cp.clock = &clock;
    cp.errors = {std::string("ThrottlingException"),
                 std::string("KinesisClientLibDependencyException"), std::nullopt};
    p.initialize({"shardId-1", std::string("LATEST"), 0});
    p.shardEnded(cp);
    REQUIRE(cp.requested.size() == 3);
    for (const auto& s : cp.requested) CHECK_FALSE(s);  // always null: "SHARD_END"
    CHECK(cp.at == std::vector<int64_t>{0, 100, 300});
}

TEST_CASE("Shard end writes the final snapshot before the SHARD_END checkpoint", "[processor]") {
    // The children may start, and warm-start from this snapshot, once the checkpoint succeeds.
    test::TempDir dir;
    ManualClock clock(1'000'000);
    ProcessorSettings s;
    s.stateDir = dir.path();
    s.snapshotIntervalMillis = 60'000;  // no periodic snapshot in between
    ActiveUsersProcessor p(s, clock);
    ScriptedCheckpointer cp;
    cp.clock = &clock;
    p.initialize({"shardId-1", std::string("TRIM_HORIZON"), 0});
    int seq = 0;
    feed(p, cp, {{kUserA, clock.nowMillis()}}, seq);
    clock.advance(10);
    feed(p, cp, {{kUserB, clock.nowMillis()}}, seq);  // after the first snapshot
    size_t usersAtCheckpoint = 0;
    cp.onCheckpoint = [&] {
        auto snap = readSnapshot(snapshotPath(dir.path(), "shardId-1"));
        if (snap) usersAtCheckpoint = snap->users.size();
    };
    p.shardEnded(cp);
    REQUIRE(cp.requested.size() == 1);
    CHECK(usersAtCheckpoint == 2);
}

TEST_CASE("Shard end gives up after the bounded retries", "[processor]") {
    ManualClock clock(0);
    ActiveUsersProcessor p(ProcessorSettings{}, clock);
    ScriptedCheckpointer cp;
    cp.clock = &clock;
    for (int i = 0; i < 20; ++i) cp.errors.push_back(std::string("ThrottlingException"));
    p.shardEnded(cp);
    CHECK(cp.requested.size() == 8);
    CHECK(clock.nowMillis() <= 10'000);
}

TEST_CASE("Periodic checkpoints follow the interval and stop after ShutdownException",
          "[processor]") {
    ManualClock clock(0);
    ProcessorSettings s;
    s.checkpointIntervalMillis = 60'000;
    ActiveUsersProcessor p(s, clock);
    ScriptedCheckpointer cp;
    cp.clock = &clock;
    p.initialize({"shardId-1", std::string("LATEST"), 0});
    int seq = 0;
    feed(p, cp, {{kUserA, clock.nowMillis()}}, seq);
    CHECK(cp.requested.empty());
    clock.advance(61'000);
    feed(p, cp, {{kUserA, clock.nowMillis()}, {kUserB, clock.nowMillis()}}, seq);
    REQUIRE(cp.requested.size() == 1);
    CHECK(cp.requested[0] == "3");  // the last record of the batch

    cp.errors = {std::string("ShutdownException")};
    clock.advance(61'000);
    feed(p, cp, {{kUserA, clock.nowMillis()}}, seq);
    CHECK(cp.requested.size() == 2);
    clock.advance(61'000);
    feed(p, cp, {{kUserA, clock.nowMillis()}}, seq);
    p.shutdownRequested(cp);
    CHECK(cp.requested.size() == 2);  // no more after ShutdownException
}

TEST_CASE("With checkpointing off, a graceful shutdown does not checkpoint", "[processor]") {
    ManualClock clock(0);
    ActiveUsersProcessor p(ProcessorSettings{}, clock);
    ScriptedCheckpointer cp;
    cp.clock = &clock;
    int seq = 0;
    feed(p, cp, {{kUserA, 0}}, seq);
    p.shutdownRequested(cp);
    CHECK(cp.requested.empty());

    ProcessorSettings s;
    s.checkpointIntervalMillis = 1'000;
    ActiveUsersProcessor q(s, clock);
    feed(q, cp, {{kUserA, 0}}, seq);
    q.shutdownRequested(cp);
    REQUIRE(cp.requested.size() == 1);
    CHECK(cp.requested[0] == "2");
}

TEST_CASE("Eviction and snapshots run on time without any message", "[processor]") {
    test::TempDir dir;
    ManualClock clock(1'000'000);
    ProcessorSettings s;
    s.stateDir = dir.path();
    s.ttlMillis = 10'000;
    s.snapshotIntervalMillis = 1'000;
    ActiveUsersProcessor p(s, clock);
    ScriptedCheckpointer cp;
    cp.clock = &clock;
    p.initialize({"shardId-7", std::string("LATEST"), 0});
    int seq = 0;
    feed(p, cp, {{kUserA, clock.nowMillis()}, {kUserB, clock.nowMillis() - 5'000}}, seq);

    // Drive the timers the way the session does: wake whenever the next deadline comes.
    auto runUntil = [&](int64_t until) {
        while (p.nextWakeMillis() <= until) {
            clock.set(std::max(clock.nowMillis(), p.nextWakeMillis()));
            p.onWake();
        }
        clock.set(until);
    };
    runUntil(1'001'000);
    auto snap = readSnapshot(snapshotPath(dir.path(), "shardId-7"));
    REQUIRE(snap);
    CHECK(snap->users.size() == 2);
    CHECK(snap->ttlMillis == 10'000);

    runUntil(1'006'000);  // user B (seen at 995 000) expires at 1 005 000
    CHECK(p.table().size() == 1);
    snap = readSnapshot(snapshotPath(dir.path(), "shardId-7"));
    CHECK(snap->users.count(kUserB) == 0);
    CHECK(snap->users.at(kUserA) == 1'000'000);

    runUntil(1'011'000);
    CHECK(p.table().size() == 0);
    CHECK(readSnapshot(snapshotPath(dir.path(), "shardId-7"))->users.empty());
}

TEST_CASE("The stats tell when the lease started, its last batch and how it ended (first end wins)",
          "[processor]") {
    ManualClock clock(10'000'000);
    ActiveUsersProcessor p(ProcessorSettings{}, clock);
    ScriptedCheckpointer cp;
    cp.clock = &clock;
    int seq = 0;
    CHECK(p.stats().startedAtMillis == 0);
    p.initialize({"shardId-1", std::string("LATEST"), 0});
    CHECK(p.stats().startedAtMillis == 10'000'000);
    CHECK(p.stats().lastBatchAtMillis == 0);
    clock.advance(2'000);
    feed(p, cp, {{test::heartbeatPayload(kUserA), 10'002'000}}, seq);
    CHECK(p.stats().lastBatchAtMillis == 10'002'000);
    CHECK(p.stats().endReason.empty());
    clock.advance(1'000);
    p.leaseLost();
    clock.advance(1'000);
    p.onEndOfInput();
    CHECK(p.stats().endReason == "leaseLost");
    CHECK(p.stats().endedAtMillis == 10'003'000);
}
