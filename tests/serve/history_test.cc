// The dashboard's memory (serve/history.h) and its shard table (serve/shard_table.h).
#include "serve/history.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "serve/shard_table.h"

using namespace au;
using namespace au::serve;

namespace {

constexpr int64_t kT0 = 1'800'000'000'000;

activeset::ShardStats stats(const std::string& shard, int64_t pid, int64_t writtenAt,
                            uint64_t records) {
    activeset::ShardStats s;
    s.shardId = shard;
    s.pid = pid;
    s.writtenAt = writtenAt;
    s.records = records;
    s.startedAt = kT0 - 1'000;
    return s;
}

using Shards = std::vector<activeset::ShardStats>;

std::vector<std::string> kindsOf(const History& h) {
    std::vector<std::string> out;
    for (const auto& e : h.events()) out.push_back(e.kind + " " + e.shard);
    return out;
}

}  // namespace

TEST_CASE("History keeps one sample per record, at most the window's worth", "[serve][unit]") {
    History h(5'000, 20'000);  // 20 s / 5 s: 5 samples (both ends)
    for (int i = 0; i < 8; ++i) {
        h.record(kT0 + i * 5'000, Result<size_t>(size_t(i)), Shards{});
    }
    const auto samples = h.samples();
    REQUIRE(samples.size() == 5);
    CHECK(samples.front().t == kT0 + 3 * 5'000);
    CHECK(samples.back().count == 7u);
    const auto j = nlohmann::json::parse(h.json());
    CHECK(j["intervalMillis"] == 5'000);
    CHECK(j["samples"].size() == 5);
    CHECK(j["samples"][4] == nlohmann::json::array({kT0 + 7 * 5'000, 7, nullptr}));
}

TEST_CASE("An unreadable source is a gap in the samples and two events", "[serve][unit]") {
    History h(1'000, 60'000);
    h.record(kT0, Result<size_t>(size_t(3)), Shards{});
    h.record(kT0 + 1'000, Status::error("ConnectionError", "refused"), Status::error("x", "y"));
    h.record(kT0 + 2'000, Status::error("ConnectionError", "refused"), Status::error("x", "y"));
    h.record(kT0 + 3'000, Result<size_t>(size_t(4)), Shards{});
    const auto samples = h.samples();
    REQUIRE(samples.size() == 4);
    CHECK_FALSE(samples[1].count);
    CHECK(nlohmann::json::parse(h.json())["samples"][1][1].is_null());
    const auto events = h.events();
    REQUIRE(events.size() == 2);
    CHECK(events[0].kind == "sourceDown");
    CHECK(events[0].t == kT0 + 1'000);
    CHECK(events[0].text.find("refused") != std::string::npos);
    CHECK(events[1].kind == "sourceUp");
    CHECK(events[1].t == kT0 + 3'000);
}

TEST_CASE("Events come from the published stats, once each, at the time they happened",
          "[serve][unit]") {
    History h(1'000, 600'000);
    auto a = stats("shardId-0", 100, kT0, 10);
    a.warmStart = activeset::WarmStartNote{kT0 - 1'000, 7, 3, ""};
    auto b = stats("shardId-1", 101, kT0, 10);
    b.fixer = activeset::FixerNote{"cut", "backlog 3600 s > max replay 120 s", kT0 - 500};
    b.redis = activeset::RedisNote{true, 1, 0, kT0 - 900, kT0 - 700};
    h.record(kT0, Result<size_t>(size_t(10)), Shards{a, b});
    h.record(kT0 + 1'000, Result<size_t>(size_t(10)), Shards{a, b});  // nothing new
    CHECK(kindsOf(h) == std::vector<std::string>{"start shardId-0", "start shardId-1",
                                                 "redisDown shardId-1", "redisUp shardId-1",
                                                 "fixerCut shardId-1"});
    const auto events = h.events();
    CHECK(events[0].text ==
          "processor pid 100 started; warm start: 7 users from its own snapshot, 3 from parent "
          "shards");
    CHECK(events[4].t == kT0 - 500);
    CHECK(events[4].text.find("backlog 3600 s") != std::string::npos);

    // The lease is lost, and a new process takes the shard over.
    a.endReason = "leaseLost";
    a.endedAt = kT0 + 1'500;
    h.record(kT0 + 2'000, Result<size_t>(size_t(10)), Shards{a, b});
    auto c = stats("shardId-0", 200, kT0 + 3'000, 0);
    c.startedAt = kT0 + 2'500;
    c.warmStart = activeset::WarmStartNote{kT0 + 2'500, 9, 0, "NoRegion: no region"};
    h.record(kT0 + 3'000, Result<size_t>(size_t(10)), Shards{c, b});
    const auto later = h.events();
    REQUIRE(later.size() == 7);
    CHECK(later[5].kind == "leaseLost");
    CHECK(later[5].text == "pid 100 lost the lease");
    CHECK(later[6].kind == "start");
    CHECK(later[6].text.find("pid 200") != std::string::npos);
    CHECK(later[6].text.find("parents unknown: NoRegion") != std::string::npos);
}

TEST_CASE("Each sample has the largest backlog of the running processors", "[serve][unit]") {
    History h(1'000, 60'000);
    auto a = stats("shardId-0", 1, kT0, 0);
    a.millisBehindLatest = 2'000;
    auto b = stats("shardId-1", 2, kT0, 0);
    b.millisBehindLatest = 90'000;
    auto ended = stats("shardId-2", 3, kT0, 0);
    ended.millisBehindLatest = 500'000;
    ended.endReason = "shardEnded";
    ended.endedAt = kT0 - 10;
    h.record(kT0, Result<size_t>(size_t(0)), Shards{a, b, ended});
    h.record(kT0 + 1'000, Result<size_t>(size_t(0)), Shards{ended});
    const auto samples = h.samples();
    CHECK(samples[0].behindMillis == 90'000);
    CHECK_FALSE(samples[1].behindMillis);
    CHECK(nlohmann::json::parse(h.json())["samples"][0][2] == 90'000);
}

TEST_CASE("Events older than the window are dropped", "[serve][unit]") {
    History h(1'000, 10'000);
    auto a = stats("shardId-0", 100, kT0, 0);
    a.startedAt = kT0 - 60'000;  // before the window: never recorded
    h.record(kT0, Result<size_t>(size_t(0)), Shards{a});
    CHECK(h.events().empty());
    a.startedAt = kT0 - 5'000;
    h.record(kT0, Result<size_t>(size_t(0)), Shards{a});
    CHECK(h.events().size() == 1);
    h.record(kT0 + 6'000, Result<size_t>(size_t(0)), Shards{});
    CHECK(h.events().empty());
}

TEST_CASE("records/s comes from two stats of the same process", "[serve][unit]") {
    History h(1'000, 60'000);
    h.record(kT0, Result<size_t>(size_t(0)), Shards{stats("s", 1, kT0, 100)});
    CHECK_FALSE(h.recordsPerSecond("s"));
    h.record(kT0 + 1'000, Result<size_t>(size_t(0)), Shards{stats("s", 1, kT0 + 2'000, 600)});
    REQUIRE(h.recordsPerSecond("s"));
    CHECK(*h.recordsPerSecond("s") == Approx(250.0));
    // Stats not rewritten since: the rate stays.
    h.record(kT0 + 2'000, Result<size_t>(size_t(0)), Shards{stats("s", 1, kT0 + 2'000, 600)});
    CHECK(*h.recordsPerSecond("s") == Approx(250.0));
    // A new process: counters restart, no rate until its second stats.
    h.record(kT0 + 3'000, Result<size_t>(size_t(0)), Shards{stats("s", 2, kT0 + 3'000, 5)});
    CHECK_FALSE(h.recordsPerSecond("s"));
}

TEST_CASE("The shard table has ages, rates and the notes, sorted by shard", "[serve][unit]") {
    History h(1'000, 60'000);
    auto b = stats("shardId-1", 7, kT0, 50);
    b.active = 4;
    b.lastBatchAt = kT0 - 2'000;
    b.millisBehindLatest = 1'500;
    b.malformed = {{"not_json", 2}};
    b.fixer = activeset::FixerNote{"left alone", "backlog 0 s", kT0 - 9'000};
    b.warmStart = activeset::WarmStartNote{kT0 - 9'000, 3, 1, ""};
    auto a = stats("shardId-0", 6, kT0, 0);
    a.endReason = "shardEnded";
    a.endedAt = kT0 - 100;
    h.record(kT0, Result<size_t>(size_t(4)), Shards{b, a});
    const auto j = nlohmann::json::parse(shardTableJson({b, a}, kT0 + 1'000, h));
    CHECK(j["now"] == kT0 + 1'000);
    REQUIRE(j["shards"].size() == 2);
    const auto& first = j["shards"][0];
    CHECK(first["shardId"] == "shardId-0");
    CHECK(first["lastBatchAgeMillis"].is_null());
    CHECK(first["ended"] == nlohmann::json{{"reason", "shardEnded"}, {"at", kT0 - 100}});
    const auto& row = j["shards"][1];
    CHECK(row["active"] == 4);
    CHECK(row["millisBehindLatest"] == 1'500);
    CHECK(row["lastBatchAgeMillis"] == 3'000);
    CHECK(row["statsAgeMillis"] == 1'000);
    CHECK(row["recordsPerSecond"].is_null());
    CHECK(row["rejected"] == nlohmann::json{{"not_json", 2}});
    CHECK(row["fixer"]["action"] == "left alone");
    CHECK(row["warmStart"]["own"] == 3);
    CHECK(row["warmStart"]["parents"] == 1);
    CHECK(row["redis"].is_null());
}
