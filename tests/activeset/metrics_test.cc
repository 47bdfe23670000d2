#include "serve/metrics.h"

#include <catch2/catch.hpp>

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

TEST_CASE("A stats document with a number that is not an integer in range is rejected",
          "[activeset][serve][unit]") {
    // Found by fuzz/shard_stats: 1.7e24 was cast to int64 (undefined behaviour).
    for (const char* doc :
         {R"({"shardId":"s","writtenAt":1.7e24})", R"({"shardId":"s","active":-1})",
          R"({"shardId":"s","ttlMillis":18446744073709551615})",
          R"({"shardId":"s","records":"12"})", R"({"shardId":"s","malformed":{"not_json":2.5}})",
          R"({"shardId":"s","millisBehindLatest":1e300})"}) {
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
