// The shared set on a real Redis Cluster (3 masters + 3 replicas of Debian's redis-server, made
// by `redis-cli --cluster create`; label "cluster"): processors wired from a properties file as
// in processor mode, and `query --redis` / `serve --redis` on the built binaries.
//   steady state, a master killed mid-stream (failover), resharding while writing (ASK and MOVED
//   followed), the whole cluster down and back (bounded buffer, then resync).
// "No user missing" is always checked against the ground truth of what the processors were fed.
#include "redis/redis_cluster.h"

#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "activeset/redis_active_set.h"
#include "activeset/user_list_format.h"
#include "app/active_set_wiring.h"
#include "app/config.h"
#include "processor_harness.h"
#include "redis/link.h"
#include "redis/slot.h"
#include "support/run_shell.h"
#include "support/spawn_server.h"
#include "support/temp_dir.h"

using namespace au;
using namespace au::activeset;
using Clock_ = std::chrono::steady_clock;

namespace {

constexpr int64_t kTtl = 120'000;
constexpr const char* kKey = "active-users:cluster-it";

// A processor as in processor mode: parts wired from a properties file naming the cluster.
class Processor {
  public:
    Processor(const test::RedisCluster& cluster, const std::string& shard, Clock& clock,
              const std::string& extraProperties = "")
        : harness_(settings(), clock) {
        auto config = app::configFromProperties(parseProperties(
            "applicationName = cluster-it\nactiveUsers.redisUrl = " + cluster.url() +
            "\nactiveUsers.redisTimeoutMillis = 500\n" + extraProperties));
        REQUIRE(config);
        REQUIRE(config->redis.partitions == kDefaultClusterPartitions);
        parts_ = app::makeActiveSetParts(config.value(), clock, env_);
        REQUIRE(parts_.redis);
        parts_.attachTo(harness_.processor());
        harness_.initialize(shard);
    }
    test::ProcessorHarness& h() { return harness_; }
    RedisSink& sink() { return *parts_.redis; }

