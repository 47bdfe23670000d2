#include "app/redis_target.h"

#include <catch2/catch.hpp>

#include "support/command_line.h"
#include "support/temp_dir.h"
#include "util/env.h"

using namespace au;
using namespace au::app;
using au::test::TempDir;

namespace {
CommandLine line(std::vector<std::string> args) {
    return test::commandLine("query", std::move(args));
}
}  // namespace

TEST_CASE("query/serve --redis: the password from --redis-password-env, never the command line",
          "[app]") {
    const MapEnvironment env({{"AU_REDIS_PW", "s3cret"}, {"EMPTY", ""}});

    auto t = redisTargetFrom(line({"--redis", "redis://reader:@127.0.0.1:6379", "--key", "k",
                                   "--redis-password-env", "AU_REDIS_PW"}),
                             env);
    REQUIRE(t);
    CHECK(t->connect.endpoint.user == "reader");
    CHECK(t->connect.endpoint.password == "s3cret");
    CHECK(t->connect.endpoint.redacted().find("s3cret") == std::string::npos);

    // It replaces a password in the URL, and the properties' redisPasswordEnv.
    TempDir dir;
    const std::string props = dir.write(
        "p.properties", "activeUsers.redisKey = users\nactiveUsers.redisPasswordEnv = PROPS_PW\n");
    const MapEnvironment both({{"PROPS_PW", "from-props"}, {"AU_REDIS_PW", "s3cret"}});
    t = redisTargetFrom(line({"--redis", "redis://:old@127.0.0.1:6379", "--properties", props}),
                        both);
    REQUIRE(t);
    CHECK(t->connect.endpoint.password == "from-props");
    t = redisTargetFrom(line({"--redis", "redis://:old@127.0.0.1:6379", "--properties", props,
                              "--redis-password-env", "AU_REDIS_PW"}),
                        both);
    REQUIRE(t);
    CHECK(t->connect.endpoint.password == "s3cret");
    CHECK(t->key == "users");
    // With the flag, the file's variable is not needed (here unset).
    t = redisTargetFrom(
        line({"--redis", "redis://127.0.0.1:6379", "--properties", props, "--redis-password-env",
              "AU_REDIS_PW"}),
        MapEnvironment(std::map<std::string, std::string>{{"AU_REDIS_PW", "s3cret"}}));
    REQUIRE(t);
    CHECK(t->connect.endpoint.password == "s3cret");

    // Unset or empty: a usage error naming the variable, not a connection without a password.
    for (const char* name : {"MISSING", "EMPTY"}) {
        auto bad = redisTargetFrom(
            line({"--redis", "redis://127.0.0.1:6379", "--key", "k", "--redis-password-env", name}),
            env);
        REQUIRE_FALSE(bad);
        CHECK(bad.status().code() == "Usage");
        CHECK(bad.status().message().find(name) != std::string::npos);
    }
}
