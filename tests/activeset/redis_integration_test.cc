// The Redis path against a real redis-server (label "integration"): killed and restarted
// mid-stream, TLS, AUTH with an ACL user, and `query --redis` on the built binary.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <thread>

#include "activeset/redis_active_set.h"
#include "activeset/redis_sink.h"
#include "activeset/user_list_format.h"
#include "app/active_set_wiring.h"
#include "app/config.h"
#include "processor_harness.h"
#include "redis/link.h"
#include "redis/redis_server.h"
#include "support/run_shell.h"
#include "support/skip.h"
#include "support/temp_dir.h"

using namespace au;
using namespace au::activeset;

namespace {

constexpr int64_t kTtl = 120'000;

std::unique_ptr<RedisSink> makeSink(const redis::ConnectOptions& connect, const std::string& key,
                                    Clock& clock) {
    RedisSink::Options o;
    o.settings.key = key;
    o.settings.timeoutMillis = 500;
    o.settings.backoffBaseMillis = 20;
    o.settings.backoffCapMillis = 200;
    o.ttlMillis = kTtl;
    o.endpointForLogs = connect.endpoint.redacted();
    return std::make_unique<RedisSink>(o, std::make_unique<redis::NodeLink>(connect), clock);
}

// The users of the set `key` active at `at` (as query --redis reads them).
Result<std::map<std::string, int64_t>> activeUsersAt(const redis::ConnectOptions& connect,
                                                     const std::string& key, int64_t at) {
    redis::NodeLink link(connect);
    if (Status st = link.connect(); !st) return st;
    return SetReader({key, false, kTtl, 0}).users(link, at);
}

std::map<std::string, int64_t> readSet(const redis::ConnectOptions& connect,
                                       const std::string& key) {
    auto users = activeUsersAt(connect, key, SystemClock().nowMillis());
    return users ? users.value() : std::map<std::string, int64_t>{};
}

// Polls (waking the processor, as the session does) until the set equals the truth; at most 10 s.
bool convergesTo(test::ProcessorHarness& h, const redis::ConnectOptions& connect,
                 const std::string& key) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
        h.wake();
        if (readSet(connect, key) == h.truth()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

processor::ProcessorSettings withTestTtl() {
    processor::ProcessorSettings settings;
    settings.ttlMillis = kTtl;
    return settings;
}

std::vector<std::string> usersRange(int from, int to) {
    std::vector<std::string> out;
    for (int i = from; i < to; ++i) out.push_back("user-" + std::to_string(i));
    return out;
}

}  // namespace

TEST_CASE("Killing redis mid-stream and restarting it empty: the set again equals the ground truth",
          "[activeset][redis]") {
    test::RedisServer redis;
    SystemClock clock;
    const std::string key = "active-users:it-kill";
    auto sink = makeSink(redis.connectOptions(), key, clock);
    test::ProcessorHarness h(withTestTtl(), clock);
    h.processor().addListener(sink.get());
    h.initialize("shardId-000000000001");

    for (int i = 0; i < 20; ++i) h.batch(usersRange(i * 50, i * 50 + 100));
    REQUIRE(convergesTo(h, redis.connectOptions(), key));

    redis.stop(SIGKILL);  // a crash: the set is gone with it (no persistence)
    int64_t slowest = 0;
    for (int i = 20; i < 60; ++i) {
        slowest = std::max(slowest, h.batch(usersRange(i * 50, i * 50 + 100)));
        h.wake();
    }
    CHECK(slowest < 100);  // batches never wait for Redis
    CHECK(sink->counters().writer.outages == 1);

    redis.start();
    for (int i = 60; i < 70; ++i) h.batch(usersRange(i * 50, i * 50 + 100));
    REQUIRE(convergesTo(h, redis.connectOptions(), key));
    CHECK(h.truth().size() == 3'550);
    CHECK(sink->counters().writer.recoveries == 1);
}

TEST_CASE("Heartbeats only move a user's score forward (ZADD GT) across processors",
          "[activeset][redis]") {
    test::RedisServer redis;
    auto c = redis::Connection::connect(redis.connectOptions());
    REQUIRE(c);
    const int64_t now = SystemClock().nowMillis();
    REQUIRE(c.value()->command({"ZADD", "k", std::to_string(now), "alice"}, 1'000));
    redis::ConnectOptions o = redis.connectOptions();
    redis::NodeLink link(o);
    ManualClock clock(now);
    WriterOptions options;
    options.key = "k";
    options.statsKey = "k:stats";
    options.shardId = "s";
    options.ttlMillis = kTtl;
    RedisSetWriter writer(link, clock, options, nullptr);
    REQUIRE(writer.tryConnect());
    WriterWork older;
    older.updates = {{"alice", now - 5'000}, {"bob", now - 1'000}};
    REQUIRE(writer.deliver(older));
    auto users = activeUsersAt(o, "k", now);
    REQUIRE(users);
    CHECK(users.value() == std::map<std::string, int64_t>{{"alice", now}, {"bob", now - 1'000}});
}

TEST_CASE("AUTH with an ACL user and SELECT of the URL's database", "[activeset][redis]") {
    test::RedisServer redis;
    auto admin = redis::Connection::connect(redis.connectOptions());
    REQUIRE(admin);
    auto acl =
        admin.value()->command({"ACL", "SETUSER", "app", "on", ">s3cret", "~*", "+@all"}, 1'000);
    REQUIRE(acl);
    REQUIRE_FALSE(acl->isError());
    auto url =
        redis::parseUrl("redis://app:s3cret@127.0.0.1:" + std::to_string(redis.port()) + "/3");
    REQUIRE(url);
    auto c = redis::Connection::connect({url.value(), {}, 1'000});
    REQUIRE(c);
    REQUIRE(c.value()->command({"SET", "x", "1"}, 1'000));
    auto inDb3 = admin.value()->command({"SELECT", "3"}, 1'000);
    auto x = admin.value()->command({"GET", "x"}, 1'000);
    REQUIRE(x);
    CHECK(x->str == "1");

    auto wrong = redis::parseUrl("redis://app:nope@127.0.0.1:" + std::to_string(redis.port()));
    auto refused = redis::Connection::connect({wrong.value(), {}, 1'000});
    REQUIRE_FALSE(refused);
    CHECK(refused.status().code() == "AuthError");
}

TEST_CASE(
    "redisPasswordEnv: processors and query --properties take the password from the "
    "environment",
    "[activeset][redis][cli]") {
    test::RedisServer redis;
    auto admin = redis::Connection::connect(redis.connectOptions());
    REQUIRE(admin);
    REQUIRE(
        admin.value()->command({"ACL", "SETUSER", "app", "on", ">s3cret", "~*", "+@all"}, 1'000));
    REQUIRE(admin.value()->command({"ACL", "SETUSER", "default", "off"}, 1'000));  // AUTH required
    test::TempDir dir;
    const std::string props =
        dir.write("app.properties",
                  "applicationName = env-pw\nactiveUsers.redisUrl = redis://app:@127.0.0.1:" +
                      std::to_string(redis.port()) +
                      "\nactiveUsers.redisPasswordEnv = AU_TEST_REDIS_PASSWORD\n");
    auto config = app::loadConfig(props);
    REQUIRE(config);

    // A processor wired as in processor mode, its environment holding the password.
    SystemClock clock;
    const MapEnvironment env(
        std::map<std::string, std::string>{{"AU_TEST_REDIS_PASSWORD", "s3cret"}});
    app::ActiveSetParts parts = app::makeActiveSetParts(config.value(), clock, env);
    REQUIRE(parts.redis);
    test::ProcessorHarness h(withTestTtl(), clock);
    parts.attachTo(h.processor());
    h.initialize("shardId-000000000001");
    h.batch(usersRange(0, 10));
    auto appUser = redis::parseUrl("redis://app:s3cret@127.0.0.1:" + std::to_string(redis.port()));
    redis::ConnectOptions asApp{appUser.value(), {}, 1'000};
    REQUIRE(convergesTo(h, asApp, "active-users:env-pw"));

    // query --redis with --properties: the same variable, from the real environment.
    const std::string query = std::string(AU_BINARY_DIR) + "/active-users query --redis " +
                              "redis://app:@127.0.0.1:" + std::to_string(redis.port()) +
                              " --properties " + props;
    auto [ok, listed] = test::runShell("AU_TEST_REDIS_PASSWORD=s3cret " + query + " 2>/dev/null");
    CHECK(ok == 0);
    CHECK(listed.rfind("10\n", 0) == 0);
    auto [refused, why] = test::runShell("env -u AU_TEST_REDIS_PASSWORD " + query + " 2>&1");
    CHECK(WEXITSTATUS(refused) == 2);
    CHECK(why.find("environment variable AU_TEST_REDIS_PASSWORD (activeUsers.redisPasswordEnv) is "
                   "not set") != std::string::npos);
}

TEST_CASE("rediss://: the same path over TLS, with certificate verification",
          "[activeset][redis][tls]") {
    if (!test::RedisServer::tlsSupported()) {
        AU_SKIP("this redis-server has no TLS support");
    }
    test::RedisServer redis(/*tls=*/true);
    SystemClock clock;
    const std::string key = "active-users:it-tls";
    auto sink = makeSink(redis.connectOptions(), key, clock);
    test::ProcessorHarness h(withTestTtl(), clock);
    h.processor().addListener(sink.get());
    h.initialize("shardId-000000000002");
    for (int i = 0; i < 10; ++i) h.batch(usersRange(i * 10, i * 10 + 30));
    REQUIRE(convergesTo(h, redis.connectOptions(), key));

    // Without the CA the server's certificate is refused; with verify off it is accepted.
    auto noCa = redis.connectOptions();
    noCa.tls.caFile.clear();
    auto refused = redis::Connection::connect(noCa);
    REQUIRE_FALSE(refused);
    CHECK(refused.status().code() == "TlsError");
    noCa.tls.verify = false;
    CHECK(redis::Connection::connect(noCa));

    // Kill and restart over TLS too.
    redis.restart();
    h.batch(usersRange(100, 110));
    REQUIRE(convergesTo(h, redis.connectOptions(), key));
}

TEST_CASE("query --redis prints the set like query --state-dir", "[activeset][redis][cli]") {
    test::RedisServer redis;
    auto c = redis::Connection::connect(redis.connectOptions());
    REQUIRE(c);
    const int64_t now = SystemClock().nowMillis();
    c.value()->command(
        {"ZADD", "active-users:q", std::to_string(now - 1'000), "bob", std::to_string(now - 2'000),
         "alice", std::to_string(now - 500'000), "expired"},
        1'000);
    const std::string cmd = std::string(AU_BINARY_DIR) + "/active-users query --redis " +
                            redis.url() + " --key active-users:q --json --at " +
                            std::to_string(now) + " 2>/dev/null";
    auto [status, out] = test::runShell(cmd);
    CHECK(status == 0);
    CHECK(out == usersAsJson({{"alice", now - 2'000}, {"bob", now - 1'000}}) + "\n");
}
