// The RESP reader and the meaning of the replies we read (no server: bytes in, values out).
#include <catch2/catch.hpp>

#include "activeset/redis_active_set.h"
#include "activeset/redis_reply_reader.h"

using namespace au;
using namespace au::activeset;

namespace {

std::vector<RedisReply> readAll(const std::string& bytes, size_t chunk) {
    RedisReplyReader reader;
    std::vector<RedisReply> out;
    for (size_t fed = 0;;) {
        auto next = reader.next();
        REQUIRE(next);
        if (next.value()) {
            out.push_back(std::move(*next.value()));
            continue;
        }
        if (fed == bytes.size()) return out;
        const size_t n = std::min(chunk, bytes.size() - fed);
        reader.feed(bytes.data() + fed, n);
        fed += n;
    }
}

RedisReply bulk(std::string s) { return {RedisReply::Type::kString, std::move(s), 0, {}}; }

RedisReply array(std::vector<RedisReply> elements) {
    return {RedisReply::Type::kArray, "", 0, std::move(elements)};
}

}  // namespace

TEST_CASE("The reader gives the same replies whatever the chunks the bytes arrive in",
          "[activeset]") {
    const std::string bytes = "+OK\r\n:42\r\n$5\r\nhe\r\no\r\n*2\r\n$-1\r\n-ERR no\r\n";
    for (size_t chunk : {size_t{1}, size_t{3}, bytes.size()}) {
        INFO(chunk);
        const auto replies = readAll(bytes, chunk);
        REQUIRE(replies.size() == 4);
        CHECK(replies[0].type == RedisReply::Type::kStatus);
        CHECK(replies[1].integer == 42);
        CHECK(replies[2].str == "he\r\no");
        REQUIRE(replies[3].elements.size() == 2);
        CHECK(replies[3].elements[0].type == RedisReply::Type::kNil);
        CHECK(replies[3].elements[1].isError());
    }
    RedisReplyReader bad;
    bad.feed("?junk\r\n", 7);
    auto next = bad.next();
    REQUIRE_FALSE(next);
    CHECK(next.status().code() == "ProtocolError");
}

TEST_CASE("Scores are read as times; a set with other scores is refused, never thrown on",
          "[activeset]") {
    auto users = usersFromScores(array({bulk("alice"), bulk("1795800000000"), bulk("bob"),
                                        bulk("1.7958e+12"), bulk("alice"), bulk("5")}));
    REQUIRE(users);
    CHECK(users.value() ==
          std::map<std::string, int64_t>{{"alice", 5}, {"bob", 1'795'800'000'000}});
    // Found by fuzz/redis_reply: std::stod threw on these and took `query --redis` down.
    for (const char* score : {"QUEUED", "inf", "", "12abc", "1e300", "nan"}) {
        INFO(score);
        auto bad = usersFromScores(array({bulk("alice"), bulk(score)}));
        REQUIRE_FALSE(bad);
        CHECK(bad.status().code() == "ProtocolError");
    }
    RedisReply status = RedisReply::status("QUEUED");
    CHECK_FALSE(usersFromScores(array({RedisReply::number(1), status})));
    CHECK(usersFromScores(RedisReply::error("WRONGTYPE")).status().code() == "RedisError");
}

TEST_CASE("An array's count allocates nothing before its elements arrive", "[activeset]") {
    // Found by fuzz/redis_reply: hiredis's own builder allocated 16 GB for this count at once.
    RedisReplyReader reader;
    const std::string huge = "*2000000001\r\n:1\r\n:2\r\n";
    reader.feed(huge.data(), huge.size());
    auto next = reader.next();
    REQUIRE(next);
    CHECK_FALSE(next.value());  // waiting for the rest, holding two elements
    // A count that wrapped to a negative int in hiredis 0.14 is refused.
    RedisReplyReader wrapped;
    wrapped.feed("*-5\r\n", 5);
    auto refused = wrapped.next();
    REQUIRE_FALSE(refused);
    CHECK(refused.status().code() == "ProtocolError");
}
