#include "activeset/user_list_format.h"

#include <nlohmann/json.hpp>

#include "util/time_format.h"

namespace au::activeset {

std::string usersAsText(const std::map<std::string, int64_t>& users) {
    std::string out = std::to_string(users.size()) + "\n";
    for (const auto& [id, lastSeen] : users) {
        out += id;
        out += ' ';
        out += formatIso8601Millis(lastSeen);
        out += '\n';
    }
    return out;
}

std::string usersAsJson(const std::map<std::string, int64_t>& users) {
    nlohmann::ordered_json out;
    out["count"] = users.size();
    auto& list = out["users"] = nlohmann::ordered_json::array();
    for (const auto& [id, lastSeen] : users) {
        list.push_back(nlohmann::ordered_json{{"userId", id}, {"lastSeen", lastSeen}});
    }
    return out.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace au::activeset
