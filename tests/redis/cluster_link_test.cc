// ClusterLink's routing and redirection handling against an in-memory cluster (fake_cluster.h):
// grouping per master, MOVED, ASK, failover, cluster-down replies, redirect loops. No network.
#include "redis/cluster_link.h"

#include <catch2/catch.hpp>

#include "fake_cluster.h"
#include "redis/command.h"

using namespace au::redis;
using au::redis::testing::FakeCluster;

namespace {

std::string zadd(const std::string& key) { return formatCommand({"ZADD", key, "GT", "1", "u"}); }

// Keys whose slots are spread over the whole range.
std::vector<std::string> spreadKeys(int n) {
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) out.push_back("k" + std::to_string(i));
    return out;
}

// A key in the given slot range.
std::string keyIn(int fromSlot, int toSlot) {
    for (int i = 0;; ++i) {
        const std::string k = "key" + std::to_string(i);
        const int s = keySlot(k);
        if (s >= fromSlot && s <= toSlot) return k;
    }
}

}  // namespace

TEST_CASE("Commands go to their slot's master, one round trip per master, replies in order",
          "[redis][cluster][unit]") {
    FakeCluster cluster(3);
    ClusterLink link(cluster.options({7000}), cluster.dialer());
    REQUIRE(link.connect());
    CHECK(link.connected());
    CHECK(link.slotMap().masters().size() == 3);

    std::vector<std::string> commands;
    for (const auto& k : spreadKeys(60)) commands.push_back(zadd(k));
    const int sendsBefore = cluster.nodes["127.0.0.1:7001"].sends;
    auto replies = link.pipeline(commands);
    REQUIRE(replies);
    REQUIRE(replies->size() == 60);
    for (const auto& r : replies.value()) CHECK(r.integer == 1);
    CHECK(cluster.nodes["127.0.0.1:7001"].sends == sendsBefore + 1);
    REQUIRE(cluster.executed.size() == 60);
    for (const auto& e : cluster.executed)
        CHECK(e.node == cluster.owner[static_cast<size_t>(keySlot(e.args[1]))]);
    // Each command's timing names the node that answered it.
    for (size_t i = 0; i < commands.size(); ++i) {
        const auto key = "k" + std::to_string(i);
        CHECK(link.lastTimings()[i].node == cluster.owner[static_cast<size_t>(keySlot(key))]);
    }
}

TEST_CASE("MOVED: the command is resent to the new master - the map is patched, then re-read",
          "[redis][cluster][unit]") {
    FakeCluster cluster(3);
    ClusterLink link(cluster.options({7000}), cluster.dialer());
    REQUIRE(link.connect());
    const uint64_t reads = link.counters().mapReads;
    const std::string key = keyIn(0, 5460);  // on 7000
    const int slot = keySlot(key);
    // Resharding moved the slot to 7002; the link does not know yet.
    cluster.owner[static_cast<size_t>(slot)] = FakeCluster::name(7002);

    auto replies = link.pipeline({zadd(key), zadd(keyIn(5461, 10922))});
    REQUIRE(replies);
    CHECK(replies.value()[0].integer == 1);
    CHECK(replies.value()[1].integer == 1);
    CHECK(link.counters().moved == 1);
    CHECK(link.counters().mapReads == reads + 1);
    CHECK(link.slotMap().masterOf(slot)->name() == "127.0.0.1:7002");
    REQUIRE(cluster.executed.size() == 2);  // the redirected command ran once, on its new master
    CHECK(cluster.executed.back().args[1] == key);
    CHECK(cluster.executed.back().node == "127.0.0.1:7002");
    CHECK(link.lastTimings()[0].node == "127.0.0.1:7002");
}

TEST_CASE("ASK: ASKING and the command go to the importing node - the map stays",
          "[redis][cluster][unit]") {
    FakeCluster cluster(3);
    ClusterLink link(cluster.options({7000}), cluster.dialer());
    REQUIRE(link.connect());
    const std::string key = keyIn(0, 5460);
    const int slot = keySlot(key);
    cluster.migratingTo[slot] = FakeCluster::name(7001);  // 7000 -> 7001 in progress
    cluster.migrated.insert(key);                         // this key already moved

    auto replies = link.pipeline({zadd(key)});
    REQUIRE(replies);
    CHECK(replies.value()[0].integer == 1);
    CHECK(link.counters().asked == 1);
    CHECK(link.counters().moved == 0);
    CHECK(cluster.executed.back().node == "127.0.0.1:7001");
    CHECK(link.slotMap().masterOf(slot)->name() == "127.0.0.1:7000");

    // A key of the same slot that has not moved yet is still served by the source.
    cluster.executed.clear();
    std::string other;
    for (int i = 0;; ++i) {
        other = "{" + key + "}" + std::to_string(i);
        if (!cluster.migrated.count(other)) break;
    }
    REQUIRE(link.pipeline({zadd(other)}));
    CHECK(cluster.executed.back().node == "127.0.0.1:7000");
}

