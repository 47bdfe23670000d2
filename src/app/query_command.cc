#include <charconv>
#include <cstdio>

#include "activeset/redis_active_set.h"
#include "activeset/user_list_format.h"
#include "app/commands.h"
#include "app/redis_target.h"
#include "processor/snapshot.h"
#include "redis/link.h"
#include "util/clock.h"
#include "util/env.h"

namespace au::app {

namespace {

constexpr const char* kUsage =
    "usage: active-users query --state-dir DIR [--json] [--at EPOCH_MS]\n"
    "       active-users query --redis URL (--key K | --properties F)\n"
    "                          [--redis-password-env NAME] [--json] [--at EPOCH_MS]\n";

// The users active at `at` in the Redis set (TTL and partitions: configured, else published).
Result<std::map<std::string, int64_t>> readRedis(const RedisTarget& target, int64_t at) {
    auto link = redis::makeLink(target.connect);
    if (Status st = link->connect(); !st) return st;
    activeset::SetReader reader(target.readerOptions());
    return reader.users(*link, at);
}

}  // namespace

int runQuery(const CommandLine& cl) {
    const auto dir = cl.get("--state-dir");
    const bool redis = cl.has("--redis");
    if ((!dir || dir->empty()) == !redis) {
        std::fputs(kUsage, stderr);
        return 2;
    }
    int64_t at = SystemClock().nowMillis();
    if (auto text = cl.get("--at")) {
        const auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), at);
        if (ec != std::errc() || ptr != text->data() + text->size()) {
            std::fprintf(stderr, "--at: \"%s\" is not epoch milliseconds\n", text->c_str());
            return 2;
        }
    }
    Result<std::map<std::string, int64_t>> users = std::map<std::string, int64_t>{};
    if (redis) {
        auto target = redisTargetFrom(cl, ProcessEnvironment());
        if (!target) {
            std::fprintf(stderr, "query: %s\n%s", target.status().message().c_str(), kUsage);
            return 2;
        }
        users = readRedis(target.value(), at);
    } else {
        users = processor::mergeActiveUsers(*dir, at);
    }
    if (!users) {
        std::fprintf(stderr, "query: %s\n", users.status().toString().c_str());
        return 1;
    }
    const std::string out = cl.has("--json") ? activeset::usersAsJson(users.value()) + "\n"
                                             : activeset::usersAsText(users.value());
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
}

}  // namespace au::app
