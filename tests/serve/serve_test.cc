// `serve` over loopback HTTP (label "integration"): answers equal the ground truth for both
// sources, 4xx answers are JSON with a message, and the binary stops cleanly on SIGTERM.
#include <fcntl.h>
#include <httplib.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <thread>

#include "activeset/redis_active_set.h"
#include "activeset/shard_stats.h"
#include "activeset/user_list_format.h"
#include "processor/snapshot.h"
#include "redis/redis_server.h"
#include "serve/active_set_source.h"
#include "serve/http_service.h"
#include "support/temp_dir.h"
#include "util/clock.h"

using namespace au;

namespace {

constexpr int64_t kNow = 1'800'000'000'000;

// An HttpService on 127.0.0.1:<any port>, served on a thread for the test's lifetime.
class RunningService {
  public:
    RunningService(serve::ActiveSetSource& source, const Clock& clock)
        : history_(5'000, 60'000), service_(source, clock, history_) {
        auto port = service_.bind("127.0.0.1", 0);
        REQUIRE(port);
        port_ = port.value();
        thread_ = std::thread([this] { service_.run(); });
    }
    ~RunningService() {
        service_.stop();
        thread_.join();
    }
    httplib::Client client() const {
        httplib::Client c("127.0.0.1", port_);
        c.set_connection_timeout(2);
        c.set_read_timeout(5);
        return c;
    }

    serve::History& history() { return history_; }

