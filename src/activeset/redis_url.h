#pragma once
// RedisEndpoint: where and how to connect, parsed from a URL:
//   redis://[[user]:password@]host[:port][/db]     plain TCP
//   rediss://...                                    TLS
// Port defaults to 6379, db to 0. user and password are percent-decoded; an empty user with a
// password means the legacy "AUTH password". IPv6 hosts go in brackets ("redis://[::1]:6379").
// Fails with "InvalidRedisUrl" and a message naming the problem; it quotes nothing from the URL,
// which may hold a password. Percent-encode '/', '@', ':' and '%' in a password.

#include <optional>
#include <string>

#include "util/env.h"
#include "util/status.h"

namespace au::activeset {

struct RedisEndpoint {
    bool tls = false;
    std::string host;
    int port = 6379;
    std::optional<std::string> user;
    std::optional<std::string> password;
    int db = 0;

    // "redis://host:port/db" without credentials, for log lines.
    std::string redacted() const;
};

Result<RedisEndpoint> parseRedisUrl(const std::string& url);

// activeUsers.redisPasswordEnv: the password is the value of the environment variable `name`,
// replacing any password in the URL (an ACL user keeps its name: "redis://user:@host"). Does
// nothing for an empty name; fails with "PasswordNotSet" when the variable is unset or empty.
Status takePasswordFromEnvironment(RedisEndpoint& endpoint, const std::string& name,
                                   const Environment& env);

}  // namespace au::activeset
