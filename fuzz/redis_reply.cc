// Fuzz target: bytes from Redis servers through our reader (src/redis/reply_reader.h, hiredis
// underneath) and what we make of the replies: the set's members and scores and the stats hash
// (src/activeset/redis_active_set.h), a Redis Cluster's CLUSTER SLOTS map (src/redis/slot_map.h)
// and its redirections (src/redis/cluster_link.h). Input: the byte stream. Properties:
//  - feeding it whole or one byte at a time gives the same replies and the same error;
//  - every reply written back as RESP reads back as the same reply;
//  - reading replies as ZRANGEBYSCORE ... WITHSCORES (one or every reply as the partitions of a
//    set) or as the stats hash never throws; a member list it accepts has one entry per distinct
//    user, with the largest of its integer scores kept exactly;
//  - a reply read as CLUSTER SLOTS gives a map whose every served slot has a master among the
//    nodes it knows, or ProtocolError / ClusterError (for an error reply);
//  - a cluster link whose nodes answer with the stream's replies, in order (CLUSTER SLOTS, then
//    the commands' replies, MOVED / ASK / CLUSTERDOWN included), connects only to a map serving
//    every slot, and a pipeline either fails — leaving the link disconnected — or gives one reply
//    and one timing per command, within its redirection bound.
#include <algorithm>
#include <charconv>
#include <deque>
#include <map>
#include <memory>

#include "activeset/redis_active_set.h"
#include "activeset/set_layout.h"
#include "fuzz.h"
#include "redis/cluster_link.h"
#include "redis/command.h"
#include "redis/reply_reader.h"
#include "redis/slot_map.h"

using namespace au;
using au::redis::Reply;

