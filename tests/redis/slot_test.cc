// Key slots and the slot map, against the cluster specification's figures (no network).
#include "redis/slot.h"

#include <catch2/catch.hpp>

#include "redis/command.h"
#include "redis/slot_map.h"

using namespace au::redis;

namespace {

Reply str(const std::string& s) { return {Reply::Type::kString, s, 0, {}}; }
Reply arr(std::vector<Reply> e) { return {Reply::Type::kArray, {}, 0, std::move(e)}; }
Reply node(const std::string& host, int port) {
    return arr({str(host), Reply::number(port), str("id-" + std::to_string(port))});
}

}  // namespace

TEST_CASE("Key slots: CRC16/XMODEM mod 16384, hash tags as the specification defines them",
          "[redis][unit]") {
    CHECK(crc16("123456789") == 0x31C3);  // the specification's check value
    CHECK(keySlot("somekey") == 11058);
    CHECK(keySlot("foo") == 12182);
    CHECK(keySlot("foo{hash_tag}") == 2515);
    CHECK(keySlot("bar{hash_tag}") == 2515);
    CHECK(keySlot("{user1000}.following") == keySlot("user1000"));
    CHECK(keySlot("foo{}{bar}") == keySlot("foo{}{bar}"));  // empty tag: the whole key
    CHECK(keySlot("foo{}{bar}") != keySlot("bar"));
    CHECK(keySlot("foo{{bar}}zap") == keySlot("{bar"));  // the tag is "{bar"
    CHECK(keySlot("foo{bar}{zap}") == keySlot("bar"));   // the first tag only
}

TEST_CASE("commandKey finds the key of a formatted command", "[redis][unit]") {
    CHECK(commandKey(formatCommand({"ZADD", "k{t}", "GT", "1", "a"})) == "k{t}");
    CHECK(commandKey(formatCommand({"HGETALL", std::string("a\r\nb", 4)})) ==
          std::string_view("a\r\nb", 4));
    CHECK_FALSE(commandKey(formatCommand({"PING"})));
    CHECK_FALSE(commandKey("garbage"));
}

TEST_CASE("The slot map from CLUSTER SLOTS: masters, replicas, unknown hosts, gaps",
          "[redis][unit]") {
    const Reply reply = arr({
        arr({Reply::number(0), Reply::number(5460), node("10.0.0.1", 7000),
             node("10.0.0.4", 7003)}),
        arr({Reply::number(5461), Reply::number(10922),
             node("", 7001)}),  // empty host: the asked one
        arr({Reply::number(10923), Reply::number(16383), node("10.0.0.3", 7002),
             node("10.0.0.6", 7005)}),
    });
    auto map = SlotMap::fromClusterSlots(reply, "10.0.0.9");
    REQUIRE(map);
    CHECK(map->masterOf(0)->name() == "10.0.0.1:7000");
    CHECK(map->masterOf(5460)->name() == "10.0.0.1:7000");
    CHECK(map->masterOf(5461)->name() == "10.0.0.9:7001");
    CHECK(map->masterOf(16383)->name() == "10.0.0.3:7002");
    CHECK(map->masterOf(16384) == nullptr);
    CHECK(map->uncoveredSlots() == 0);
    REQUIRE(map->masters().size() == 3);
    CHECK(map->knownNodes().size() == 5);  // masters and replicas: where to ask next time

    map->assign(100, {"10.0.0.4", 7003});  // MOVED 100 10.0.0.4:7003
    CHECK(map->masterOf(100)->name() == "10.0.0.4:7003");
    CHECK(map->masters().size() == 4);

    auto gap = SlotMap::fromClusterSlots(
        arr({arr({Reply::number(0), Reply::number(99), node("10.0.0.1", 7000)})}), "x");
    REQUIRE(gap);
    CHECK(gap->uncoveredSlots() == kSlotCount - 100);
    CHECK(gap->masterOf(100) == nullptr);

    auto notCluster = SlotMap::fromClusterSlots(
        Reply::error("ERR This instance has cluster support disabled"), "x");
    REQUIRE_FALSE(notCluster);
    CHECK(notCluster.status().code() == "ClusterError");
    auto bad = SlotMap::fromClusterSlots(arr({arr({Reply::number(0)})}), "x");
    REQUIRE_FALSE(bad);
    CHECK(bad.status().code() == "ProtocolError");
}

TEST_CASE("Node addresses as MOVED and ASK write them", "[redis][unit]") {
    CHECK(parseNodeAddress("127.0.0.1:7001", "h")->name() == "127.0.0.1:7001");
    CHECK(parseNodeAddress(":7001", "10.1.1.1")->name() == "10.1.1.1:7001");
    CHECK(parseNodeAddress("::1:7001", "h")->host == "::1");
    CHECK(parseNodeAddress("[::1]:7001", "h")->name() == "[::1]:7001");
    CHECK_FALSE(parseNodeAddress("host", "h"));
    CHECK_FALSE(parseNodeAddress("host:0", "h"));
    CHECK_FALSE(parseNodeAddress("host:70000", "h"));
}
