// The set's layout in Redis: partitions, their hash tags and slots, the stable partition hash, the
// member formats, and the commands built from them (no network).
#include "activeset/set_layout.h"

#include <catch2/catch.hpp>
#include <random>
#include <set>

#include "activeset/redis_commands.h"
#include "redis/fake_link.h"
#include "redis/slot.h"
#include "util/guid.h"

using namespace au;
using namespace au::activeset;
using au::redis::testing::parseCommand;

namespace {

std::string randomGuid(std::mt19937_64& rng) { return formatGuid(Guid{rng(), rng()}); }

}  // namespace

TEST_CASE("Every slot has a short hash tag, the smallest number that hashes to it",
          "[activeset][cluster][unit]") {
    size_t longest = 0;
    for (int slot = 0; slot < redis::kSlotCount; ++slot) {
        const std::string& tag = hashTagForSlot(slot);
        REQUIRE(redis::keySlot(tag) == slot);
        longest = std::max(longest, tag.size());
    }
    CHECK(longest <= 6);
    CHECK(redis::keySlot("0") != redis::keySlot("1"));
    CHECK(hashTagForSlot(redis::keySlot("0")) == "0");
}

TEST_CASE("Partitions sit at evenly spaced slots: equal shares of a cluster's masters",
          "[activeset][cluster][unit]") {
    const auto layout = SetLayout::partitioned("active-users:app", 256, MemberFormat::kBinary);
    REQUIRE(layout.partitions() == 256);
    CHECK(layout.partitionKey(0).rfind("active-users:app:p0:{", 0) == 0);
    std::set<int> slots;
    int perMaster[3] = {0, 0, 0};  // redis-cli --cluster create's ranges for 3 masters
    for (size_t i = 0; i < 256; ++i) {
        const int slot = redis::keySlot(layout.partitionKey(i));
        CHECK(slot == static_cast<int>((2 * i + 1) * 16'384 / 512));
        slots.insert(slot);
        ++perMaster[slot <= 5460 ? 0 : slot <= 10922 ? 1 : 2];
    }
    CHECK(slots.size() == 256);
    for (const int n : perMaster) CHECK((n == 85 || n == 86));  // 256 / 3 = 85.3
    CHECK(SetLayout::partitioned("k", 1, MemberFormat::kText).partitions() == 1);
}

TEST_CASE("A user's partition is a stable hash of the canonical id, spread evenly",
          "[activeset][cluster][unit]") {
    // FNV-1a 64 test vectors: the hash decides where users live and must never change.
    CHECK(stableHash("") == 0xcbf29ce484222325ull);
    CHECK(stableHash("a") == 0xaf63dc4c8601ec8cull);
    CHECK(stableHash("foobar") == 0x85944171f73967e8ull);
    const auto layout = SetLayout::partitioned("k", 256, MemberFormat::kBinary);
    CHECK(layout.partitionOf("6f1c0a52-8a3e-4a43-9d3b-1f0e2d4c5b6a") ==
          stableHash("6f1c0a52-8a3e-4a43-9d3b-1f0e2d4c5b6a") % 256);
    // The member format does not move users.
    CHECK(layout.partitionOf("alice") ==
          SetLayout::partitioned("k", 256, MemberFormat::kText).partitionOf("alice"));

    std::mt19937_64 rng(42);
    std::vector<int> counts(256, 0);
    for (int i = 0; i < 256'000; ++i) ++counts[layout.partitionOf(randomGuid(rng))];
    const auto [lo, hi] = std::minmax_element(counts.begin(), counts.end());
    CHECK(*lo > 850);  // mean 1000, sd ~32
    CHECK(*hi < 1150);
    CHECK(SetLayout::single("k").partitionOf("anything") == 0);
}

TEST_CASE("Members: binary GUIDs (0xFF + 16 bytes) and text otherwise - both read back",
          "[activeset][unit]") {
    const auto binary = SetLayout::partitioned("k", 4, MemberFormat::kBinary);
    const std::string guid = "0123abcd-4567-89ef-0123-456789abcdef";
    const std::string m = binary.member(guid);
    REQUIRE(m.size() == 17);
    CHECK(static_cast<unsigned char>(m[0]) == 0xFF);
    CHECK(static_cast<unsigned char>(m[1]) == 0x01);
    CHECK(static_cast<unsigned char>(m[16]) == 0xEF);
    CHECK(userIdOfMember(m) == guid);
    CHECK(binary.member("alice") == "alice");
    CHECK(binary.member("sixteen-bytes-id") == "sixteen-bytes-id");  // 16 bytes of text stay text
    CHECK(userIdOfMember("sixteen-bytes-id") == "sixteen-bytes-id");
    CHECK(userIdOfMember("alice") == "alice");
    CHECK(userIdOfMember(guid) == guid);  // a text member (text format)
    CHECK(SetLayout::single("k").member(guid) == guid);
}

TEST_CASE("ZADD commands: one sorted set keeps the single-node commands - partitions get theirs",
          "[activeset][unit]") {
    const UserScores entries = {{"bob", 2}, {"alice", 1}, {"carol", 3}};
    const auto single = zaddGreaterCommands(SetLayout::single("k"), entries, 2);
    REQUIRE(single.size() == 2);
    CHECK(parseCommand(single[0]) ==
          std::vector<std::string>{"ZADD", "k", "GT", "2", "bob", "1", "alice"});
    CHECK(parseCommand(single[1]) == std::vector<std::string>{"ZADD", "k", "GT", "3", "carol"});
    CHECK(parseCommand(evictCommands(SetLayout::single("k"), 9, 0, 1)[0]) ==
          std::vector<std::string>{"ZREMRANGEBYSCORE", "k", "-inf", "9"});

    const auto layout = SetLayout::partitioned("k", 8, MemberFormat::kBinary);
    std::mt19937_64 rng(7);
    UserScores many;
    for (int i = 0; i < 1'000; ++i) many.emplace_back(randomGuid(rng), i);
    size_t members = 0;
    for (const auto& c : zaddGreaterCommands(layout, many, 100)) {
        const auto args = parseCommand(c);
        REQUIRE(args.size() <= 3 + 2 * 100);
        for (size_t i = 3; i + 1 < args.size(); i += 2) {
            const std::string id = userIdOfMember(args[i + 1]);
            CHECK(args[1] == layout.partitionKey(layout.partitionOf(id)));
            ++members;
        }
    }
    CHECK(members == 1'000);
    const auto evictions = evictCommands(layout, 5, 6, 3);  // wraps around
    REQUIRE(evictions.size() == 3);
    CHECK(parseCommand(evictions[0])[1] == layout.partitionKey(6));
    CHECK(parseCommand(evictions[2])[1] == layout.partitionKey(0));
    CHECK(evictCommands(layout, 5, 0, 100).size() == 8);
}