  private:
    static processor::ProcessorSettings settings() {
        processor::ProcessorSettings s;
        s.ttlMillis = kTtl;
        return s;
    }
    MapEnvironment env_{std::map<std::string, std::string>{}};
    test::ProcessorHarness harness_;
    app::ActiveSetParts parts_;
};

std::vector<std::string> usersRange(int from, int to) {
    std::vector<std::string> out;
    for (int i = from; i < to; ++i) {
        // GUIDs (stored as binary members) and, one in ten, other ids (stored as text).
        char id[40];
        if (i % 10 == 9) {
            std::snprintf(id, sizeof id, "user-%d", i);
        } else {
            std::snprintf(id, sizeof id, "%08x-0000-4000-8000-%012x", i * 2654435761u, i);
        }
        out.emplace_back(id);
    }
    return out;
}

std::map<std::string, int64_t> truthOf(std::initializer_list<Processor*> processors) {
    std::map<std::string, int64_t> out;
    for (auto* p : processors) {
        for (const auto& [id, t] : p->h().truth()) {
            auto [it, inserted] = out.try_emplace(id, t);
            if (!inserted && t > it->second) it->second = t;
        }
    }
    return out;
}

Result<std::map<std::string, int64_t>> readSet(const test::RedisCluster& cluster) {
    auto link = redis::makeLink(cluster.connectOptions());
    if (Status st = link->connect(); !st) return st;
    return SetReader({kKey, true, kTtl, 0}).users(*link, SystemClock().nowMillis());
}

// Wakes the processors (as the session does) until the set equals their ground truth; 20 s.
bool convergesTo(const test::RedisCluster& cluster, std::initializer_list<Processor*> processors) {
    const auto deadline = Clock_::now() + std::chrono::seconds(20);
    while (Clock_::now() < deadline) {
        for (auto* p : processors) p->h().wake();
        auto set = readSet(cluster);
        if (set && set.value() == truthOf(processors)) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    auto set = readSet(cluster);
    const auto truth = truthOf(processors);
    size_t missing = 0;
    for (const auto& [id, t] : truth)
        if (!set || !set->count(id)) ++missing;
    WARN("the set did not converge: "
         << (set ? std::to_string(set->size()) : set.status().toString()) << " users, truth "
         << truth.size() << ", missing " << missing);
    return false;
}

// "name:count=N" / "calls=N" in an INFO section.
long long infoCounter(const std::string& info, const std::string& prefix) {
    const auto at = info.find(prefix);
    if (at == std::string::npos) return 0;
    return std::stoll(info.substr(at + prefix.size()));
}

// The replica of the master on `masterPort`.
int replicaOf(const test::RedisCluster& cluster, int masterPort) {
    for (const auto& n : cluster.nodes()) {
        if (n.pid > 0 && cluster.info(n.port, "replication")
                                 .find("master_port:" + std::to_string(masterPort) + "\r") !=
                             std::string::npos) {
            return n.port;
        }
    }
    return 0;
}

template <class F>
bool waitFor(F condition, std::chrono::seconds limit) {
    const auto deadline = Clock_::now() + limit;
    while (Clock_::now() < deadline) {
        if (condition()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
}

}  // namespace

TEST_CASE(
    "Redis Cluster steady state: two processors and 4500 users - query and serve equal the "
    "ground truth",
    "[activeset][cluster]") {
    test::RedisCluster cluster;
    SystemClock clock;
    Processor a(cluster, "shardId-000000000001", clock);
    Processor b(cluster, "shardId-000000000002", clock);
    for (int round = 0; round < 5; ++round) {  // 500 users of each processor's are shared
        a.h().batch(usersRange(round * 500, round * 500 + 500));
        b.h().batch(usersRange(2'000 + round * 500, 2'500 + round * 500));
    }
    REQUIRE(convergesTo(cluster, {&a, &b}));
    const auto truth = truthOf({&a, &b});
    REQUIRE(truth.size() == 4'500);

    // The partitions spread evenly over the three masters (256 / 3; the stats hash is one more).
    int keys = 0;
    for (const auto& n : cluster.nodes()) {
        if (!cluster.isMaster(n.port)) continue;
        const auto size = cluster.command(n.port, {"DBSIZE"});
        REQUIRE(size);
        CHECK(size->integer >= 85);
        CHECK(size->integer <= 87);
        keys += static_cast<int>(size->integer);
    }
    CHECK(keys == 257);
    // Our slot for a partition key is the server's.
    const auto layout = SetLayout::partitioned(kKey, 256, MemberFormat::kBinary);
    for (size_t p : {0, 100, 255}) {
        auto slot = cluster.command(cluster.nodes()[0].port,
                                    {"CLUSTER", "KEYSLOT", layout.partitionKey(p)});
        REQUIRE(slot);
        CHECK(slot->integer == redis::keySlot(layout.partitionKey(p)));
    }

    // query --redis on the binary (the partitions and TTL as the processors published them).
    const int64_t at = SystemClock().nowMillis();
    auto [status, listed] =
        test::runShell(std::string(AU_BINARY_DIR) + "/active-users query --redis " + cluster.url() +
                       " --key " + kKey + " --json --at " + std::to_string(at) + " 2>/dev/null");
    CHECK(status == 0);
    CHECK(listed == usersAsJson(truth) + "\n");

    // serve --redis on the binary: the same users; the count from ZCOUNT per partition.
    test::TempDir dir;
    const int port = test::freeLoopbackPort();
    std::vector<std::string> args = {std::string(AU_BINARY_DIR) + "/active-users",
                                     "serve",
                                     "--redis",
                                     cluster.url(),
                                     "--key",
                                     kKey,
                                     "--listen",
                                     "127.0.0.1:" + std::to_string(port)};
    std::vector<char*> argv;
    for (auto& s : args) argv.push_back(s.data());
    argv.push_back(nullptr);
    const pid_t serve = test::spawnServer(argv[0], argv.data());
    REQUIRE(serve > 0);
    httplib::Client http("127.0.0.1", port);
    http.set_read_timeout(5);
    REQUIRE(
        waitFor([&] { return static_cast<bool>(http.Get("/healthz")); }, std::chrono::seconds(10)));
    auto users = http.Get("/active-users?at=" + std::to_string(at));
    REQUIRE(users);
    CHECK(users->status == 200);
    CHECK(users->body == listed);
    auto count = http.Get("/active-users/count?at=" + std::to_string(at));
    REQUIRE(count);
    CHECK(nlohmann::json::parse(count->body)["count"] == 4'500);
    auto metrics = http.Get("/metrics");
    REQUIRE(metrics);
    size_t latencyLines = 0;
    uint64_t perPartitionSum = 0;
    std::set<std::string> nodes;
    std::istringstream lines(metrics->body);
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("active_users_redis_partition_read_seconds{", 0) == 0) {
            ++latencyLines;
            const auto from = line.find("node=\"") + 6;
            nodes.insert(line.substr(from, line.find('"', from) - from));
        }
        if (line.rfind("active_users_redis_partition_active{", 0) == 0) {
            perPartitionSum += std::stoull(line.substr(line.rfind(' ') + 1));
        }
    }
    CHECK(latencyLines == 256);
    CHECK(nodes.size() == 3);  // every master answered its partitions
    CHECK(perPartitionSum == 4'500);
    CHECK(metrics->body.find("\nactive_users 4500\n") != std::string::npos);
    ::kill(serve, SIGTERM);
    int st = 0;
    ::waitpid(serve, &st, 0);
    CHECK((WIFEXITED(st) && WEXITSTATUS(st) == 0));
}

TEST_CASE(
    "Redis Cluster failover: a master killed mid-stream - its replica takes over and no user is "
    "missing afterwards",
    "[activeset][cluster]") {
    test::RedisCluster cluster;
    SystemClock clock;
    Processor a(cluster, "shardId-000000000001", clock);
    Processor b(cluster, "shardId-000000000002", clock);
    a.h().batch(usersRange(0, 1'000));
    b.h().batch(usersRange(1'000, 2'000));
    REQUIRE(convergesTo(cluster, {&a, &b}));

    const int victim = cluster.masterOf(0, cluster.nodes()[0].port);
    const int heir = replicaOf(cluster, victim);
    REQUIRE(victim != 0);
    REQUIRE(heir != 0);
    cluster.stop(cluster.indexOfPort(victim), SIGKILL);

    // Processors keep going: new users and refreshed ones, a batch every 50 ms, until the replica
    // is master and one more second has passed.
    int next = 2'000;
    int64_t slowest = 0;
    const auto started = Clock_::now();
    std::optional<Clock_::time_point> promotedAt;
    while (Clock_::now() < (promotedAt ? *promotedAt + std::chrono::seconds(1)
                                       : started + std::chrono::seconds(30))) {
        slowest = std::max(slowest, a.h().batch(usersRange(next, next + 20)));
        slowest = std::max(slowest, b.h().batch(usersRange(next + 20, next + 40)));
        a.h().wake();
        b.h().wake();
        next += 40;
        if (!promotedAt && cluster.isMaster(heir)) promotedAt = Clock_::now();
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    REQUIRE(cluster.isMaster(heir));
    const auto failoverMs =
        std::chrono::duration_cast<std::chrono::milliseconds>(*promotedAt - started).count();
    WARN("replica promoted " << failoverMs << " ms after the kill; " << next - 2'000
                             << " users joined meanwhile");
    CHECK(slowest < 100);  // batches never wait for Redis
    REQUIRE(cluster.waitHealthy(std::chrono::seconds(20)));
    REQUIRE(convergesTo(cluster, {&a, &b}));
    CHECK(readSet(cluster)->size() == static_cast<size_t>(next));
    CHECK(a.sink().counters().writer.outages >= 1);
    CHECK(a.sink().counters().writer.recoveries >= 1);
    CHECK(a.sink().counters().writer.recoveries == a.sink().counters().writer.outages);
    CHECK(cluster.masterOf(0, heir) == heir);
}

TEST_CASE(
    "Redis Cluster resharding while processors write: ASK and MOVED are followed and nothing "
    "is lost",
    "[activeset][cluster]") {
    test::RedisCluster cluster;
    SystemClock clock;
    Processor a(cluster, "shardId-000000000001", clock);
    Processor b(cluster, "shardId-000000000002", clock);
    a.h().batch(usersRange(0, 1'000));
    b.h().batch(usersRange(1'000, 2'000));
    REQUIRE(convergesTo(cluster, {&a, &b}));

    const auto layout = SetLayout::partitioned(kKey, 256, MemberFormat::kBinary);
    const std::string key = layout.partitionKey(0);
    const int slot = redis::keySlot(key);
    const int source = cluster.masterOf(slot, cluster.nodes()[0].port);
    int target = 0, third = 0;
    for (const auto& n : cluster.nodes()) {
        if (n.port == source || !cluster.isMaster(n.port)) continue;
        (target == 0 ? target : third) = n.port;
    }
    REQUIRE(source != 0);
    REQUIRE(third != 0);
    const std::string sourceId = cluster.nodeId(source), targetId = cluster.nodeId(target);

    // 1. A slot half-way through a migration: partition 0 already moved, its slot not yet.
    REQUIRE(cluster.command(target,
                            {"CLUSTER", "SETSLOT", std::to_string(slot), "IMPORTING", sourceId}));
    REQUIRE(cluster.command(source,
                            {"CLUSTER", "SETSLOT", std::to_string(slot), "MIGRATING", targetId}));
    auto migrated = cluster.command(
        source, {"MIGRATE", "127.0.0.1", std::to_string(target), "", "0", "5000", "KEYS", key});
    REQUIRE(migrated);
    REQUIRE(migrated->str == "OK");
    // Users of partition 0 heartbeat now: their ZADD gets ASK from the source.
    std::vector<std::string> ofPartition0;
    for (const auto& id : usersRange(2'000, 6'000))
        if (layout.partitionOf(id) == 0) ofPartition0.push_back(id);
    REQUIRE(ofPartition0.size() >= 5);
    a.h().batch(ofPartition0);
    REQUIRE(convergesTo(cluster, {&a, &b}));  // the reader follows ASK too
    CHECK(infoCounter(cluster.info(source, "errorstats"), "errorstat_ASK:count=") > 0);
    CHECK(infoCounter(cluster.info(target, "commandstats"), "cmdstat_asking:calls=") > 0);
    for (const auto& n : cluster.nodes()) {
        if (cluster.isMaster(n.port)) {
            cluster.command(n.port, {"CLUSTER", "SETSLOT", std::to_string(slot), "NODE", targetId});
        }
    }

    // 2. redis-cli moves 3,000 slots from the source to the third master while both processors
    //    write a batch every 50 ms.
    const long long movedBefore =
        infoCounter(cluster.info(source, "errorstats"), "errorstat_MOVED:count=");
    const std::string reshard = "redis-cli --cluster reshard 127.0.0.1:" + std::to_string(source) +
                                " --cluster-from " + sourceId + " --cluster-to " +
                                cluster.nodeId(third) +
                                " --cluster-slots 3000 --cluster-yes >/dev/null 2>&1";
    int reshardStatus = -1;
    std::atomic<bool> done{false};
    std::thread mover([&] {
        reshardStatus = std::system(reshard.c_str());
        done = true;
    });
    int next = 6'000;
    while (!done) {
        a.h().batch(usersRange(next, next + 20));
        b.h().batch(usersRange(next + 20, next + 40));
        a.h().wake();
        b.h().wake();
        next += 40;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    mover.join();
    REQUIRE(reshardStatus == 0);
    a.h().batch(usersRange(0, 500));  // and the old users again, into moved partitions
    WARN("reshard moved 3000 slots while " << next - 6'000 << " users joined");
    REQUIRE(convergesTo(cluster, {&a, &b}));
    CHECK(infoCounter(cluster.info(source, "errorstats"), "errorstat_MOVED:count=") > movedBefore);
    CHECK(a.sink().counters().writer.outages == 0);  // redirections are not outages
    CHECK(cluster.masterOf(0, source) == third);
}

TEST_CASE("Redis Cluster down and back: updates are buffered within the bound and then resynced",
          "[activeset][cluster]") {
    test::RedisCluster cluster;
    SystemClock clock;
    Processor a(cluster, "shardId-000000000001", clock, "activeUsers.redisMaxPendingUsers = 300\n");
    a.h().batch(usersRange(0, 1'000));
    REQUIRE(convergesTo(cluster, {&a}));

    for (size_t i = 0; i < cluster.nodes().size(); ++i) cluster.stop(i, SIGKILL);
    int64_t slowest = 0;
    for (int i = 0; i < 20; ++i) {  // 1,000 new users while the cluster is down
        slowest = std::max(slowest, a.h().batch(usersRange(1'000 + i * 50, 1'050 + i * 50)));
        a.h().wake();
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    const auto down = a.sink().counters();
    CHECK(slowest < 100);
    CHECK(down.pending == 300);  // full, at its bound
    CHECK(down.dropped >= 500);  // the rest (some left in a delivery that failed)
    CHECK(down.writer.outages == 1);

    for (size_t i = 0; i < cluster.nodes().size(); ++i) cluster.start(i);
    REQUIRE(cluster.waitHealthy(std::chrono::seconds(30)));
    REQUIRE(convergesTo(cluster, {&a}));  // the whole table again, dropped users included
    CHECK(readSet(cluster)->size() == 2'000);
    CHECK(a.sink().counters().writer.recoveries == 1);
}
