#include "serve/metrics.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "activeset/shard_stats.h"
#include "processor/snapshot.h"
#include "support/temp_dir.h"

using namespace au;
using namespace au::activeset;

TEST_CASE("Shard stats round-trip through JSON and stats files, which query ignores",
          "[activeset][serve][unit]") {
    processor::ProcessorStats ps;
    ps.records = 10;
    ps.applied = 7;
    ps.stale = 1;
    ps.reject(processor::RejectReason::kNotJson);
    ps.reject(processor::RejectReason::kNotJson);
    ps.millisBehindLatest = 42;
    const auto s = makeShardStats("shardId-1", 5'000, 120'000, 3, ps);
    auto back = shardStatsFromJson(toJson(s));
    REQUIRE(back);
    CHECK(back->shardId == "shardId-1");
    CHECK(back->applied == 7);
    CHECK(back->malformed == std::map<std::string, uint64_t>{{"not_json", 2}});
    CHECK(back->millisBehindLatest == 42);

    test::TempDir dir;
    REQUIRE(writeStatsFile(dir.path(), s));
    auto all = readStatsDir(dir.path());
    REQUIRE(all);
    REQUIRE(all->size() == 1);
    CHECK(all->at(0).records == 10);
    auto users = processor::mergeActiveUsers(dir.path(), 5'000);
    REQUIRE(users);
    CHECK(users->empty());
}

TEST_CASE("Shard stats carry the lease's times and the notes, and older documents still parse",
          "[activeset][serve][unit]") {
    processor::ProcessorStats ps;
    ps.startedAtMillis = 1'000;
    ps.lastBatchAtMillis = 4'000;
    ps.ended("leaseLost", 4'500);
    ShardNotes notes;
    notes.setWarmStart({900, 5, 2, ""});
    notes.setRedis({false, 2, 3'000, 3'000, 2'000});
    int probes = 0;
    notes.setFixerProbe([&](int64_t now) {
        ++probes;
        return FixerNote{"cut", "backlog 2 h", now - 100};
    });
    const auto s = makeShardStats("shardId-1", 5'000, 120'000, 3, ps, &notes);
    CHECK(probes == 1);
    const auto json = nlohmann::json::parse(toJson(s));
    CHECK(json["startedAt"] == 1'000);
    CHECK(json["lastBatchAt"] == 4'000);
    CHECK(json["ended"] == nlohmann::json{{"reason", "leaseLost"}, {"at", 4'500}});
    CHECK(json["warmStart"] == nlohmann::json{{"at", 900}, {"own", 5}, {"parents", 2}});
    CHECK(json["fixer"] ==
          nlohmann::json{{"action", "cut"}, {"detail", "backlog 2 h"}, {"at", 4'900}});
    CHECK(json["redis"]["connected"] == false);
    CHECK(json["redis"]["downSince"] == 3'000);
    auto back = shardStatsFromJson(toJson(s));
    REQUIRE(back);
    CHECK(back->startedAt == 1'000);
    CHECK(back->lastBatchAt == 4'000);
    CHECK(back->endReason == "leaseLost");
    CHECK(back->endedAt == 4'500);
    REQUIRE(back->warmStart);
    CHECK(back->warmStart->own == 5);
    CHECK(back->warmStart->parents == 2);
    REQUIRE(back->fixer);
    CHECK(back->fixer->action == "cut");
    CHECK(back->fixer->at == 4'900);
    REQUIRE(back->redis);
    CHECK(back->redis->outages == 2);
    CHECK(back->redis->lastUpAt == 2'000);

    // Without notes and before any batch: nulls and no optional objects.
    const auto bare = nlohmann::json::parse(
        toJson(makeShardStats("shardId-2", 5'000, 120'000, 0, processor::ProcessorStats{})));
    CHECK(bare["lastBatchAt"].is_null());
    for (const char* key : {"ended", "warmStart", "fixer", "redis"}) {
        CHECK_FALSE(bare.contains(key));
    }
    // A document of an older processor (no times, no notes).
    auto old = shardStatsFromJson(
        R"({"version":1,"shardId":"shardId-3","writtenAt":7,"active":1,"records":2})");
    REQUIRE(old);
    CHECK(old->startedAt == 0);
    CHECK_FALSE(old->warmStart);
    CHECK_FALSE(old->fixer);
}

TEST_CASE("A stats document with a number that is not an integer in range is rejected",
          "[activeset][serve][unit]") {
    // Found by fuzz/shard_stats: 1.7e24 was cast to int64 (undefined behaviour).
    for (const char* doc :
         {R"({"shardId":"s","writtenAt":1.7e24})", R"({"shardId":"s","active":-1})",
          R"({"shardId":"s","ttlMillis":18446744073709551615})",
          R"({"shardId":"s","records":"12"})", R"({"shardId":"s","malformed":{"not_json":2.5}})",
          R"({"shardId":"s","millisBehindLatest":1e300})",
          // The fields of the dashboard's notes, just as strict.
          R"({"shardId":"s","startedAt":-1})", R"({"shardId":"s","lastBatchAt":"soon"})",
          R"({"shardId":"s","ended":{"at":5}})", R"({"shardId":"s","ended":{"reason":1}})",
          R"({"shardId":"s","warmStart":{"own":-2}})", R"({"shardId":"s","fixer":{"at":1.5}})",
          R"({"shardId":"s","redis":{"connected":"yes"}})",
          R"({"shardId":"s","redis":{"outages":1e30}})", R"({"shardId":"s","redisPartitions":0})",
          R"({"shardId":"s","redisPartitions":4294967297})"}) {
        INFO(doc);
        auto s = shardStatsFromJson(doc);
        REQUIRE_FALSE(s);
        CHECK(s.status().code() == "BadStats");
    }
    auto ok = shardStatsFromJson(
        R"({"shardId":"s","writtenAt":-5,"active":18446744073709551615,"millisBehindLatest":null})");
    REQUIRE(ok);
    CHECK(ok->writtenAt == -5);
    CHECK(ok->active == UINT64_MAX);
    CHECK_FALSE(ok->millisBehindLatest);
    // Every field a processor publishes, with the nulls it writes for "not yet".
    auto published = shardStatsFromJson(
        R"({"version":1,"shardId":"s","startedAt":null,"lastBatchAt":null,)"
        R"("ended":{"reason":"leaseLost","at":9},"warmStart":{"at":1,"own":2,"parents":3},)"
        R"("fixer":{"action":"off","detail":"","at":null},"redis":{"connected":true,"outages":0,)"
        R"("downSince":null,"lastDownAt":null,"lastUpAt":null},"redisPartitions":16384})");
    REQUIRE(published);
    CHECK(published->startedAt == 0);
    CHECK(published->endReason == "leaseLost");
    CHECK(published->endedAt == 9);
    REQUIRE(published->fixer);
    CHECK(published->fixer->at == 0);
    REQUIRE(published->redis);
    CHECK(published->redis->connected);
    CHECK(published->redisPartitions == 16'384);
}

TEST_CASE("Metrics are Prometheus text with the documented names", "[activeset][serve][unit]") {
    ShardStats a;
    a.shardId = "shardId-1";
    a.writtenAt = 9'000;
    a.active = 3;
    a.records = 10;
    a.applied = 7;
    a.stale = 1;
    a.malformed = {{"not_json", 2}};
    a.millisBehindLatest = 42;
    ShardStats b = a;
    b.shardId = "shardId-0";
    b.millisBehindLatest.reset();
    b.malformed.clear();
    const std::string text = serve::renderMetrics(5, {a, b}, 10'000);
    CHECK(text.find("# TYPE active_users gauge\nactive_users 5\n") != std::string::npos);
    CHECK(text.find("active_users_source_up 1\n") != std::string::npos);
    CHECK(text.find("active_users_heartbeats_applied_total{shard=\"shardId-1\"} 7\n") !=
          std::string::npos);
    CHECK(text.find("active_users_heartbeats_stale_total{shard=\"shardId-0\"} 1\n") !=
          std::string::npos);
    CHECK(
        text.find(
            "active_users_records_malformed_total{shard=\"shardId-1\",reason=\"not_json\"} 2\n") !=
        std::string::npos);
    CHECK(text.find("active_users_shard_millis_behind_latest{shard=\"shardId-1\"} 42\n") !=
          std::string::npos);
    CHECK(text.find("active_users_shard_millis_behind_latest{shard=\"shardId-0\"}") ==
          std::string::npos);
    CHECK(text.find("active_users_shard_stats_age_seconds{shard=\"shardId-1\"} 1.000\n") !=
          std::string::npos);
    // shards sorted
    CHECK(text.find("shard=\"shardId-0\"") < text.find("shard=\"shardId-1\""));

    const std::string down = serve::renderMetrics(std::nullopt, {}, 0);
    CHECK(down.find("active_users_source_up 0\n") != std::string::npos);
    CHECK(down.find("\nactive_users ") == std::string::npos);
}
