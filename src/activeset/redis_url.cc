#include "activeset/redis_url.h"

#include <charconv>

namespace au::activeset {

namespace {

Status invalid(const std::string& message) { return Status::error("InvalidRedisUrl", message); }

int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::optional<std::string> percentDecode(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') {
            out += s[i];
            continue;
        }
        if (i + 2 >= s.size()) return std::nullopt;
        const int hi = hexValue(s[i + 1]);
        const int lo = hexValue(s[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return out;
}

bool parseInt(const std::string& s, int& out) {
    if (s.empty()) return false;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && ptr == s.data() + s.size();
}

}  // namespace

std::string RedisEndpoint::redacted() const {
    const bool v6 = host.find(':') != std::string::npos;
    return std::string(tls ? "rediss://" : "redis://") + (v6 ? "[" + host + "]" : host) + ":" +
           std::to_string(port) + "/" + std::to_string(db);
}

Result<RedisEndpoint> parseRedisUrl(const std::string& url) {
    RedisEndpoint ep;
    std::string rest;
    if (url.rfind("redis://", 0) == 0) {
        rest = url.substr(8);
    } else if (url.rfind("rediss://", 0) == 0) {
        ep.tls = true;
        rest = url.substr(9);
    } else {
        return invalid("the URL must start with redis:// or rediss://");
    }
    if (const auto q = rest.find_first_of("?#"); q != std::string::npos) {
        return invalid("query parameters and fragments are not supported");
    }
    std::string path;
    if (const auto slash = rest.find('/'); slash != std::string::npos) {
        path = rest.substr(slash + 1);
        rest = rest.substr(0, slash);
    }
    if (const auto at = rest.rfind('@'); at != std::string::npos) {
        const std::string userinfo = rest.substr(0, at);
        rest = rest.substr(at + 1);
        const auto colon = userinfo.find(':');
        const auto user = percentDecode(userinfo.substr(0, colon));
        if (!user) return invalid("bad percent-encoding in the user name");
        if (colon == std::string::npos) {
            // "redis://secret@host" is commonly meant as a password.
            if (!user->empty()) ep.password = *user;
        } else {
            const auto password = percentDecode(userinfo.substr(colon + 1));
            if (!password) return invalid("bad percent-encoding in the password");
            if (!user->empty()) ep.user = *user;
            ep.password = *password;
        }
    }
    std::string portText;
    if (!rest.empty() && rest[0] == '[') {
        const auto close = rest.find(']');
        if (close == std::string::npos) return invalid("unclosed '[' in the host");
        ep.host = rest.substr(1, close - 1);
        const std::string after = rest.substr(close + 1);
        if (!after.empty()) {
            if (after[0] != ':') return invalid("unexpected text after the host");
            portText = after.substr(1);
        }
    } else {
        const auto colon = rest.rfind(':');
        ep.host = rest.substr(0, colon);
        if (colon != std::string::npos) portText = rest.substr(colon + 1);
    }
    // The messages quote nothing from the URL: a password with an unencoded '/' or '@' shifts
    // the parts, and the "port" or "database" would then be a piece of it (found by fuzz/url).
    if (ep.host.empty()) return invalid("no host");
    if (ep.host.find_first_of("[]/ \t\r\n") != std::string::npos) {
        return invalid("the host has a character a host name cannot have");
    }
    if (!portText.empty() && (!parseInt(portText, ep.port) || ep.port < 1 || ep.port > 65535)) {
        return invalid("the port is not a number from 1 to 65535");
    }
    if (!path.empty() && (!parseInt(path, ep.db) || ep.db < 0)) {
        return invalid("the path is not a database number");
    }
    return ep;
}

Status takePasswordFromEnvironment(RedisEndpoint& endpoint, const std::string& name,
                                   const Environment& env) {
    if (name.empty()) return Status::ok();
    const auto value = env.get(name);
    if (!value || value->empty()) {
        return Status::error("PasswordNotSet", "environment variable " + name +
                                                   " (activeUsers.redisPasswordEnv) is not set");
    }
    endpoint.password = *value;
    return Status::ok();
}

}  // namespace au::activeset
