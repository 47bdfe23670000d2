// The Redis path's buffering, backoff, outage logging and resync logic, with a scripted link and a
// manual clock: no network, no sleeping (the sink runs without its thread; pumpOnce() is the
// worker's loop body).
#include "activeset/redis_sink.h"

#include <catch2/catch.hpp>
#include <set>

#include "activeset/shard_stats.h"
#include "log_capture.h"
#include "redis/fake_link.h"
#include "util/clock.h"

using namespace au;
using namespace au::activeset;
using au::redis::testing::FakeLink;
using au::redis::testing::parseCommand;

namespace {

struct Fixture {
    ManualClock clock{1'000'000};
    FakeLink* link = nullptr;
    std::unique_ptr<RedisSink> sink;
    processor::ActiveUserTable table{120'000};
    processor::ProcessorStats stats;

    activeset::ShardNotes notes;

    explicit Fixture(size_t maxPending = 100) {
        RedisSink::Options o;
        o.notes = &notes;
        o.settings.key = "active-users:test";
        o.settings.maxPendingUsers = maxPending;
        o.settings.backoffBaseMillis = 100;
        o.settings.backoffCapMillis = 1'600;
        o.ttlMillis = 120'000;
        o.endpointForLogs = "redis://fake:6379/0";
        o.startThread = false;
        auto l = std::make_unique<FakeLink>();
        link = l.get();
        sink = std::make_unique<RedisSink>(o, std::move(l), clock, [] { return 1.0 - 1e-9; });
        sink->onStart("shardId-1", clock.nowMillis(), table);
    }
    // A batch as the processor delivers it: apply to the table, tell the sink.
    void batch(std::initializer_list<std::pair<const char*, int64_t>> heartbeats) {
        for (const auto& [id, t] : heartbeats) {
            if (table.apply(id, std::nullopt, t)) sink->onApplied(id, t);
        }
        sink->onBatchEnd(clock.nowMillis(), table, stats);
    }
    void tick() { sink->onTick(clock.nowMillis(), table, stats); }
};

bool anyCommand(const FakeLink& link, const std::string& name) {
    for (const auto& p : link.sent)
        for (const auto& c : p)
            if (parseCommand(c)[0] == name) return true;
    return false;
}

}  // namespace

TEST_CASE("Heartbeats reach the set as ZADD GT, coalesced per user, with the stats and eviction",
          "[activeset][unit]") {
    Fixture f;
    f.sink->pumpOnce();  // connects; asks for a resync of the (empty) table
    f.batch({{"alice", 999'000}, {"bob", 999'500}, {"alice", 999'900}});
    f.sink->pumpOnce();
    CHECK(f.link->zaddMembers() ==
          std::map<std::string, int64_t>{{"alice", 999'900}, {"bob", 999'500}});
    bool sawGt = false, sawEvict = false, sawStats = false;
    for (const auto& p : f.link->sent) {
        for (const auto& c : p) {
            const auto args = parseCommand(c);
            if (args[0] == "ZADD") sawGt = args[1] == "active-users:test" && args[2] == "GT";
            if (args[0] == "ZREMRANGEBYSCORE") {
                sawEvict = args[2] == "-inf" && args[3] == std::to_string(1'000'000 - 120'000);
            }
            if (args[0] == "HSET")
                sawStats = args[1] == "active-users:test:stats" && args[2] == "shardId-1";
        }
    }
    CHECK(sawGt);
    CHECK(sawEvict);
    CHECK(sawStats);
}

TEST_CASE("An outage logs one line, backs off up to the cap, and recovery resends the whole table",
          "[activeset][unit]") {
    test::LogCapture logs;
    Fixture f;
    f.sink->pumpOnce();
    f.batch({{"alice", 999'000}});
    f.sink->pumpOnce();
    REQUIRE(f.link->zaddMembers().count("alice"));

    // Redis goes away: the next delivery fails, reconnects fail with growing delays.
    f.link->down = true;
    std::vector<int> attemptsAt;
    for (int i = 0; i < 200; ++i) {  // 200 batches and pumps, 50 ms apart (10 s)
        f.batch({{"carol", f.clock.nowMillis()}});
        const int before = f.link->connectCalls;
        f.sink->pumpOnce();
        if (f.link->connectCalls != before)
            attemptsAt.push_back(static_cast<int>(f.clock.nowMillis() - 1'000'000));
        f.clock.advance(50);
    }
    CHECK(logs.count("unavailable") == 1);
    CHECK(logs.count("reachable again") == 0);
    // Delays ~100, 200, 400, 800, 1600, 1600 ... (jitter at its top): far fewer than 200 attempts.
    REQUIRE(attemptsAt.size() >= 5);
    CHECK(attemptsAt.size() < 15);
    for (size_t i = 1; i < attemptsAt.size(); ++i)
        CHECK(attemptsAt[i] - attemptsAt[i - 1] <= 1'650);
    CHECK(f.sink->counters().pending == 1);  // carol, coalesced
    CHECK(f.sink->counters().writer.outages == 1);
    // The notes (published with the stats) tell of the outage.
    REQUIRE(f.notes.redis());
    CHECK_FALSE(f.notes.redis()->connected);
    CHECK(f.notes.redis()->outages == 1);
    const int64_t downSince = f.notes.redis()->downSince;
    CHECK(downSince >= 1'000'000);
    CHECK(downSince < 1'000'000 + 200);
    CHECK(f.notes.redis()->lastUpAt == 0);

    // Redis is back, empty: the reconnect asks for a resync, the next tick supplies the table.
    f.link->down = false;
    f.link->sent.clear();
    f.clock.advance(2'000);
    f.sink->pumpOnce();  // connects
    f.tick();            // protocol thread hands over the whole table
    f.sink->pumpOnce();  // delivers it
    CHECK(f.link->zaddMembers() ==
          std::map<std::string, int64_t>{{"alice", 999'000}, {"carol", 1'000'000 + 199 * 50}});
    CHECK(logs.count("reachable again") == 1);
    REQUIRE(f.notes.redis());
    CHECK(f.notes.redis()->connected);
    CHECK(f.notes.redis()->downSince == 0);
    CHECK(f.notes.redis()->lastDownAt == downSince);
    CHECK(f.notes.redis()->lastUpAt == f.clock.nowMillis());
    CHECK(f.sink->counters().resyncs >= 2);
    CHECK(f.sink->counters().pending == 0);
}

TEST_CASE("A full buffer drops new users during an outage and the resync after it restores them",
          "[activeset][unit]") {
    Fixture f(/*maxPending=*/3);
    f.link->down = true;
    f.sink->pumpOnce();
    f.batch({{"u1", 999'001}, {"u2", 999'002}, {"u3", 999'003}, {"u4", 999'004}, {"u5", 999'005}});
    CHECK(f.sink->counters().pending == 3);
    CHECK(f.sink->counters().dropped == 2);
    f.link->down = false;
    f.clock.advance(10'000);
    f.sink->pumpOnce();
    f.tick();
    f.sink->pumpOnce();
    CHECK(f.link->zaddMembers().size() == 5);
}

TEST_CASE("A Redis error reply (e.g. no ZADD GT before Redis 6.2) is treated as an outage",
          "[activeset][unit]") {
    test::LogCapture logs;
    Fixture f;
    f.sink->pumpOnce();
    f.link->pipelineScript.push_back(
        std::vector<redis::Reply>{redis::Reply::error("ERR syntax error")});
    f.batch({{"alice", 999'000}});
    f.sink->pumpOnce();
    CHECK(logs.count("unavailable") == 1);
    CHECK(logs.count("ERR syntax error") == 1);
    CHECK(f.sink->counters().writer.outages == 1);
}

TEST_CASE("The protocol thread never touches the link: batches only fill the buffer",
          "[activeset][unit]") {
    Fixture f;
    for (int i = 0; i < 50; ++i) f.batch({{"alice", 999'000 + i}});
    CHECK(f.link->connectCalls == 0);
    CHECK(f.link->sent.empty());
    f.sink->onEnd(f.clock.nowMillis(), f.table, f.stats);  // not connected: returns at once
    CHECK(f.link->sent.empty());
    CHECK_FALSE(anyCommand(*f.link, "ZADD"));
}

TEST_CASE("On a cluster the sink writes each user to its partition, GUIDs as binary members",
          "[activeset][cluster][unit]") {
    ManualClock clock{1'000'000};
    auto l = std::make_unique<FakeLink>();
    FakeLink* link = l.get();
    RedisSink::Options o;
    o.settings.key = "active-users:c";
    o.settings.partitions = 8;
    o.settings.memberFormat = MemberFormat::kBinary;
    o.ttlMillis = 120'000;
    o.startThread = false;
    RedisSink sink(o, std::move(l), clock, [] { return 0.5; });
    processor::ActiveUserTable table{120'000};
    processor::ProcessorStats stats;
    sink.onStart("shardId-1", clock.nowMillis(), table);
    sink.pumpOnce();
    const std::string guid = "0123abcd-4567-89ef-0123-456789abcdef";
    for (const char* id : {guid.c_str(), "alice", "bob"}) {
        table.apply(id, parseGuid(id), 999'000);
        sink.onApplied(id, 999'000);
    }
    sink.onBatchEnd(clock.nowMillis(), table, stats);
    sink.pumpOnce();

    const auto layout = SetLayout::partitioned("active-users:c", 8, MemberFormat::kBinary);
    std::map<std::string, std::string> keyOf;  // user id -> the key it was written to
    int evictions = 0;
    std::string published;
    for (const auto& p : link->sent) {
        for (const auto& c : p) {
            const auto args = parseCommand(c);
            if (args[0] == "ZREMRANGEBYSCORE") ++evictions;
            if (args[0] == "HSET") published = args[3];
            if (args[0] != "ZADD") continue;
            for (size_t i = 4; i < args.size(); i += 2) keyOf[userIdOfMember(args[i])] = args[1];
        }
    }
    REQUIRE(keyOf.size() == 3);
    for (const auto& [id, key] : keyOf) CHECK(key == layout.partitionKey(layout.partitionOf(id)));
    CHECK(layout.member(guid).size() == 17);
    CHECK(evictions == 1);  // 1/16 of the partitions per round, at least one
    auto stats2 = shardStatsFromJson(published);
    REQUIRE(stats2);
    CHECK(stats2->redisPartitions == 8);  // readers without the configuration find them
}

TEST_CASE("A large resync on a cluster goes out in round trips of at most 4 MiB",
          "[activeset][cluster][unit]") {
    ManualClock clock{1'000'000};
    auto l = std::make_unique<FakeLink>();
    FakeLink* link = l.get();
    RedisSink::Options o;
    o.settings.key = "active-users:c";
    o.settings.partitions = 256;
    o.settings.memberFormat = MemberFormat::kText;
    o.startThread = false;
    RedisSink sink(o, std::move(l), clock, [] { return 0.5; });
    processor::ActiveUserTable table{120'000};
    processor::ProcessorStats stats;
    for (int i = 0; i < 200'000; ++i)
        table.apply("user-" + std::to_string(i), std::nullopt, 999'000);
    sink.onStart("shardId-1", clock.nowMillis(), table);
    sink.pumpOnce();                               // connects, asks for the table
    sink.onTick(clock.nowMillis(), table, stats);  // hands it over
    sink.pumpOnce();                               // delivers it
    size_t roundTrips = 0;
    for (const auto& pipeline : link->sent) {
        size_t bytes = 0, largest = 0;
        for (const auto& c : pipeline) {
            bytes += c.size();
            largest = std::max(largest, c.size());
        }
        CHECK(bytes - largest < RedisSetWriter::kBytesPerPipeline);
        ++roundTrips;
    }
    CHECK(roundTrips >= 3);  // ~12 MB of ZADDs
    CHECK(link->zaddMembers().size() == 200'000);
}

TEST_CASE("Eviction visits the partitions in turn: all of them every 16 rounds",
          "[activeset][cluster][unit]") {
    ManualClock clock{1'000'000};
    auto l = std::make_unique<FakeLink>();
    FakeLink* link = l.get();
    RedisSink::Options o;
    o.settings.key = "active-users:c";
    o.settings.partitions = 40;  // 3 per round
    o.settings.evictIntervalMillis = 5'000;
    o.ttlMillis = 120'000;
    o.startThread = false;
    RedisSink sink(o, std::move(l), clock, [] { return 0.5; });
    processor::ActiveUserTable table{120'000};
    sink.onStart("shardId-7", clock.nowMillis(), table);
    std::map<std::string, int> evicted;  // partition key -> rounds that evicted it
    std::set<size_t> perRound;
    for (int round = 0; round < 14; ++round) {
        link->sent.clear();
        sink.pumpOnce();
        size_t n = 0;
        for (const auto& p : link->sent) {
            for (const auto& c : p) {
                const auto args = parseCommand(c);
                if (args[0] != "ZREMRANGEBYSCORE") continue;
                CHECK(args[3] == std::to_string(clock.nowMillis() - 120'000));
                ++evicted[args[1]];
                ++n;
            }
        }
        perRound.insert(n);
        clock.advance(5'000);
    }
    CHECK(perRound == std::set<size_t>{3});
    CHECK(evicted.size() == 40);  // 14 rounds x 3 >= 40: every partition, none forgotten
    for (const auto& [key, n] : evicted) CHECK(n <= 2);
}