namespace {

constexpr size_t kMaxReplies = 256;

std::string describe(const Reply& r) {
    std::string out = std::to_string(static_cast<int>(r.type)) + ":";
    if (r.type == Reply::Type::kInteger) out += std::to_string(r.integer);
    if (r.type == Reply::Type::kString || r.type == Reply::Type::kStatus ||
        r.type == Reply::Type::kError) {
        out += std::to_string(r.str.size()) + ":" + r.str;
    }
    if (r.type == Reply::Type::kArray) {
        out += std::to_string(r.elements.size()) + "[";
        for (const auto& e : r.elements) out += describe(e);
        out += "]";
    }
    return out;
}

std::string resp(const Reply& r) {
    switch (r.type) {
        case Reply::Type::kString:
            return "$" + std::to_string(r.str.size()) + "\r\n" + r.str + "\r\n";
        case Reply::Type::kStatus:
            return "+" + r.str + "\r\n";
        case Reply::Type::kError:
            return "-" + r.str + "\r\n";
        case Reply::Type::kInteger:
            return ":" + std::to_string(r.integer) + "\r\n";
        case Reply::Type::kNil:
            return "$-1\r\n";
        case Reply::Type::kArray: {
            std::string out = "*" + std::to_string(r.elements.size()) + "\r\n";
            for (const auto& e : r.elements) out += resp(e);
            return out;
        }
    }
    return "";
}

// Replies until the stream ends or fails; the last entry is "error:<code>" on a failure.
std::vector<std::string> readAll(std::string_view bytes, size_t chunk,
                                 std::vector<Reply>* replies = nullptr) {
    redis::ReplyReader reader;
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

void checkUsers(const std::vector<Reply>& partitions) {
    auto users = activeset::usersFromScores(partitions);
    if (!users) {
        const std::string& code = users.status().code();
        FUZZ_CHECK(code == "RedisError" || code == "ProtocolError");
        return;
    }
    // Per user: whether every score given was an integer, and the largest.
    std::map<std::string, std::pair<bool, int64_t>> expected;
    size_t pairs = 0;
    for (const Reply& reply : partitions) {
        FUZZ_CHECK(reply.type == Reply::Type::kArray && reply.elements.size() % 2 == 0);
        for (size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
            ++pairs;
            const std::string id = activeset::userIdOfMember(reply.elements[i].str);
            FUZZ_CHECK(users->count(id) == 1);
            const std::string& score = reply.elements[i + 1].str;
            int64_t exact = 0;
            const auto [ptr, ec] =
                std::from_chars(score.data(), score.data() + score.size(), exact);
            const bool integral = ec == std::errc() && ptr == score.data() + score.size();
            auto [it, inserted] = expected.try_emplace(id, integral, exact);
            if (!inserted) {
                it->second.first = it->second.first && integral;
                it->second.second = std::max(it->second.second, exact);
            }
        }
    }
    FUZZ_CHECK(users->size() == expected.size() && users->size() <= pairs);
    for (const auto& [id, e] : expected) {
        if (e.first) FUZZ_CHECK(users->at(id) == e.second);
    }
}

void checkSlotMap(const Reply& reply) {
    auto map = redis::SlotMap::fromClusterSlots(reply, "10.0.0.9");
    if (!map) {
        FUZZ_CHECK(map.status().code() == (reply.isError() ? "ClusterError" : "ProtocolError"));
        return;
    }
    const auto& known = map->knownNodes();
    const auto isKnown = [&](const redis::NodeAddress& n) {
        return std::find(known.begin(), known.end(), n) != known.end();
    };
    for (const auto& n : known) FUZZ_CHECK(!n.host.empty() && n.port >= 1 && n.port <= 65535);
    int unserved = 0;
    for (int slot = 0; slot < redis::kSlotCount; ++slot) {
        const redis::NodeAddress* master = map->masterOf(slot);
        if (master == nullptr) {
            ++unserved;
        } else {
            FUZZ_CHECK(isKnown(*master));
        }
    }
    FUZZ_CHECK(unserved == map->uncoveredSlots());
    const auto masters = map->masters();
    for (size_t i = 0; i < masters.size(); ++i) {
        FUZZ_CHECK(isKnown(masters[i]));
        for (size_t k = 0; k < i; ++k) FUZZ_CHECK(masters[k] != masters[i]);
    }
}

// Every node of the scripted cluster answers with the next reply of the stream, whoever asks.
class ScriptedNode final : public redis::NodeConnection {
  public:
    explicit ScriptedNode(std::shared_ptr<std::deque<Reply>> script) : script_(std::move(script)) {}
    Status send(const std::vector<std::string>&, redis::Deadline) override { return Status::ok(); }
    Result<Reply> receive(redis::Deadline) override {
        if (script_->empty()) return Status::error("ConnectionError", "the script ended");
        Reply r = std::move(script_->front());
        script_->pop_front();
        return r;
    }

  private:
    std::shared_ptr<std::deque<Reply>> script_;
};

void checkClusterLink(const std::vector<Reply>& replies) {
    auto script = std::make_shared<std::deque<Reply>>(replies.begin(), replies.end());
    redis::ClusterOptions options;
    options.seeds = {{"10.0.0.1", 7000}, {"10.0.0.2", 7001}};
    options.timeoutMillis = 60'000;  // the script answers at once; no input may hit a deadline
    redis::ClusterLink link(options, [script](const redis::NodeAddress&, redis::Deadline) {
        return Result<std::unique_ptr<redis::NodeConnection>>(
            std::make_unique<ScriptedNode>(script));
    });
    if (Status st = link.connect(); !st) {
        FUZZ_CHECK(!link.connected());
        return;
    }
    FUZZ_CHECK(link.connected() && link.slotMap().uncoveredSlots() == 0);
    const auto layout = activeset::SetLayout::partitioned("k", 4, activeset::MemberFormat::kText);
    std::vector<std::string> commands;
    for (size_t p = 0; p < layout.partitions(); ++p) {
        commands.push_back(redis::formatCommand({"ZCOUNT", layout.partitionKey(p), "(0", "+inf"}));
    }
    commands.push_back(redis::formatCommand({"HGETALL", "k:stats"}));
    for (int call = 0; call < 2 && link.connected(); ++call) {
        const auto before = link.counters();
        auto result = link.pipeline(commands);
        const auto& after = link.counters();
        FUZZ_CHECK(after.moved + after.asked - before.moved - before.asked <=
                   commands.size() * (redis::ClusterLink::kMaxRedirects + 1));
        if (!result) {
            FUZZ_CHECK(!link.connected());
            return;
        }
        FUZZ_CHECK(result->size() == commands.size());
        FUZZ_CHECK(link.lastTimings().size() == commands.size());
        for (const auto& t : link.lastTimings()) FUZZ_CHECK(!t.node.empty() && t.micros >= 0);
        // No redirection or cluster-down reply is handed to the caller.
        for (const Reply& r : result.value()) {
            if (!r.isError()) continue;
            FUZZ_CHECK(r.str.rfind("CLUSTERDOWN", 0) != 0 && r.str.rfind("TRYAGAIN", 0) != 0);
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view bytes = fuzz::asText(data, size);
    std::vector<Reply> replies;
    const auto whole = readAll(bytes, bytes.size() + 1, &replies);
    FUZZ_CHECK(readAll(bytes, 1) == whole);

    for (const auto& reply : replies) {
        const std::string written = resp(reply);
        std::vector<Reply> back;
        const auto again = readAll(written, written.size() + 1, &back);
        FUZZ_CHECK(back.size() == 1 && again.size() == 1);
        FUZZ_CHECK(describe(back.front()) == describe(reply));
        checkUsers({reply});
        auto stats = activeset::shardStatsFromHash(reply);
        if (stats) FUZZ_CHECK(stats->size() <= reply.elements.size() / 2);
        checkSlotMap(reply);
    }
    checkUsers(replies);
    checkClusterLink(replies);
    return 0;
}