TEST_CASE("A failing master disconnects the link - reconnecting reads the promoted replica",
          "[redis][cluster][unit]") {
    FakeCluster cluster(3);
    ClusterLink link(cluster.options({7000, 7001, 7002}), cluster.dialer());
    REQUIRE(link.connect());
    const std::string key = keyIn(5461, 10922);  // on 7001

    cluster.nodes["127.0.0.1:7001"].down = true;  // killed
    auto failed = link.pipeline({zadd(key), zadd(keyIn(0, 5460))});
    REQUIRE_FALSE(failed);
    CHECK(failed.status().code() == "ConnectionError");
    CHECK(failed.status().message().find("127.0.0.1:7001") != std::string::npos);
    CHECK_FALSE(link.connected());

    // Before the failover the map still names the dead master: connect fails.
    CHECK_FALSE(link.connect());
    // The replica on 7004 is promoted.
    cluster.promote("127.0.0.1:7001", "127.0.0.1:7004");
    REQUIRE(link.connect());
    auto replies = link.pipeline({zadd(key)});
    REQUIRE(replies);
    CHECK(cluster.executed.back().node == "127.0.0.1:7004");
}

TEST_CASE("CLUSTERDOWN and friends are failures (reconnect and resend), other errors replies",
          "[redis][cluster][unit]") {
    FakeCluster cluster(3);
    ClusterLink link(cluster.options({7000}), cluster.dialer());
    REQUIRE(link.connect());
    cluster.nodes["127.0.0.1:7000"].forcedError = "WRONGTYPE Operation against a key";
    auto wrongType = link.pipeline({zadd(keyIn(0, 5460))});
    REQUIRE(wrongType);
    CHECK(wrongType.value()[0].isError());
    CHECK(link.connected());

    cluster.nodes["127.0.0.1:7000"].forcedError = "CLUSTERDOWN The cluster is down";
    auto down = link.pipeline({zadd(keyIn(0, 5460)), zadd(keyIn(5461, 10922))});
    REQUIRE_FALSE(down);
    CHECK(down.status().code() == "ClusterDown");
    CHECK_FALSE(link.connected());
}

TEST_CASE("A redirection loop ends after kMaxRedirects rounds", "[redis][cluster][unit]") {
    FakeCluster cluster(2);
    ClusterLink link(cluster.options({7000}), cluster.dialer());
    REQUIRE(link.connect());
    cluster.nodes["127.0.0.1:7000"].movedTo = "127.0.0.1:7001";
    cluster.nodes["127.0.0.1:7001"].movedTo = "127.0.0.1:7000";
    auto r = link.pipeline({zadd("a")});
    REQUIRE_FALSE(r);
    CHECK(r.status().code() == "TooManyRedirects");
    CHECK_FALSE(link.connected());
}

TEST_CASE("connect: unserved slots, a server that is no cluster, a dead first seed",
          "[redis][cluster][unit]") {
    FakeCluster cluster(3);
    SECTION("unserved slots") {
        cluster.owner[42].clear();
        ClusterLink link(cluster.options({7000}), cluster.dialer());
        auto st = link.connect();
        REQUIRE_FALSE(st);
        CHECK(st.code() == "ClusterDown");
        CHECK(st.message().find("1 slots") != std::string::npos);
    }
    SECTION("not a cluster") {
        cluster.slotsError = "ERR This instance has cluster support disabled";
        ClusterLink link(cluster.options({7000}), cluster.dialer());
        auto st = link.connect();
        REQUIRE_FALSE(st);
        CHECK(st.code() == "ClusterError");
        CHECK(st.message().find("cluster support disabled") != std::string::npos);
    }
    SECTION("a dead first seed") {
        cluster.nodes["127.0.0.1:7000"].down = true;
        cluster.promote("127.0.0.1:7000", "127.0.0.1:7003");
        ClusterLink link(cluster.options({7000, 7001}), cluster.dialer());
        REQUIRE(link.connect());
        CHECK(link.slotMap().masterOf(0)->name() == "127.0.0.1:7003");
    }
}
