#pragma once
// The output formats of a list of active users, shared by `query` and `serve` (docs/state.md):
//   text: the count, then "userId lastSeenISO8601" per line, sorted by user id
//   JSON: {"count":N,"users":[{"userId":"...","lastSeen":<epoch ms>},...]}, sorted by user id
// Invalid UTF-8 in an id is replaced (U+FFFD) in JSON.

#include <cstdint>
#include <map>
#include <string>

namespace au::activeset {

std::string usersAsText(const std::map<std::string, int64_t>& users);
std::string usersAsJson(const std::map<std::string, int64_t>& users);

}  // namespace au::activeset
