#pragma once
// Commands in RESP form, as pipelines send them: formatCommand writes the arguments as one RESP
// array of bulk strings (hiredis's redisFormatCommandArgv).

#include <string>
#include <vector>

namespace au::redis {

std::string formatCommand(const std::vector<std::string>& args);

}  // namespace au::redis
