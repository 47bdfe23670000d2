#include <charconv>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "app/commands.h"
#include "processor/snapshot.h"
#include "util/clock.h"
#include "util/time_format.h"

namespace au::app {

int runQuery(const CommandLine& cl) {
    const auto dir = cl.get("--state-dir");
    if (!dir || dir->empty()) {
        std::fprintf(stderr, "usage: active-users query --state-dir DIR [--json] [--at EPOCH_MS]\n");
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
    auto users = processor::mergeActiveUsers(*dir, at);
    if (!users) {
        std::fprintf(stderr, "query: %s\n", users.status().toString().c_str());
        return 1;
    }
    if (cl.has("--json")) {
        nlohmann::ordered_json out;
        out["count"] = users->size();
        auto& list = out["users"] = nlohmann::ordered_json::array();
        for (const auto& [id, lastSeen] : users.value()) {
            list.push_back(nlohmann::ordered_json{{"userId", id}, {"lastSeen", lastSeen}});
        }
        std::printf("%s\n", out.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace).c_str());
    } else {
        std::printf("%zu\n", users->size());
        for (const auto& [id, lastSeen] : users.value()) {
            std::printf("%s %s\n", id.c_str(), formatIso8601Millis(lastSeen).c_str());
        }
    }
    return 0;
}

}  // namespace au::app
