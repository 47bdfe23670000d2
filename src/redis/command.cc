#include "redis/command.h"

#include <hiredis/hiredis.h>

#include <charconv>

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

namespace {

// Reads "<prefix><number>\r\n" at `pos`; advances past it.
std::optional<size_t> readHeader(std::string_view resp, size_t& pos, char prefix) {
    if (pos >= resp.size() || resp[pos] != prefix) return std::nullopt;
    const size_t eol = resp.find("\r\n", pos);
    if (eol == std::string_view::npos) return std::nullopt;
    size_t n = 0;
    const auto [ptr, ec] = std::from_chars(resp.data() + pos + 1, resp.data() + eol, n);
    if (ec != std::errc() || ptr != resp.data() + eol) return std::nullopt;
    pos = eol + 2;
    return n;
}

}  // namespace

std::optional<std::string_view> commandKey(std::string_view resp) {
    size_t pos = 0;
    const auto count = readHeader(resp, pos, '*');
    if (!count || *count < 2) return std::nullopt;
    const auto nameLength = readHeader(resp, pos, '$');
    if (!nameLength) return std::nullopt;
    pos += *nameLength + 2;
    const auto keyLength = readHeader(resp, pos, '$');
    if (!keyLength || pos + *keyLength > resp.size()) return std::nullopt;
    return resp.substr(pos, *keyLength);
}

}  // namespace au::redis
