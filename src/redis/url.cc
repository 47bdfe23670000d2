#include "redis/url.h"

#include <charconv>

namespace au::redis {

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

// "host[:port]" or "[v6][:port]".
Status parseHostPort(const std::string& text, std::string& host, int& port) {
    std::string portText;
    if (!text.empty() && text[0] == '[') {
        const auto close = text.find(']');
        if (close == std::string::npos) return invalid("unclosed '[' in the host");
        host = text.substr(1, close - 1);
        const std::string after = text.substr(close + 1);
        if (!after.empty()) {
            if (after[0] != ':') return invalid("unexpected text after the host");
            portText = after.substr(1);
        }
    } else {
        const auto colon = text.rfind(':');
        host = text.substr(0, colon);
        if (colon != std::string::npos) portText = text.substr(colon + 1);
    }
    // The messages quote nothing from the URL: a password with an unencoded '/' or '@' shifts
    // the parts, and the "port" or "database" would then be a piece of it (found by fuzz/url).
    if (host.empty()) return invalid("no host");
    if (host.find_first_of("[]/ \t\r\n") != std::string::npos) {
        return invalid("the host has a character a host name cannot have");
    }
    if (!portText.empty() && (!parseInt(portText, port) || port < 1 || port > 65535)) {
        return invalid("the port is not a number from 1 to 65535");
    }
    return Status::ok();
}

}  // namespace

std::string Endpoint::redacted() const {
    const auto hostPort = [](const std::string& h, int p) {
        return (h.find(':') != std::string::npos ? "[" + h + "]" : h) + ":" + std::to_string(p);
    };
    if (cluster) {
        std::string out = tls ? "rediss+cluster://" : "redis+cluster://";
        for (size_t i = 0; i < seeds.size(); ++i) {
            out += (i ? "," : "") + hostPort(seeds[i].first, seeds[i].second);
        }
        return out;
    }
    return std::string(tls ? "rediss://" : "redis://") + hostPort(host, port) + "/" +
           std::to_string(db);
}

Result<Endpoint> parseUrl(const std::string& url, bool cluster) {
    Endpoint ep;
    ep.cluster = cluster;
    std::string rest;
    bool known = false;
    for (const char* scheme : {"redis://", "rediss://", "redis+cluster://", "rediss+cluster://"}) {
        const std::string prefix = scheme;
        if (url.rfind(prefix, 0) != 0) continue;
        known = true;
        ep.tls = prefix[5] == 's';
        if (prefix.find("+cluster") != std::string::npos) ep.cluster = true;
        rest = url.substr(prefix.size());
    }
    if (!known) {
        return invalid(
            "the URL must start with redis://, rediss://, redis+cluster:// or "
            "rediss+cluster://");
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
    size_t start = 0;
    for (;;) {
        const size_t comma = rest.find(',', start);
        std::string host;
        int port = 6379;
        if (Status st = parseHostPort(rest.substr(start, comma - start), host, port); !st)
            return st;
        ep.seeds.emplace_back(std::move(host), port);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    if (ep.seeds.size() > 1 && !ep.cluster) {
        return invalid(
            "several hosts name the seed nodes of a cluster: use redis+cluster:// (or "
            "activeUsers.redisCluster = true)");
    }
    ep.host = ep.seeds.front().first;
    ep.port = ep.seeds.front().second;
    if (!path.empty() && (!parseInt(path, ep.db) || ep.db < 0)) {
        return invalid("the path is not a database number");
    }
    if (ep.cluster && ep.db != 0) return invalid("a cluster has only database 0");
    return ep;
}

Status takePasswordFromEnvironment(Endpoint& endpoint, const std::string& name,
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

}  // namespace au::redis
