#pragma once
// Who may read what on `serve` (docs/active-set.md, "Access"). Without a token everything is open.
// With one, every path needs it except /healthz, /favicon.ico and /login (and /metrics when
// `metricsNeedToken` is false). The token is taken from
//   Authorization: Bearer <token>          (scripts, Prometheus' bearer_token_file)
//   Cookie: active_users_token=<token>     (a browser, after the form at /login)
// A request that presents a token in both places must have it right in both.

#include <optional>
#include <string>
#include <string_view>

#include "serve/access_token.h"

namespace au::serve {

inline constexpr const char* kTokenCookie = "active_users_token";

struct AccessPolicy {
    std::optional<AccessToken> token;  // none: no authentication
    bool metricsNeedToken = true;
};

enum class Access {
    kAllowed,
    kMissing,  // no token presented (401)
    kWrong,    // a token presented, but not the right one (401, error="invalid_token")
};

// The decision for one request. `authorization` and `cookie` are the headers' values (empty when
// absent). Constant time in the token's content (AccessToken::matches).
Access checkAccess(const AccessPolicy& policy, std::string_view path,
                   std::string_view authorization, std::string_view cookie);

// The value of cookie `name` in a Cookie header ("a=1; b=2"), if present.
std::optional<std::string_view> cookieValue(std::string_view header, std::string_view name);

// The token of an "Authorization: Bearer <token>" value (scheme in any case); nullopt for another
// scheme or none.
std::optional<std::string_view> bearerToken(std::string_view authorization);

}  // namespace au::serve
