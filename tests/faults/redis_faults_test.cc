// Redis faults (labels "integration", "faults"): a real redis-server, directly or behind a
// TcpFaultProxy, while it is slow, stalled (SIGSTOP) or behind a half-open link. In process, a
// processor with the RedisSink (the same objects processor mode wires) asserts that batches never
// wait for Redis, that the pending buffer stays within its bound, that an outage is logged once
// and its end once, and that the set equals the ground truth after the fault. Through the binary,
// the replies to the daemon stay within 2 s and no output of any command carries the password.
#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <thread>

#include "activeset/log_capture.h"
#include "activeset/processor_harness.h"
#include "activeset/redis_active_set.h"
#include "activeset/redis_sink.h"
#include "faults/fault_support.h"
#include "faults/tcp_fault_proxy.h"
#include "redis/link.h"
#include "redis/redis_server.h"
#include "support/run_shell.h"
#include "support/temp_dir.h"

using namespace au;
using namespace au::test;
using nlohmann::json;

namespace {

constexpr int64_t kTtl = 120'000;
constexpr size_t kBound = 150;  // activeUsers.redisMaxPendingUsers in these tests

redis::ConnectOptions through(int port, int64_t timeoutMillis = 300) {
    redis::ConnectOptions o;
    o.endpoint.host = "127.0.0.1";
    o.endpoint.port = port;
    o.timeoutMillis = timeoutMillis;
    return o;
}

std::unique_ptr<activeset::RedisSink> makeSink(const redis::ConnectOptions& connect,
                                               const std::string& key, Clock& clock) {
    activeset::RedisSink::Options o;
    o.settings.key = key;
    o.settings.timeoutMillis = connect.timeoutMillis;
    o.settings.maxPendingUsers = kBound;
    o.settings.backoffBaseMillis = 20;
    o.settings.backoffCapMillis = 200;
    o.ttlMillis = kTtl;
    o.endpointForLogs = connect.endpoint.redacted();
    return std::make_unique<activeset::RedisSink>(o, std::make_unique<redis::NodeLink>(connect),
                                                  clock);
}

std::map<std::string, int64_t> readSet(int port, const std::string& key) {
    redis::NodeLink link(through(port, 2'000));
    if (!link.connect()) return {};
    auto users = activeset::SetReader({key, false, kTtl, 0}).users(link, SystemClock().nowMillis());
    return users ? users.value() : std::map<std::string, int64_t>{};
}

// Polls (waking the processor, as the session does) until the set equals the truth; at most 10 s.
bool convergesTo(ProcessorHarness& h, int port, const std::string& key) {
    const auto t0 = std::chrono::steady_clock::now();
    while (millisSince(t0) < 10'000) {
        h.wake();
        if (readSet(port, key) == h.truth()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

std::vector<std::string> usersRange(int from, int to) {
    std::vector<std::string> out;
    for (int i = from; i < to; ++i) out.push_back("user-" + std::to_string(i));
    return out;
}

processor::ProcessorSettings withTestTtl() {
    processor::ProcessorSettings settings;
    settings.ttlMillis = kTtl;
    return settings;
}

// Feeds a batch of 40 new users every 20 ms for `millis` (more than the buffer's bound in all),
// waking the processor as the session does. Returns the slowest batch (ms); the largest pending
// buffer seen goes to `maxPending`.
int64_t feed(ProcessorHarness& h, activeset::RedisSink& sink, int& next, int64_t millis,
             size_t& maxPending) {
    int64_t slowest = 0;
    const auto t0 = std::chrono::steady_clock::now();
    while (millisSince(t0) < millis) {
        slowest = std::max(slowest, h.batch(usersRange(next, next + 40)));
        next += 40;
        h.wake();
        maxPending = std::max(maxPending, sink.counters().pending);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return slowest;
}

}  // namespace

TEST_CASE(
    "A slow Redis: below the timeout nothing is an outage, above it one warning, batches never "
    "wait, the buffer stays within its bound, and the set converges",
    "[faults][redis]") {
    RedisServer redis;
    TcpFaultProxy proxy(redis.port());
    REQUIRE(proxy.ok());
    LogCapture logs;
    SystemClock clock;
    const std::string key = "active-users:faults-slow";
    auto sink = makeSink(through(proxy.port()), key, clock);
    ProcessorHarness h(withTestTtl(), clock);
    h.processor().addListener(sink.get());
    h.initialize("shardId-000000000001");
    int next = 0;
    size_t maxPending = 0;
    feed(h, *sink, next, 300, maxPending);
    REQUIRE(convergesTo(h, redis.port(), key));

    proxy.setMode(TcpFaultProxy::Mode::kSlow, 150);  // every answer 150 ms late; timeout 300 ms
    int64_t slowest = feed(h, *sink, next, 1'500, maxPending);
    CHECK(sink->counters().writer.outages == 0);
    proxy.setMode(TcpFaultProxy::Mode::kSlow, 600);  // later than the timeout
    slowest = std::max(slowest, feed(h, *sink, next, 1'500, maxPending));
    CHECK(sink->counters().writer.outages == 1);

    proxy.setMode(TcpFaultProxy::Mode::kPass);
    CHECK(convergesTo(h, redis.port(), key));
    CHECK(slowest < 100);  // a batch of 40 users: its own merge only
    CHECK(maxPending <= kBound);
    figure(Catch::getResultCapture().getCurrentTestName() + ": slowest batch " +
           std::to_string(slowest) + " ms, largest pending buffer " + std::to_string(maxPending));
    // The set can equal the truth a moment before the writer counts and logs its recovery.
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (sink->counters().writer.recoveries == 0 && std::chrono::steady_clock::now() < until) {
        h.wake();
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    CHECK(sink->counters().writer.recoveries == 1);
    CHECK(sink->counters().dropped > 0);  // the bound was reached; the resync restored them
    CHECK(logs.count("unavailable") == 1);
    CHECK(logs.count("reachable again") == 1);
}

TEST_CASE(
    "A stalled Redis (SIGSTOP, then SIGCONT): batches never wait, the buffer stays within its "
    "bound, a lease end does not wait for it, and the set converges",
    "[faults][redis]") {
    RedisServer redis;
    LogCapture logs;
    SystemClock clock;
    const std::string key = "active-users:faults-stalled";
    auto sink = makeSink(through(redis.port()), key, clock);
    ProcessorHarness h(withTestTtl(), clock);
    h.processor().addListener(sink.get());
    h.initialize("shardId-000000000002");
    int next = 0;
    size_t maxPending = 0;
    feed(h, *sink, next, 300, maxPending);
    REQUIRE(convergesTo(h, redis.port(), key));

    REQUIRE(::kill(redis.pid(), SIGSTOP) == 0);
    const int64_t slowest = feed(h, *sink, next, 2'000, maxPending);
    REQUIRE(::kill(redis.pid(), SIGCONT) == 0);
    CHECK(slowest < 100);
    CHECK(maxPending <= kBound);
    figure(Catch::getResultCapture().getCurrentTestName() + ": slowest batch " +
           std::to_string(slowest) + " ms, largest pending buffer " + std::to_string(maxPending));
    CHECK(convergesTo(h, redis.port(), key));
    CHECK(sink->counters().writer.outages == 1);
    CHECK(sink->counters().writer.recoveries == 1);
    CHECK(logs.count("unavailable") == 1);
    CHECK(logs.count("reachable again") == 1);

    // Stalled again, then the lease ends: the final flush waits at most finalFlushMillis (1 s),
    // and not at all once the outage is known.
    REQUIRE(::kill(redis.pid(), SIGSTOP) == 0);
    feed(h, *sink, next, 200, maxPending);
    const auto t0 = std::chrono::steady_clock::now();
    h.processor().leaseLost();
    const int64_t endMillis = millisSince(t0);
    REQUIRE(::kill(redis.pid(), SIGCONT) == 0);
    CHECK(endMillis < 1'500);  // finalFlushMillis (1 s) and a margin for a loaded machine
    figure("lease end while stalled: " + std::to_string(endMillis) + " ms");
}

TEST_CASE(
    "A half-open connection (no FIN, no RST, no bytes): detected by the round-trip timeout, "
    "logged once, the buffer bounded, and the set converges once the link is back",
    "[faults][redis]") {
    RedisServer redis;
    TcpFaultProxy proxy(redis.port());
    REQUIRE(proxy.ok());
    LogCapture logs;
    SystemClock clock;
    const std::string key = "active-users:faults-half-open";
    auto sink = makeSink(through(proxy.port()), key, clock);
    ProcessorHarness h(withTestTtl(), clock);
    h.processor().addListener(sink.get());
    h.initialize("shardId-000000000003");
    int next = 0;
    size_t maxPending = 0;
    feed(h, *sink, next, 300, maxPending);
    REQUIRE(convergesTo(h, redis.port(), key));
    const int connectionsBefore = proxy.connectionsAccepted();

    proxy.setMode(TcpFaultProxy::Mode::kBlackhole);
    const int64_t slowest = feed(h, *sink, next, 2'000, maxPending);
    CHECK(sink->counters().writer.outages == 1);
    CHECK(proxy.connectionsAccepted() > connectionsBefore);  // it reconnected, into the void
    proxy.setMode(TcpFaultProxy::Mode::kPass);
    CHECK(convergesTo(h, redis.port(), key));
    CHECK(slowest < 100);
    CHECK(maxPending <= kBound);
    figure(Catch::getResultCapture().getCurrentTestName() + ": slowest batch " +
           std::to_string(slowest) + " ms, largest pending buffer " + std::to_string(maxPending));
    CHECK(sink->counters().writer.recoveries == 1);
    CHECK(logs.count("unavailable") == 1);
    CHECK(logs.count("reachable again") == 1);
}

TEST_CASE(
    "The binary with a password-protected Redis behind a half-open and a slow link: replies "
    "within 2 s, the set converges, and no command's output carries the password",
    "[faults][redis][secrets]") {
    RedisServer redis;
    {
        auto admin = redis::Connection::connect(through(redis.port(), 2'000));
        REQUIRE(admin);
        REQUIRE(admin.value()->command(
            {"ACL", "SETUSER", "app", "on", ">" + kFakeRedisPassword, "~*", "+@all"}, 1'000));
    }
    TcpFaultProxy proxy(redis.port());
    REQUIRE(proxy.ok());
    TempDir dir;
    exportFakeAwsSecrets(dir.path());
    const std::string url =
        "redis://app:" + kFakeRedisPassword + "@127.0.0.1:" + std::to_string(proxy.port());
    const std::string props =
        dir.write("p.properties", "applicationName = faults\nactiveUsers.redisUrl = " + url +
                                      "\nactiveUsers.redisTimeoutMillis = 300\n"
                                      "activeUsers.redisMaxPendingUsers = 150\n"
                                      "activeUsers.logLevel = trace\n");
    const std::string key = "active-users:faults";
    auto appOptions = through(redis.port(), 2'000);
    appOptions.endpoint.user = "app";
    appOptions.endpoint.password = kFakeRedisPassword;
    auto setSize = [&] {
        redis::NodeLink link(appOptions);
        if (!link.connect()) return size_t{0};
        auto users = activeset::SetReader({key, false, kTtl, 0}).users(link, wallMillis());
        return users ? users->size() : size_t{0};
    };

    std::string outputs;
    {
        DaemonDriver driver({"--properties", props}, dir.file("stderr"));
        TimedDaemon d(driver);
        REQUIRE(d.exchange(initializeMessage("shardId-000000000004", "LATEST")) == "initialize");
        int64_t sequence = 0;
        int users = 0;
        auto batch = [&](int count) {
            json records = json::array();
            for (int i = 0; i < count; ++i) {
                records.push_back(recordJson(heartbeatPayload("user-" + std::to_string(users++)),
                                             std::to_string(++sequence), wallMillis()));
            }
            REQUIRE(d.exchange({{"action", "processRecords"},
                                {"records", records},
                                {"millisBehindLatest", 0}}) == "processRecords");
        };
        auto keepSending = [&](int64_t millis) {
            const auto t0 = std::chrono::steady_clock::now();
            while (millisSince(t0) < millis) {
                batch(40);
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
        };
        keepSending(300);
        proxy.setMode(TcpFaultProxy::Mode::kBlackhole);
        keepSending(1'500);
        // query --redis with the password in the URL, while the link is half-open.
        auto q = runActiveUsers(dir.path(), "query --redis " + url + " --key " + key + " --json");
        CHECK(q.exitCode == 1);
        CHECK(q.millis < 5'000);
        outputs += q.out + q.err;
        proxy.setMode(TcpFaultProxy::Mode::kSlow, 600);
        keepSending(1'000);
        proxy.setMode(TcpFaultProxy::Mode::kPass);
        keepSending(300);
        const auto t0 = std::chrono::steady_clock::now();
        while (setSize() != static_cast<size_t>(users) && millisSince(t0) < 10'000) {
            REQUIRE(d.exchange({{"action", "processRecords"},
                                {"records", json::array()},
                                {"millisBehindLatest", 0}}) == "processRecords");
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        CHECK(setSize() == static_cast<size_t>(users));
        REQUIRE(d.exchange({{"action", "leaseLost"}}) == "leaseLost");
        auto [code, took] = driver.closeAndWait();
        CHECK(code == 0);
        CHECK(took.count() < 2'000);
        INFO("slowest reply: " << d.slowestAction());
        CHECK(d.slowestMillis() < 2'000);
        figure("binary with Redis faults: slowest reply " + std::to_string(d.slowestMillis()) +
               " ms (" + d.slowestAction() + "), exit " + std::to_string(took.count()) + " ms");
    }
    const std::string err = readText(dir.file("stderr"));
    INFO(err);
    CHECK(countOf(err, "warning: redis redis://127.0.0.1:") == 1);  // one outage line
    CHECK(err.find("reachable again") != std::string::npos);
    outputs += err;

    // serve --redis with the password in the URL: answers while the link is half-open (503)
    // and after it (200), then a clean stop on SIGTERM.
    {
        const int port = freeLoopbackPort();
        const std::string base = "http://127.0.0.1:" + std::to_string(port);
        proxy.setMode(TcpFaultProxy::Mode::kBlackhole);
        bp::child serve(std::string(AU_BINARY_DIR) + "/active-users", "serve", "--redis", url,
                        "--key", key, "--listen", "127.0.0.1:" + std::to_string(port),
                        bp::std_out > dir.file("serve.stdout"),
                        bp::std_err > dir.file("serve.stderr"));
        auto get = [&](const std::string& path) {
            const std::string file = dir.file("serve.body");
            const std::string cmd = "curl -s -m 5 -o " + file + " -w '%{http_code}' " + base + path;
            const std::string status = runShell(cmd).second;
            outputs += readText(file);
            return status;
        };
        for (int i = 0; i < 100 && get("/healthz").empty(); ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        CHECK(get("/healthz") == "503");
        CHECK(get("/active-users") == "503");
        CHECK(get("/metrics") == "200");
        proxy.setMode(TcpFaultProxy::Mode::kPass);
        std::this_thread::sleep_for(std::chrono::milliseconds(400));  // its connection's timeout
        CHECK(get("/active-users/count") == "200");
        CHECK(json::parse(readText(dir.file("serve.body")), nullptr, false)["count"] == setSize());
        ::kill(serve.id(), SIGTERM);
        serve.wait();
        CHECK(serve.exit_code() == 0);
        outputs += readText(dir.file("serve.stdout")) + readText(dir.file("serve.stderr"));
    }

    // The other commands, with the password in the URL or in the properties, at trace level.
    auto ok = runActiveUsers(dir.path(), "query --redis " + url + " --key " + key + " --json");
    CHECK(ok.exitCode == 0);
    CHECK(json::parse(ok.out, nullptr, false).is_object());
    outputs += ok.out + ok.err;
    // The password out of the command line (and `ps`): --redis-password-env, the ACL user in
    // the URL. The same users; without the variable, exit 2 naming it.
    const std::string bare = "redis://app:@127.0.0.1:" + std::to_string(proxy.port());
    auto fromEnv = runActiveUsers(dir.path(),
                                  "query --redis " + bare + " --key " + key +
                                      " --json --redis-password-env AU_TEST_REDIS_PASSWORD",
                                  "AU_TEST_REDIS_PASSWORD=" + kFakeRedisPassword);
    INFO("query with --redis-password-env: " << fromEnv.err);
    CHECK(fromEnv.exitCode == 0);
    CHECK(json::parse(fromEnv.out, nullptr, false)["count"] == setSize());
    auto unset = runActiveUsers(dir.path(), "query --redis " + bare + " --key " + key +
                                                " --redis-password-env AU_TEST_REDIS_PASSWORD");
    CHECK(unset.exitCode == 2);
    CHECK(unset.err.find("AU_TEST_REDIS_PASSWORD") != std::string::npos);
    outputs += fromEnv.out + fromEnv.err + unset.out + unset.err;
    for (const std::string& args :
         {"query --redis " + url + " --properties " + props, "check-config --properties " + props,
          std::string("check-config --list"),
          "query --redis redis://app:wrong-" + kFakeRedisPassword +
              "@127.0.0.1:" + std::to_string(redis.port()) + " --key k"}) {
        auto r = runActiveUsers(dir.path(), args);
        outputs += r.out + r.err;
    }
    requireNoSecrets(outputs, "every command's output");
}
