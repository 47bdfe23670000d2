#pragma once
// Commands in RESP form, as pipelines send them.
//   formatCommand: the arguments as one RESP array of bulk strings (hiredis's formatter).
//   commandKey: the key a formatted command acts on, for routing in a cluster: its first argument
//     after the command name (true of every command this program sends: ZADD, ZCOUNT,
//     ZRANGEBYSCORE, ZREMRANGEBYSCORE, HSET, HGETALL). nullopt for a command without arguments or
//     a malformed one.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace au::redis {

std::string formatCommand(const std::vector<std::string>& args);
std::optional<std::string_view> commandKey(std::string_view resp);

}  // namespace au::redis
