#include "redis/command.h"

#include <hiredis/hiredis.h>

namespace au::redis {

std::string formatCommand(const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    argv.reserve(args.size());
    lens.reserve(args.size());
    for (const auto& a : args) {
        argv.push_back(a.data());
        lens.push_back(a.size());
    }
    char* target = nullptr;
    const int len =
        redisFormatCommandArgv(&target, static_cast<int>(args.size()), argv.data(), lens.data());
    std::string out;
    if (len > 0 && target != nullptr) out.assign(target, static_cast<size_t>(len));
    redisFreeCommand(target);
    return out;
}

}  // namespace au::redis
