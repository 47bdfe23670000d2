// serve's access control without a socket: the token file's rules, the request decision, the
// headers it reads, and which --listen hosts count as loopback.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "serve/access_policy.h"
#include "serve/access_token.h"
#include "serve/listen_address.h"
#include "support/temp_dir.h"

using namespace au;
using namespace au::serve;

namespace {

const std::string kToken = "0123456789abcdef0123456789abcdef";

std::string tokenFile(const test::TempDir& dir, const std::string& content, mode_t mode = 0600) {
    const std::string path = dir.write("token", content);
    REQUIRE(::chmod(path.c_str(), mode) == 0);
    return path;
}

AccessPolicy guarded(bool metricsNeedToken = true) {
    AccessPolicy p;
    p.token = AccessToken::fromText(kToken, "test").value();
    p.metricsNeedToken = metricsNeedToken;
    return p;
}

}  // namespace

TEST_CASE("The token file: its content trimmed, and only the right token matches", "[serve]") {
    test::TempDir dir;
    auto token = AccessToken::fromFile(tokenFile(dir, "  " + kToken + "\n"));
    REQUIRE(token);
    CHECK(token->matches(kToken));
    CHECK_FALSE(token->matches(kToken + "0"));
    CHECK_FALSE(token->matches(kToken.substr(0, kToken.size() - 1)));
    CHECK_FALSE(token->matches("1" + kToken.substr(1)));
    CHECK_FALSE(token->matches(""));
    // 640 (a group may read it) is fine.
    CHECK(AccessToken::fromFile(tokenFile(dir, kToken, 0640)));
}

TEST_CASE("A token file that is missing, empty, open to everyone or not one token is refused",
          "[serve]") {
    test::TempDir dir;
    const auto refused = [](const Result<AccessToken>& r, const std::string& why) {
        REQUIRE_FALSE(r);
        INFO(r.status().message());
        CHECK(r.status().message().find(why) != std::string::npos);
        // The message never quotes the file's content.
        CHECK(r.status().message().find("secret-") == std::string::npos);
    };
    refused(AccessToken::fromFile(dir.file("nope")), "No such file or directory");
    refused(AccessToken::fromFile(dir.path()), "not a regular file");
    refused(AccessToken::fromFile(tokenFile(dir, " \n\t\n")), "empty");
    refused(AccessToken::fromFile(tokenFile(dir, "secret-0123456789abcdef", 0644)),
            "readable or writable by every user");
    refused(AccessToken::fromFile(tokenFile(dir, "secret-0123456789abcdef", 0602)),
            "readable or writable by every user");
    refused(AccessToken::fromFile(tokenFile(dir, "secret-0123456789abcdef\nsecret-2\n")),
            "not one word");
    refused(AccessToken::fromFile(tokenFile(dir, "secret-short")), "fewer than 16");
    refused(AccessToken::fromFile(tokenFile(dir, "secret-" + std::string(5000, 'a'))),
            "larger than 4 KiB");
    // RFC 6750's token characters, with trailing '=' (base64).
    CHECK(AccessToken::fromText("aZ09-._~+/aZ09-._~+/==", "t"));
    CHECK_FALSE(AccessToken::fromText("aZ09-._~+/aZ09=-._~+/", "t"));
}

TEST_CASE("With a token, every path but /healthz, /favicon.ico and /login needs it", "[serve]") {
    const AccessPolicy policy = guarded();
    const std::string bearer = "Bearer " + kToken;
    for (const char* path : {"/", "/active-users", "/active-users/count", "/active-users/history",
                             "/active-users/shards", "/metrics", "/assets/dashboard.js", "/nope",
                             "//healthz", "/healthz/"}) {
        INFO(path);
        CHECK(checkAccess(policy, path, "", "") == Access::kMissing);
        CHECK(checkAccess(policy, path, "Bearer wrong-token-0123456789", "") == Access::kWrong);
        CHECK(checkAccess(policy, path, bearer, "") == Access::kAllowed);
    }
    for (const char* path : {"/healthz", "/favicon.ico", "/login"}) {
        INFO(path);
        CHECK(checkAccess(policy, path, "", "") == Access::kAllowed);
    }
    CHECK(checkAccess(guarded(false), "/metrics", "", "") == Access::kAllowed);
    CHECK(checkAccess(guarded(false), "/active-users", "", "") == Access::kMissing);
    // No token configured: everything open.
    CHECK(checkAccess(AccessPolicy{}, "/active-users", "", "") == Access::kAllowed);
}

TEST_CASE("The token is read from Authorization: Bearer or from serve's cookie", "[serve]") {
    const AccessPolicy policy = guarded();
    CHECK(checkAccess(policy, "/", "bearer " + kToken, "") == Access::kAllowed);
    CHECK(checkAccess(policy, "/", "BEARER  " + kToken + " ", "") == Access::kAllowed);
    CHECK(checkAccess(policy, "/", "Basic " + kToken, "") == Access::kWrong);
    CHECK(checkAccess(policy, "/", "Bearer", "") == Access::kWrong);
    CHECK(checkAccess(policy, "/", "", "a=1; active_users_token=" + kToken + "; b=2") ==
          Access::kAllowed);
    CHECK(checkAccess(policy, "/", "", "active_users_token=\"" + kToken + "\"") ==
          Access::kAllowed);
    CHECK(checkAccess(policy, "/", "", "active_users_token=nope") == Access::kWrong);
    CHECK(checkAccess(policy, "/", "", "other_token=" + kToken) == Access::kMissing);
    // Both presented: both must be right.
    CHECK(checkAccess(policy, "/", "Bearer " + kToken, "active_users_token=nope") ==
          Access::kWrong);
    CHECK(checkAccess(policy, "/", "Bearer nope", "active_users_token=" + kToken) ==
          Access::kWrong);

    CHECK(cookieValue("x=1;y=2", "y") == "2");
    CHECK(cookieValue("xy=1", "y") == std::nullopt);
    CHECK(bearerToken("Bearer abc") == "abc");
    CHECK(bearerToken("Bearerabc") == std::nullopt);
}

TEST_CASE("serve --listen: HOST:PORT forms, and which hosts are loopback", "[serve]") {
    auto v4 = parseListenAddress("0.0.0.0:8443");
    REQUIRE(v4);
    CHECK(v4->host == "0.0.0.0");
    CHECK(v4->port == 8443);
    auto v6 = parseListenAddress("[::1]:0");
    REQUIRE(v6);
    CHECK(v6->host == "::1");
    CHECK(v6->port == 0);
    for (const char* bad :
         {"8080", ":8080", "host:", "host:65536", "host:-1", "::1:8080", "[::1:8080", "host:80x"}) {
        INFO(bad);
        auto r = parseListenAddress(bad);
        REQUIRE_FALSE(r);
        CHECK(r.status().message().find("is not HOST:PORT") != std::string::npos);
    }
    for (const char* host :
         {"127.0.0.1", "127.1.2.3", "::1", "localhost", "LocalHost", "::ffff:127.0.0.1"}) {
        INFO(host);
        CHECK(isLoopbackHost(host));
    }
    for (const char* host : {"0.0.0.0", "::", "10.0.0.1", "192.168.1.1", "128.0.0.1",
                             "::ffff:10.0.0.1", "example.com", "localhost.example.com", ""}) {
        INFO(host);
        CHECK_FALSE(isLoopbackHost(host));
    }
}
