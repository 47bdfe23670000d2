// The RESP reader (no server: bytes in, values out).
#include "redis/reply_reader.h"

#include <catch2/catch.hpp>

using namespace au;
using namespace au::redis;

namespace {

std::vector<Reply> readAll(const std::string& bytes, size_t chunk) {
    ReplyReader reader;
    std::vector<Reply> out;
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

}  // namespace

TEST_CASE("The reader gives the same replies whatever the chunks the bytes arrive in",
          "[redis][unit]") {
    const std::string bytes = "+OK\r\n:42\r\n$5\r\nhe\r\no\r\n*2\r\n$-1\r\n-ERR no\r\n";
    for (size_t chunk : {size_t{1}, size_t{3}, bytes.size()}) {
        INFO(chunk);
        const auto replies = readAll(bytes, chunk);
        REQUIRE(replies.size() == 4);
        CHECK(replies[0].type == Reply::Type::kStatus);
        CHECK(replies[1].integer == 42);
        CHECK(replies[2].str == "he\r\no");
        REQUIRE(replies[3].elements.size() == 2);
        CHECK(replies[3].elements[0].type == Reply::Type::kNil);
        CHECK(replies[3].elements[1].isError());
    }
    ReplyReader bad;
    bad.feed("?junk\r\n", 7);
    auto next = bad.next();
    REQUIRE_FALSE(next);
    CHECK(next.status().code() == "ProtocolError");
}

TEST_CASE("An array's count allocates nothing before its elements arrive", "[redis][unit]") {
    // Found by fuzz/redis_reply: hiredis's own builder allocated 16 GB for this count at once.
    ReplyReader reader;
    const std::string huge = "*2000000001\r\n:1\r\n:2\r\n";
    reader.feed(huge.data(), huge.size());
    auto next = reader.next();
    REQUIRE(next);
    CHECK_FALSE(next.value());  // waiting for the rest, holding two elements
    // A count that wrapped to a negative int in hiredis 0.14 is refused.
    ReplyReader wrapped;
    wrapped.feed("*-5\r\n", 5);
    auto refused = wrapped.next();
    REQUIRE_FALSE(refused);
    CHECK(refused.status().code() == "ProtocolError");
}
