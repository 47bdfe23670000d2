#include "serve/access_policy.h"

#include <strings.h>

namespace au::serve {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool isOpenPath(const AccessPolicy& policy, std::string_view path) {
    if (path == "/healthz" || path == "/favicon.ico" || path == "/login") return true;
    return path == "/metrics" && !policy.metricsNeedToken;
}

}  // namespace

std::optional<std::string_view> cookieValue(std::string_view header, std::string_view name) {
    while (!header.empty()) {
        const size_t semi = header.find(';');
        const std::string_view pair = trim(header.substr(0, semi));
        const size_t eq = pair.find('=');
        if (eq != std::string_view::npos && trim(pair.substr(0, eq)) == name) {
            std::string_view value = trim(pair.substr(eq + 1));
            if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
                value = value.substr(1, value.size() - 2);
            }
            return value;
        }
        if (semi == std::string_view::npos) break;
        header.remove_prefix(semi + 1);
    }
    return std::nullopt;
}

std::optional<std::string_view> bearerToken(std::string_view authorization) {
    authorization = trim(authorization);
    constexpr std::string_view kScheme = "bearer";
    if (authorization.size() <= kScheme.size() ||
        ::strncasecmp(authorization.data(), kScheme.data(), kScheme.size()) != 0 ||
        (authorization[kScheme.size()] != ' ' && authorization[kScheme.size()] != '\t')) {
        return std::nullopt;
    }
    return trim(authorization.substr(kScheme.size()));
}

Access checkAccess(const AccessPolicy& policy, std::string_view path,
                   std::string_view authorization, std::string_view cookie) {
    if (!policy.token || isOpenPath(policy, path)) return Access::kAllowed;
    bool presented = false;
    bool right = true;
    if (!authorization.empty()) {
        presented = true;
        const auto bearer = bearerToken(authorization);
        // Another scheme (Basic, ...) is a wrong credential; the hash runs either way.
        const bool ok = policy.token->matches(bearer.value_or(std::string_view()));
        right = right && bearer && ok;
    }
    if (const auto fromCookie = cookieValue(cookie, kTokenCookie)) {
        presented = true;
        right = policy.token->matches(*fromCookie) && right;
    }
    if (!presented) return Access::kMissing;
    return right ? Access::kAllowed : Access::kWrong;
}

}  // namespace au::serve
