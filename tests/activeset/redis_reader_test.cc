// SetReader over a scripted link: one pipeline over every partition, counts summed per partition,
// members decoded and merged, and the layout taken from what the processors published.
#include <catch2/catch.hpp>

#include "activeset/redis_active_set.h"
#include "redis/fake_link.h"

using namespace au;
using namespace au::activeset;
using au::redis::Reply;
using au::redis::testing::FakeLink;
using au::redis::testing::parseCommand;

namespace {

Reply str(const std::string& s) { return {Reply::Type::kString, s, 0, {}}; }
Reply arr(std::vector<Reply> e) { return {Reply::Type::kArray, {}, 0, std::move(e)}; }

// HGETALL <key>:stats with one processor publishing a TTL and a partition count.
Reply statsHash(int64_t ttl, std::optional<int> partitions, const std::string& shard = "s-1") {
    ShardStats s;
    s.shardId = shard;
    s.ttlMillis = ttl;
    s.redisPartitions = partitions;
    return arr({str(shard), str(toJson(s))});
}

}  // namespace

TEST_CASE("Counts: ZCOUNT per partition in one pipeline, with the published TTL and partitions",
          "[activeset][cluster][unit]") {
    FakeLink link;
    REQUIRE(link.connect());
    link.pipelineScript.push_back(std::vector<Reply>{statsHash(30'000, 4)});
    link.pipelineScript.push_back(
        std::vector<Reply>{Reply::number(3), Reply::number(0), Reply::number(5), Reply::number(1)});
    SetReader reader({"active-users:app", /*cluster=*/true, 0, 0});
    auto counts = reader.counts(link, 100'000);
    REQUIRE(counts);
    CHECK(counts.value() == std::vector<uint64_t>{3, 0, 5, 1});
    REQUIRE(link.sent.size() == 2);
    REQUIRE(link.sent[1].size() == 4);
    const auto layout = SetLayout::partitioned("active-users:app", 4, MemberFormat::kText);
    for (size_t p = 0; p < 4; ++p) {
        CHECK(parseCommand(link.sent[1][p]) ==
              std::vector<std::string>{"ZCOUNT", layout.partitionKey(p), "(70000", "+inf"});
    }
    REQUIRE(reader.lastReads().size() == 4);
    CHECK(reader.lastReads()[2].active == 5u);
    CHECK(reader.lastReads()[2].key == layout.partitionKey(2));
}

TEST_CASE("Users: every partition's members decoded (both formats) and merged by maximum",
          "[activeset][cluster][unit]") {
    FakeLink link;
    REQUIRE(link.connect());
    const auto binary = SetLayout::partitioned("k", 2, MemberFormat::kBinary);
    const std::string guid = "0123abcd-4567-89ef-0123-456789abcdef";
    link.pipelineScript.push_back(std::vector<Reply>{
        arr({str(binary.member(guid)), str("50"), str("alice"), str("40")}),
        arr({str(guid), str("60"), str("bob"), str("1.7e1")}),  // the text form of the same GUID
    });
    SetReader reader({"k", true, /*ttl=*/1'000, /*partitions=*/2});  // configured: no stats read
    auto users = reader.users(link, 100);
    REQUIRE(users);
    CHECK(users.value() == std::map<std::string, int64_t>{{guid, 60}, {"alice", 40}, {"bob", 17}});
    REQUIRE(link.sent.size() == 1);
    CHECK(parseCommand(link.sent[0][1]) == std::vector<std::string>{"ZRANGEBYSCORE",
                                                                    binary.partitionKey(1), "(-900",
                                                                    "+inf", "WITHSCORES"});
}

TEST_CASE("Readers refuse processors that disagree on the partitions - one server reads one set",
          "[activeset][cluster][unit]") {
    FakeLink link;
    REQUIRE(link.connect());
    Reply two = statsHash(30'000, 4, "s-1");
    const Reply other = statsHash(30'000, 8, "s-2");
    two.elements.insert(two.elements.end(), other.elements.begin(), other.elements.end());
    link.pipelineScript.push_back(std::vector<Reply>{two});
    SetReader cluster({"k", true, 0, 0});
    auto refused = cluster.counts(link, 0);
    REQUIRE_FALSE(refused);
    CHECK(refused.status().code() == "InconsistentLayout");

    FakeLink single;
    REQUIRE(single.connect());
    single.pipelineScript.push_back(std::vector<Reply>{Reply::number(7)});
    SetReader reader({"k", false, 1'000, 0});
    auto counts = reader.counts(single, 5'000);
    REQUIRE(counts);
    CHECK(counts.value() == std::vector<uint64_t>{7});
    CHECK(parseCommand(single.sent[0][0]) ==
          std::vector<std::string>{"ZCOUNT", "k", "(4000", "+inf"});
}

TEST_CASE("Scores are read as times, and a set with other scores is refused, never thrown on",
          "[activeset][unit]") {
    const auto binary = SetLayout::single("k", MemberFormat::kBinary);
    const std::string guid = "0123abcd-4567-89ef-0123-456789abcdef";
    // Two partitions; a user listed twice (both member formats) keeps the later time.
    auto users =
        usersFromScores({arr({str("alice"), str("1795800000000"), str("bob"), str("1.7958e+12"),
                              str(guid), str("7")}),
                         arr({str("alice"), str("5"), str(binary.member(guid)), str("9")})});
    REQUIRE(users);
    CHECK(users.value() == std::map<std::string, int64_t>{{"alice", 1'795'800'000'000},
                                                          {"bob", 1'795'800'000'000},
                                                          {guid, 9}});
    // Found by fuzz/redis_reply: std::stod threw on these and took `query --redis` down.
    for (const char* score : {"QUEUED", "inf", "", "12abc", "1e300", "nan"}) {
        INFO(score);
        auto bad = usersFromScores({arr({str("alice"), str(score)})});
        REQUIRE_FALSE(bad);
        CHECK(bad.status().code() == "ProtocolError");
    }
    CHECK_FALSE(usersFromScores({arr({Reply::number(1), Reply::status("QUEUED")})}));
    CHECK(usersFromScores({arr({}), Reply::error("WRONGTYPE")}).status().code() == "RedisError");
    CHECK(usersFromScores({arr({str("odd")})}).status().code() == "ProtocolError");
}

TEST_CASE("The stats hash: documents that parse, the others skipped", "[activeset][unit]") {
    Reply hash = statsHash(30'000, 4, "s-1");
    hash.elements.push_back(str("s-2"));
    hash.elements.push_back(str(R"({"shardId":"s-2","records":1.5})"));
    hash.elements.push_back(str("s-3"));
    hash.elements.push_back(Reply::number(3));
    auto stats = shardStatsFromHash(hash);
    REQUIRE(stats);
    REQUIRE(stats->size() == 1);
    CHECK(stats->front().shardId == "s-1");
    CHECK(stats->front().redisPartitions == 4);
    CHECK(shardStatsFromHash(Reply::error("NOPERM")).status().code() == "RedisError");
}
