#include "redis/url.h"

#include <catch2/catch.hpp>
#include <map>

#include "redis/backoff.h"

using namespace au::redis;

TEST_CASE("Redis URLs: scheme, credentials, host, port and db", "[redis][unit]") {
    auto plain = parseUrl("redis://127.0.0.1:6380/2");
    REQUIRE(plain);
    CHECK_FALSE(plain->tls);
    CHECK(plain->host == "127.0.0.1");
    CHECK(plain->port == 6380);
    CHECK(plain->db == 2);
    CHECK_FALSE(plain->user);
    CHECK_FALSE(plain->password);

    auto acl = parseUrl("rediss://app:p%40ss@cache.example:6379");
    REQUIRE(acl);
    CHECK(acl->tls);
    CHECK(*acl->user == "app");
    CHECK(*acl->password == "p@ss");
    CHECK(acl->db == 0);
    CHECK(acl->redacted() == "rediss://cache.example:6379/0");

    auto legacy = parseUrl("redis://:secret@localhost");
    REQUIRE(legacy);
    CHECK_FALSE(legacy->user);
    CHECK(*legacy->password == "secret");
    CHECK(legacy->port == 6379);

    auto v6 = parseUrl("redis://[::1]:7000/1");
    REQUIRE(v6);
    CHECK(v6->host == "::1");
    CHECK(v6->port == 7000);
}

TEST_CASE("Bad Redis URLs are rejected with the reason, never the password", "[redis][unit]") {
    for (const char* bad : {"http://x:1", "redis://", "redis://h:99999", "redis://h:1/x",
                            "redis://u:%zz@h", "redis://h?db=1"}) {
        INFO(bad);
        auto r = parseUrl(bad);
        REQUIRE_FALSE(r);
        CHECK(r.status().code() == "InvalidRedisUrl");
    }
    auto r = parseUrl("redis://u:topsecret@h:notaport");
    REQUIRE_FALSE(r);
    CHECK(r.status().message().find("topsecret") == std::string::npos);
    // Found by fuzz/url: an unencoded '/' in the password moved it into the "port" and the
    // "database", which the messages quoted.
    for (const char* leaky : {"redis://user:top/secret@host", "rediss://u:pa:ss/w0rd@cache:6380/2",
                              "redis://topsecret/x@h"}) {
        INFO(leaky);
        auto e = parseUrl(leaky);
        REQUIRE_FALSE(e);
        for (const char* part : {"top", "secret", "w0rd", "x@h"}) {
            CHECK(e.status().message().find(part) == std::string::npos);
        }
    }
    // A host that cannot be written back unambiguously.
    CHECK_FALSE(parseUrl("redis://a]:b:6379"));
    CHECK_FALSE(parseUrl("redis://[a[b]:6379"));
}

TEST_CASE("Cluster URLs: seed nodes as a list, TLS, credentials for every node, db 0 only",
          "[redis][unit]") {
    auto c = parseUrl("redis+cluster://app:pw@10.0.0.1:7000,10.0.0.2,[::1]:7002");
    REQUIRE(c);
    CHECK(c->cluster);
    CHECK_FALSE(c->tls);
    CHECK(c->seeds == std::vector<std::pair<std::string, int>>{
                          {"10.0.0.1", 7000}, {"10.0.0.2", 6379}, {"::1", 7002}});
    CHECK(c->host == "10.0.0.1");
    CHECK(c->port == 7000);
    CHECK(*c->user == "app");
    CHECK(c->redacted() == "redis+cluster://10.0.0.1:7000,10.0.0.2:6379,[::1]:7002");

    auto tls = parseUrl("rediss+cluster://h:7000");
    REQUIRE(tls);
    CHECK(tls->tls);
    CHECK(tls->cluster);

    // activeUsers.redisCluster = true: a plain URL names the seeds.
    auto flag = parseUrl("redis://h1:7000,h2:7001", /*cluster=*/true);
    REQUIRE(flag);
    CHECK(flag->cluster);
    CHECK(flag->seeds.size() == 2);
    CHECK_FALSE(parseUrl("redis://h1:7000")->cluster);  // one node: as before
    CHECK(parseUrl("redis://h1:7000")->seeds.size() == 1);

    for (const char* bad : {"redis://h1:7000,h2:7001", "redis+cluster://h:7000/1",
                            "redis+cluster://h:7000,", "redis+cluster://h:7000,h:x"}) {
        INFO(bad);
        auto r = parseUrl(bad);
        REQUIRE_FALSE(r);
        CHECK(r.status().code() == "InvalidRedisUrl");
    }
    CHECK(parseUrl("redis://h1:7000,h2:7001").status().message().find("redis+cluster://") !=
          std::string::npos);
}

TEST_CASE("redisPasswordEnv takes the password from the environment, replacing the URL's",
          "[redis][unit]") {
    au::MapEnvironment env(
        std::map<std::string, std::string>{{"REDIS_PW", "fr0m-env"}, {"EMPTY", ""}});
    auto ep = parseUrl("redis://app:@10.0.0.5:6379");
    REQUIRE(ep);
    REQUIRE(takePasswordFromEnvironment(ep.value(), "REDIS_PW", env));
    CHECK(ep->user == std::optional<std::string>("app"));
    CHECK(ep->password == std::optional<std::string>("fr0m-env"));

    auto inUrl = parseUrl("redis://:in-url@10.0.0.5");
    REQUIRE(takePasswordFromEnvironment(inUrl.value(), "REDIS_PW", env));
    CHECK(inUrl->password == std::optional<std::string>("fr0m-env"));
    CHECK_FALSE(inUrl->user);

    auto untouched = parseUrl("redis://:in-url@10.0.0.5");
    REQUIRE(takePasswordFromEnvironment(untouched.value(), "", env));  // no variable configured
    CHECK(untouched->password == std::optional<std::string>("in-url"));

    for (const char* name : {"UNSET", "EMPTY"}) {
        auto st = takePasswordFromEnvironment(untouched.value(), name, env);
        CHECK(st.code() == "PasswordNotSet");
        CHECK(st.message() == std::string("environment variable ") + name +
                                  " (activeUsers.redisPasswordEnv) is not set");
    }
    CHECK(untouched->password == std::optional<std::string>("in-url"));
}

TEST_CASE("Backoff doubles up to its cap, with jitter in the upper half", "[redis][unit]") {
    double r = 0.0;
    Backoff b(100, 1'000, [&] { return r; });
    CHECK(b.nextDelayMillis() == 50);
    CHECK(b.nextDelayMillis() == 100);
    CHECK(b.nextDelayMillis() == 200);
    r = 0.999999;
    CHECK(b.nextDelayMillis() == 799);
    for (int i = 0; i < 40; ++i) CHECK(b.nextDelayMillis() <= 1'000);
    r = 0.0;
    CHECK(b.nextDelayMillis() == 500);
    b.reset();
    CHECK(b.nextDelayMillis() == 50);
}
