#include "activeset/redis_url.h"

#include <catch2/catch.hpp>
#include <map>

#include "activeset/backoff.h"
#include "activeset/pending_updates.h"

using namespace au::activeset;

TEST_CASE("Redis URLs: scheme, credentials, host, port and db", "[activeset][unit]") {
    auto plain = parseRedisUrl("redis://127.0.0.1:6380/2");
    REQUIRE(plain);
    CHECK_FALSE(plain->tls);
    CHECK(plain->host == "127.0.0.1");
    CHECK(plain->port == 6380);
    CHECK(plain->db == 2);
    CHECK_FALSE(plain->user);
    CHECK_FALSE(plain->password);

    auto acl = parseRedisUrl("rediss://app:p%40ss@cache.example:6379");
    REQUIRE(acl);
    CHECK(acl->tls);
    CHECK(*acl->user == "app");
    CHECK(*acl->password == "p@ss");
    CHECK(acl->db == 0);
    CHECK(acl->redacted() == "rediss://cache.example:6379/0");

    auto legacy = parseRedisUrl("redis://:secret@localhost");
    REQUIRE(legacy);
    CHECK_FALSE(legacy->user);
    CHECK(*legacy->password == "secret");
    CHECK(legacy->port == 6379);

    auto v6 = parseRedisUrl("redis://[::1]:7000/1");
    REQUIRE(v6);
    CHECK(v6->host == "::1");
    CHECK(v6->port == 7000);
}

TEST_CASE("Bad Redis URLs are rejected with the reason, never the password", "[activeset][unit]") {
    for (const char* bad : {"http://x:1", "redis://", "redis://h:99999", "redis://h:1/x",
                            "redis://u:%zz@h", "redis://h?db=1"}) {
        INFO(bad);
        auto r = parseRedisUrl(bad);
        REQUIRE_FALSE(r);
        CHECK(r.status().code() == "InvalidRedisUrl");
    }
    auto r = parseRedisUrl("redis://u:topsecret@h:notaport");
    REQUIRE_FALSE(r);
    CHECK(r.status().message().find("topsecret") == std::string::npos);
    // Found by fuzz/url: an unencoded '/' in the password moved it into the "port" and the
    // "database", which the messages quoted.
    for (const char* leaky : {"redis://user:top/secret@host", "rediss://u:pa:ss/w0rd@cache:6380/2",
                              "redis://topsecret/x@h"}) {
        INFO(leaky);
        auto e = parseRedisUrl(leaky);
        REQUIRE_FALSE(e);
        for (const char* part : {"top", "secret", "w0rd", "x@h"}) {
            CHECK(e.status().message().find(part) == std::string::npos);
        }
    }
    // A host that cannot be written back unambiguously.
    CHECK_FALSE(parseRedisUrl("redis://a]:b:6379"));
    CHECK_FALSE(parseRedisUrl("redis://[a[b]:6379"));
}

TEST_CASE("redisPasswordEnv takes the password from the environment, replacing the URL's",
          "[activeset][unit]") {
    au::MapEnvironment env(
        std::map<std::string, std::string>{{"REDIS_PW", "fr0m-env"}, {"EMPTY", ""}});
    auto ep = parseRedisUrl("redis://app:@10.0.0.5:6379");
    REQUIRE(ep);
    REQUIRE(takePasswordFromEnvironment(ep.value(), "REDIS_PW", env));
    CHECK(ep->user == std::optional<std::string>("app"));
    CHECK(ep->password == std::optional<std::string>("fr0m-env"));

    auto inUrl = parseRedisUrl("redis://:in-url@10.0.0.5");
    REQUIRE(takePasswordFromEnvironment(inUrl.value(), "REDIS_PW", env));
    CHECK(inUrl->password == std::optional<std::string>("fr0m-env"));
    CHECK_FALSE(inUrl->user);

    auto untouched = parseRedisUrl("redis://:in-url@10.0.0.5");
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

TEST_CASE("The pending buffer coalesces per user (max) and drops new users beyond its bound",
          "[activeset][unit]") {
    PendingUpdates p(2);
    CHECK(p.add("a", 10));
    CHECK(p.add("a", 5));
    CHECK(p.add("b", 7));
    CHECK_FALSE(p.add("c", 9));  // full
    CHECK(p.add("a", 20));       // known users are still updated
    CHECK(p.size() == 2);
    CHECK(p.takeDropped() == 1);
    CHECK(p.takeDropped() == 0);
    auto taken = p.take();
    std::map<std::string, int64_t> m(taken.begin(), taken.end());
    CHECK(m == std::map<std::string, int64_t>{{"a", 20}, {"b", 7}});
    CHECK(p.empty());
}

TEST_CASE("Backoff doubles up to its cap, with jitter in the upper half", "[activeset][unit]") {
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
