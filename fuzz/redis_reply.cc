// Fuzz target: bytes from a Redis server through our reader (src/activeset/redis_reply_reader.h,
// hiredis underneath) and what we make of the replies (redis_active_set.h: the set's members and
// scores, the stats hash). Input: the byte stream. Properties:
//  - feeding it whole or one byte at a time gives the same replies and the same error;
//  - every reply written back as RESP reads back as the same reply;
//  - reading a reply as ZRANGEBYSCORE ... WITHSCORES or as the stats hash never throws, and a
//    member list it accepts has one entry per distinct member, with integer scores kept exactly.
#include <charconv>

#include "activeset/redis_active_set.h"
#include "activeset/redis_reply_reader.h"
#include "fuzz.h"

using namespace au;
using namespace au::activeset;

namespace {

constexpr size_t kMaxReplies = 256;

std::string describe(const RedisReply& r) {
    std::string out = std::to_string(static_cast<int>(r.type)) + ":";
    if (r.type == RedisReply::Type::kInteger) out += std::to_string(r.integer);
    if (r.type == RedisReply::Type::kString || r.type == RedisReply::Type::kStatus ||
        r.type == RedisReply::Type::kError) {
        out += std::to_string(r.str.size()) + ":" + r.str;
    }
    if (r.type == RedisReply::Type::kArray) {
        out += std::to_string(r.elements.size()) + "[";
        for (const auto& e : r.elements) out += describe(e);
        out += "]";
    }
    return out;
}

std::string resp(const RedisReply& r) {
    switch (r.type) {
        case RedisReply::Type::kString:
            return "$" + std::to_string(r.str.size()) + "\r\n" + r.str + "\r\n";
        case RedisReply::Type::kStatus:
            return "+" + r.str + "\r\n";
        case RedisReply::Type::kError:
            return "-" + r.str + "\r\n";
        case RedisReply::Type::kInteger:
            return ":" + std::to_string(r.integer) + "\r\n";
        case RedisReply::Type::kNil:
            return "$-1\r\n";
        case RedisReply::Type::kArray: {
            std::string out = "*" + std::to_string(r.elements.size()) + "\r\n";
            for (const auto& e : r.elements) out += resp(e);
            return out;
        }
    }
    return "";
}

// Replies until the stream ends or fails; the last entry is "error:<code>" on a failure.
std::vector<std::string> readAll(std::string_view bytes, size_t chunk,
                                 std::vector<RedisReply>* replies = nullptr) {
    RedisReplyReader reader;
    std::vector<std::string> out;
    size_t fed = 0;
    while (out.size() < kMaxReplies) {
        auto next = reader.next();
        if (!next) {
            out.push_back("error:" + next.status().code());
            break;
        }
        if (next.value()) {
            out.push_back(describe(*next.value()));
            if (replies != nullptr) replies->push_back(std::move(*next.value()));
            continue;
        }
        if (fed == bytes.size()) break;
        const size_t n = std::min(chunk, bytes.size() - fed);
        reader.feed(bytes.data() + fed, n);
        fed += n;
    }
    return out;
}

void checkMeaning(const RedisReply& reply) {
    auto users = usersFromScores(reply);
    if (users) {
        FUZZ_CHECK(reply.type == RedisReply::Type::kArray && reply.elements.size() % 2 == 0);
        FUZZ_CHECK(users->size() <= reply.elements.size() / 2);
        for (size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
            const std::string& score = reply.elements[i + 1].str;
            int64_t exact = 0;
            const auto [ptr, ec] =
                std::from_chars(score.data(), score.data() + score.size(), exact);
            const bool integral = ec == std::errc() && ptr == score.data() + score.size();
            FUZZ_CHECK(users->count(reply.elements[i].str) == 1);
            // The last score given for a member wins, as in a map built in order.
            bool last = true;
            for (size_t k = i + 2; k + 1 < reply.elements.size(); k += 2) {
                if (reply.elements[k].str == reply.elements[i].str) last = false;
            }
            if (integral && last) FUZZ_CHECK(users->at(reply.elements[i].str) == exact);
        }
    }
    auto stats = shardStatsFromHash(reply);
    if (stats) FUZZ_CHECK(stats->size() <= reply.elements.size() / 2);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view bytes = fuzz::asText(data, size);
    std::vector<RedisReply> replies;
    const auto whole = readAll(bytes, bytes.size() + 1, &replies);
    FUZZ_CHECK(readAll(bytes, 1) == whole);

    for (const auto& reply : replies) {
        const std::string written = resp(reply);
        std::vector<RedisReply> back;
        const auto again = readAll(written, written.size() + 1, &back);
        FUZZ_CHECK(back.size() == 1 && again.size() == 1);
        FUZZ_CHECK(describe(back.front()) == describe(reply));
        checkMeaning(reply);
    }
    return 0;
}