  private:
    serve::History history_;
    serve::HttpService service_;
    int port_ = 0;
    std::thread thread_;
};

void writeShard(const std::string& dir, const std::string& shard,
                std::initializer_list<std::pair<const char*, int64_t>> users, uint64_t applied) {
    processor::ActiveUserTable t(120'000);
    for (const auto& [id, seen] : users) t.apply(id, std::nullopt, seen);
    REQUIRE(processor::writeSnapshot(dir, shard, kNow, t));
    processor::ProcessorStats ps;
    ps.applied = applied;
    ps.records = applied + 1;
    ps.reject(processor::RejectReason::kBadBase64);
    ps.millisBehindLatest = 250;
    REQUIRE(activeset::writeStatsFile(
        dir, activeset::makeShardStats(shard, kNow, 120'000, t.size(), ps)));
}

nlohmann::json jsonOf(const httplib::Result& r) {
    REQUIRE(r);
    INFO(r->body);
    REQUIRE(r->get_header_value("Content-Type").find("application/json") == 0);
    return nlohmann::json::parse(r->body);
}

}  // namespace

TEST_CASE("serve --state-dir: users, count, health and metrics equal the ground truth", "[serve]") {
    test::TempDir dir;
    writeShard(dir.path(), "shardId-0", {{"alice", kNow - 1'000}, {"bob", kNow - 200'000}}, 5);
    writeShard(dir.path(), "shardId-1", {{"alice", kNow - 500}, {"carol", kNow - 2'000}}, 7);
    ManualClock clock(kNow);
    serve::StateDirSource source(dir.path());
    RunningService service(source, clock);
    auto http = service.client();

    const std::map<std::string, int64_t> truth = {{"alice", kNow - 500}, {"carol", kNow - 2'000}};
    auto users = http.Get("/active-users");
    REQUIRE(users);
    CHECK(users->status == 200);
    CHECK(users->body == activeset::usersAsJson(truth) + "\n");
    CHECK(jsonOf(http.Get("/active-users/count")) == nlohmann::json{{"count", 2}});
    // at= moves the cutoff: 200 s earlier, bob was active too.
    CHECK(jsonOf(http.Get("/active-users/count?at=" + std::to_string(kNow - 100'000)))["count"] ==
          3);
    CHECK(jsonOf(http.Get("/healthz"))["status"] == "ok");

    auto metrics = http.Get("/metrics");
    REQUIRE(metrics);
    CHECK(metrics->status == 200);
    CHECK(metrics->get_header_value("Content-Type").find("text/plain; version=0.0.4") == 0);
    CHECK(metrics->body.find("\nactive_users 2\n") != std::string::npos);
    CHECK(metrics->body.find("active_users_heartbeats_applied_total{shard=\"shardId-1\"} 7\n") !=
          std::string::npos);
    CHECK(metrics->body.find("active_users_records_malformed_total{shard=\"shardId-0\",reason="
                             "\"bad_base64\"} 1\n") != std::string::npos);
    CHECK(
        metrics->body.find("active_users_shard_millis_behind_latest{shard=\"shardId-0\"} 250\n") !=
        std::string::npos);
}

TEST_CASE("serve answers bad requests with a 4xx and a JSON message", "[serve]") {
    test::TempDir dir;
    ManualClock clock(kNow);
    serve::StateDirSource source(dir.path());
    RunningService service(source, clock);
    auto http = service.client();

    auto notFound = http.Get("/nope");
    REQUIRE(notFound);
    CHECK(notFound->status == 404);
    CHECK(jsonOf(notFound)["error"].get<std::string>().find("/nope") != std::string::npos);

    auto post = http.Post("/active-users", "{}", "application/json");
    REQUIRE(post);
    CHECK(post->status == 405);
    CHECK(post->get_header_value("Allow") == "GET, HEAD");
    CHECK(jsonOf(post)["error"].get<std::string>().find("POST") != std::string::npos);

    auto del = http.Delete("/metrics");
    REQUIRE(del);
    CHECK(del->status == 405);

    auto badAt = http.Get("/active-users?at=yesterday");
    REQUIRE(badAt);
    CHECK(badAt->status == 400);
    CHECK(jsonOf(badAt)["error"].get<std::string>().find("at=") != std::string::npos);

    auto unknown = http.Get("/active-users/count?limit=3");
    REQUIRE(unknown);
    CHECK(unknown->status == 400);
    CHECK(jsonOf(unknown)["error"].get<std::string>().find("limit") != std::string::npos);

    auto metricsParam = http.Get("/metrics?x=1");
    REQUIRE(metricsParam);
    CHECK(metricsParam->status == 400);
}

TEST_CASE("serve --redis: answers equal the set, and an unreachable Redis is a 503",
          "[serve][redis]") {
    test::RedisServer redis;
    auto c = redis::Connection::connect(redis.connectOptions());
    REQUIRE(c);
    const int64_t now = SystemClock().nowMillis();
    c.value()->command({"ZADD", "active-users:s", std::to_string(now - 1'000), "alice",
                        std::to_string(now - 300'000), "old"},
                       1'000);
    processor::ProcessorStats ps;
    ps.applied = 3;
    c.value()->command(
        {"HSET", "active-users:s:stats", "shardId-0",
         activeset::toJson(activeset::makeShardStats("shardId-0", now, 120'000, 1, ps))},
        1'000);
    ManualClock clock(now);
    serve::RedisSource source(redis.connectOptions(), "active-users:s", 0);
    RunningService service(source, clock);
    auto http = service.client();
    auto users = http.Get("/active-users");
    REQUIRE(users);
    CHECK(users->body == activeset::usersAsJson({{"alice", now - 1'000}}) + "\n");
    auto metrics = http.Get("/metrics");
    REQUIRE(metrics);
    CHECK(metrics->body.find("active_users_heartbeats_applied_total{shard=\"shardId-0\"} 3\n") !=
          std::string::npos);

    redis.stop(SIGKILL);
    auto down = http.Get("/active-users/count");
    REQUIRE(down);
    CHECK(down->status == 503);
    auto health = http.Get("/healthz");
    REQUIRE(health);
    CHECK(health->status == 503);
    redis.start();
    auto again = http.Get("/healthz");
    REQUIRE(again);
    CHECK(again->status == 200);
}

TEST_CASE("The serve command binds the given address and stops cleanly on SIGTERM",
          "[serve][cli]") {
    test::TempDir dir;
    const int port = test::freeLoopbackPort();
    std::vector<std::string> args = {std::string(AU_BINARY_DIR) + "/active-users",
                                     "serve",
                                     "--state-dir",
                                     dir.path(),
                                     "--listen",
                                     "127.0.0.1:" + std::to_string(port)};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 2, dir.file("serve.log").c_str(), O_WRONLY | O_CREAT,
                                     0644);
    pid_t pid = 0;
    REQUIRE(::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) == 0);
    posix_spawn_file_actions_destroy(&actions);

    httplib::Client http("127.0.0.1", port);
    bool up = false;
    for (int i = 0; i < 200 && !up; ++i) {
        auto r = http.Get("/healthz");
        up = r && r->status == 200;
        if (!up) std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    CHECK(up);
    CHECK(::kill(pid, SIGTERM) == 0);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("serve's dashboard: the page, its assets, the history and the shard table",
          "[serve][dashboard]") {
    test::TempDir dir;
    writeShard(dir.path(), "shardId-1", {{"alice", kNow - 1'000}}, 5);
    writeShard(dir.path(), "shardId-0", {{"bob", kNow - 1'000}}, 3);
    ManualClock clock(kNow);
    serve::StateDirSource source(dir.path());
    RunningService service(source, clock);
    service.history().record(kNow - 5'000, Result<size_t>(size_t(1)), source.shardStats());
    service.history().record(kNow, Result<size_t>(size_t(2)), source.shardStats());
    auto http = service.client();

    auto page = http.Get("/?refresh=1000");
    REQUIRE(page);
    CHECK(page->status == 200);
    CHECK(page->get_header_value("Content-Type") == "text/html; charset=utf-8");
    CHECK(page->body.find("active users now") != std::string::npos);
    // Everything the page loads is served here (no other host).
    for (const char* asset : {"/assets/dashboard.js", "/assets/dashboard.css",
                              "/assets/uPlot.iife.min.js", "/assets/uPlot.min.css"}) {
        INFO(asset);
        CHECK(page->body.find(asset) != std::string::npos);
        auto r = http.Get(asset);
        REQUIRE(r);
        CHECK(r->status == 200);
        CHECK(r->body.size() > 20);
    }
    CHECK(page->body.find("://") == std::string::npos);  // no absolute URL: no CDN
    auto missing = http.Get("/assets/nope.js");
    REQUIRE(missing);
    CHECK(missing->status == 404);

    const auto history = jsonOf(http.Get("/active-users/history"));
    CHECK(history["intervalMillis"] == 5'000);
    CHECK(history["samples"] ==
          nlohmann::json::parse("[[" + std::to_string(kNow - 5'000) + ",1,250],[" +
                                std::to_string(kNow) + ",2,250]]"));
    const auto shards = jsonOf(http.Get("/active-users/shards"));
    REQUIRE(shards["shards"].size() == 2);
    CHECK(shards["shards"][0]["shardId"] == "shardId-0");
    CHECK(shards["shards"][1]["applied"] == 5);
    CHECK(shards["shards"][1]["millisBehindLatest"] == 250);
    auto bad = http.Get("/active-users/history?x=1");
    REQUIRE(bad);
    CHECK(bad->status == 400);
}
