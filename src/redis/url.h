#pragma once
// Endpoint: where and how to connect, parsed from a URL:
//   redis://[[user]:password@]host[:port][/db]     plain TCP
//   rediss://...                                    TLS
//   redis+cluster://[[user]:password@]host[:port][,host[:port]...]
//                                                   a Redis Cluster, found through these seed
//                                                   nodes (rediss+cluster:// with TLS); db 0 only
// Port defaults to 6379, db to 0. user and password are percent-decoded; an empty user with a
// password means the legacy "AUTH password" (every node of a cluster gets the same). IPv6 hosts
// go in brackets ("redis://[::1]:6379"). parseUrl(url, cluster = true) (activeUsers.redisCluster)
// reads a redis:// or rediss:// URL as the seeds of a cluster too. Several hosts without a
// cluster are an error. Fails with "InvalidRedisUrl" and a message naming the problem; it quotes
// nothing from the URL, which may hold a password. Percent-encode '/', '@', ':' and '%' in a
// password.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "util/env.h"
#include "util/status.h"

namespace au::redis {

struct Endpoint {
    bool tls = false;
    std::string host;
    int port = 6379;
    std::optional<std::string> user;
    std::optional<std::string> password;
    int db = 0;
    bool cluster = false;                            // a Redis Cluster, found through `seeds`
    std::vector<std::pair<std::string, int>> seeds;  // every host:port of the URL (host:port first)

    // "redis://host:port/db" ("redis+cluster://host:port,...") without credentials, for logs.
    std::string redacted() const;
};

Result<Endpoint> parseUrl(const std::string& url, bool cluster = false);

// activeUsers.redisPasswordEnv: the password is the value of the environment variable `name`,
// replacing any password in the URL (an ACL user keeps its name: "redis://user:@host"). Does
// nothing for an empty name; fails with "PasswordNotSet" when the variable is unset or empty.
Status takePasswordFromEnvironment(Endpoint& endpoint, const std::string& name,
                                   const Environment& env);

}  // namespace au::redis
