#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "aws/caching_credentials_provider.h"
#include "aws/container_credentials_provider.h"
#include "aws/credentials_chain.h"
#include "aws/credentials_json.h"
#include "aws/environment_credentials_provider.h"
#include "aws/imds_credentials_provider.h"
#include "aws/profile_credentials_provider.h"
#include "aws/web_identity_credentials_provider.h"
#include "fake_http_client.h"
#include "support/temp_dir.h"
#include "util/clock.h"
#include "util/env.h"
#include "util/time_format.h"

using namespace au::aws;
using au::ManualClock;
using au::MapEnvironment;
using au::aws::testing::FakeHttpClient;
using au::test::TempDir;

namespace {

const char* kContainerJson =
    R"({"AccessKeyId":"ASIACONTAINER","SecretAccessKey":"secret","Token":"tok",)"
    R"("Expiration":"2030-01-01T00:00:00Z"})";

// A provider whose answers the test scripts, counting calls.
class ScriptedProvider final : public CredentialsProvider {
  public:
    std::vector<au::Result<Credentials>> answers;
    std::atomic<int> calls{0};
    au::Result<Credentials> resolve() override {
        int i = calls++;
        return answers.at(std::min<size_t>(static_cast<size_t>(i), answers.size() - 1));
    }
    std::string name() const override { return "scripted"; }
};

Credentials creds(const std::string& key, std::optional<int64_t> expiration = std::nullopt) {
    Credentials c;
    c.accessKeyId = key;
    c.secretAccessKey = "secret-" + key;
    c.expirationMillis = expiration;
    return c;
}

}  // namespace

TEST_CASE("Environment credentials need both keys and pick up the session token", "[aws][creds]") {
    MapEnvironment env;
    EnvironmentCredentialsProvider provider(env);
    CHECK(provider.resolve().status().code() == "NoCredentials");
    env.set("AWS_ACCESS_KEY_ID", "AKID");
    CHECK(provider.resolve().status().code() == "NoCredentials");
    env.set("AWS_SECRET_ACCESS_KEY", "SECRET");
    auto c = provider.resolve();
    REQUIRE(c.isOk());
    CHECK(c->accessKeyId == "AKID");
    CHECK_FALSE(c->sessionToken);
    env.set("AWS_SESSION_TOKEN", "TOKEN");
    CHECK(provider.resolve()->sessionToken == "TOKEN");
}

TEST_CASE("Keys and tokens with control characters are refused by every source", "[aws][creds]") {
    // Found by fuzz/credentials: a "\n" in a token went into the X-Amz-Security-Token header.
    CHECK(parseCredentialsJson(R"({"AccessKeyId":"A","SecretAccessKey":"s","Token":"t\r\nX: y"})",
                               "container endpoint")
              .status()
              .code() == "CredentialsError");
    CHECK(parseStsCredentialsXml("<Credentials><AccessKeyId>A</AccessKeyId><SecretAccessKey>s\tx"
                                 "</SecretAccessKey><SessionToken>t</SessionToken></Credentials>")
              .status()
              .code() == "CredentialsError");
    MapEnvironment env({{"AWS_ACCESS_KEY_ID", "A"}, {"AWS_SECRET_ACCESS_KEY", "s\x7f"}});
    CHECK(EnvironmentCredentialsProvider(env).resolve().status().code() == "CredentialsError");
    TempDir dir;
    MapEnvironment home({{"HOME", dir.path()}});
    dir.write(".aws/credentials",
              "[default]\naws_access_key_id = A\naws_secret_access_key = s\n"
              "aws_session_token = first\n  continued\n");
    auto c = ProfileCredentialsProvider(home).resolve();
    REQUIRE_FALSE(c);
    CHECK(c.status().code() == "CredentialsError");
    CHECK(c.status().message().find("continued") == std::string::npos);
}

TEST_CASE("Profile credentials come from the selected profile of the shared files",
          "[aws][creds][profile]") {
    TempDir dir;
    MapEnvironment env;
    env.set("HOME", dir.path());
    dir.write(".aws/credentials",
              "[default]\naws_access_key_id = DEFAULT_KEY\naws_secret_access_key = DEFAULT_SECRET\n"
              "[half]\naws_access_key_id = ONLY_KEY\n");
    dir.write(".aws/config",
              "[profile dev]\naws_access_key_id = DEV_KEY\naws_secret_access_key = DEV_SECRET\n"
              "aws_session_token = DEV_TOKEN\n"
              "[profile assume]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = default\n");

    SECTION("default profile from ~/.aws/credentials") {
        auto c = ProfileCredentialsProvider(env).resolve();
        REQUIRE(c.isOk());
        CHECK(c->accessKeyId == "DEFAULT_KEY");
        CHECK(c->secretAccessKey == "DEFAULT_SECRET");
    }
    SECTION("AWS_PROFILE selects a [profile x] section of the config file") {
        env.set("AWS_PROFILE", "dev");
        auto c = ProfileCredentialsProvider(env).resolve();
        REQUIRE(c.isOk());
        CHECK(c->accessKeyId == "DEV_KEY");
        CHECK(c->sessionToken == "DEV_TOKEN");
    }
    SECTION("an explicit profile name wins over AWS_PROFILE") {
        env.set("AWS_PROFILE", "missing");
        CHECK(ProfileCredentialsProvider(env, "dev").resolve()->accessKeyId == "DEV_KEY");
        CHECK(ProfileCredentialsProvider(env).resolve().status().code() == "NoCredentials");
    }
    SECTION("AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE move the files") {
        env.set("AWS_SHARED_CREDENTIALS_FILE", dir.write("elsewhere/creds",
                                                         "[default]\naws_access_key_id = MOVED\n"
                                                         "aws_secret_access_key = S\n"));
        CHECK(ProfileCredentialsProvider(env).resolve()->accessKeyId == "MOVED");
        env.set("AWS_CONFIG_FILE", dir.path() + "/does-not-exist");
        CHECK(ProfileCredentialsProvider(env, "dev").resolve().status().code() == "NoCredentials");
    }
    SECTION("half a key pair or an unsupported source is an error, not a silent skip") {
        CHECK(ProfileCredentialsProvider(env, "half").resolve().status().code() ==
              "CredentialsError");
        auto assume = ProfileCredentialsProvider(env, "assume").resolve();
        CHECK(assume.status().code() == "CredentialsError");
        CHECK(assume.status().message().find("role_arn") != std::string::npos);
    }
}

TEST_CASE("Web identity posts the token to STS and parses the XML credentials", "[aws][creds]") {
    TempDir dir;
    MapEnvironment env;
    ManualClock clock(1'000);
    FakeHttpClient http;
    WebIdentityCredentialsProvider provider(env, http, clock);
    CHECK(provider.resolve().status().code() == "NoCredentials");
    CHECK(http.callCount() == 0);

    env.set("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/my role");
    env.set("AWS_WEB_IDENTITY_TOKEN_FILE", dir.write("token", "eyJhbGc.payload+/=\n"));
    env.set("AWS_REGION", "eu-west-1");

    SECTION("success") {
        http.respond(
            200,
            R"(<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>system:serviceaccount:ns:sa</SubjectFromWebIdentityToken>
    <Credentials>
      <SessionToken>FwoG&amp;token</SessionToken>
      <SecretAccessKey>wJalr/secret</SecretAccessKey>
      <Expiration>2030-05-06T07:08:09Z</Expiration>
      <AccessKeyId>ASIAWEBID</AccessKeyId>
    </Credentials>
  </AssumeRoleWithWebIdentityResult>
</AssumeRoleWithWebIdentityResponse>)");
        auto c = provider.resolve();
        REQUIRE(c.isOk());
        CHECK(c->accessKeyId == "ASIAWEBID");
        CHECK(c->secretAccessKey == "wJalr/secret");
        CHECK(c->sessionToken == "FwoG&token");
        CHECK(c->expirationMillis == au::parseIso8601Millis("2030-05-06T07:08:09Z").value());
        auto req = http.requests().at(0);
        CHECK(req.method == "POST");
        CHECK(req.url == "https://sts.eu-west-1.amazonaws.com/");
        CHECK(req.body ==
              "Action=AssumeRoleWithWebIdentity&Version=2011-06-15"
              "&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fmy%20role"
              "&RoleSessionName=active-users-1000&WebIdentityToken=eyJhbGc.payload%2B%2F%3D");
        CHECK_FALSE(FakeHttpClient::headerOf(req, "authorization"));
    }
    SECTION("AWS_ENDPOINT_URL_STS and AWS_ROLE_SESSION_NAME are honoured") {
        env.set("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9999");
        env.set("AWS_ROLE_SESSION_NAME", "sess");
        http.respond(500, "oops");
        provider.resolve();
        auto req = http.requests().at(0);
        CHECK(req.url == "http://127.0.0.1:9999/");
        CHECK(req.body.find("RoleSessionName=sess&") != std::string::npos);
    }
    SECTION("an STS error document becomes CredentialsError with its code") {
        http.respond(400, R"(<ErrorResponse><Error><Type>Sender</Type>
<Code>InvalidIdentityToken</Code><Message>Token expired</Message></Error></ErrorResponse>)");
        auto c = provider.resolve();
        CHECK(c.status().code() == "CredentialsError");
        CHECK(c.status().message().find("InvalidIdentityToken") != std::string::npos);
    }
    SECTION("an STS error whose Code spans other elements quotes none of them") {
        // Found by fuzz/credentials: the Code's text ran up to a later "</Code>" over a token.
        http.respond(400, R"(<ErrorResponse><Error><Code>Bad/Code><SessionToken>SECRET-TOKEN)"
                          R"(</SessionToken></Code><Message>m</Message></Error></ErrorResponse>)");
        auto c = provider.resolve();
        CHECK(c.status().code() == "CredentialsError");
        CHECK(c.status().message().find("SECRET-TOKEN") == std::string::npos);
        CHECK(c.status().message().find("STS error ?: m") != std::string::npos);
    }
    SECTION("transport failures pass through") {
        http.fail("Timeout");
        CHECK(provider.resolve().status().code() == "Timeout");
    }
    SECTION("an unreadable token file is an error") {
        env.set("AWS_WEB_IDENTITY_TOKEN_FILE", dir.path() + "/missing");
        CHECK(provider.resolve().status().code() == "CredentialsError");
        CHECK(http.callCount() == 0);
    }
}

TEST_CASE("STS XML without credentials is rejected", "[aws][creds]") {
    CHECK(parseStsCredentialsXml("<x/>").status().code() == "CredentialsError");
    CHECK(parseStsCredentialsXml("not xml at all").status().code() == "CredentialsError");
    CHECK(parseStsCredentialsXml("<Credentials><AccessKeyId>A</AccessKeyId></Credentials>")
              .status()
              .code() == "CredentialsError");
}

TEST_CASE("Container credentials send the authorization token and parse the JSON", "[aws][creds]") {
    TempDir dir;
    MapEnvironment env;
    FakeHttpClient http;
    ContainerCredentialsProvider provider(env, http);
    CHECK(provider.resolve().status().code() == "NoCredentials");

    SECTION("relative URI goes to 169.254.170.2 (faked here)") {
        env.set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc");
        http.respond(200, kContainerJson);
        auto c = provider.resolve();
        REQUIRE(c.isOk());
        CHECK(c->accessKeyId == "ASIACONTAINER");
        CHECK(c->sessionToken == "tok");
        CHECK(c->expirationMillis == au::parseIso8601Millis("2030-01-01T00:00:00Z").value());
        CHECK(http.requests().at(0).url == "http://169.254.170.2/v2/credentials/abc");
        CHECK(http.requests().at(0).method == "GET");
        CHECK_FALSE(FakeHttpClient::headerOf(http.requests().at(0), "authorization"));
    }
    SECTION("full URI with the token from the environment") {
        env.set("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:8080/creds");
        env.set("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Basic abc");
        http.respond(200, kContainerJson);
        REQUIRE(provider.resolve().isOk());
        CHECK(FakeHttpClient::headerOf(http.requests().at(0), "Authorization") == "Basic abc");
    }
    SECTION("the token file wins over the variable (EKS Pod Identity)") {
        env.set("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.170.23/v1/credentials");
        env.set("AWS_CONTAINER_AUTHORIZATION_TOKEN", "from-env");
        env.set("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", dir.write("tok", "from-file\n"));
        http.respond(200, kContainerJson);
        REQUIRE(provider.resolve().isOk());
        CHECK(FakeHttpClient::headerOf(http.requests().at(0), "Authorization") == "from-file");
    }
    SECTION("plain http to other hosts is refused without a request") {
        env.set("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://evil.example.com/creds");
        CHECK(provider.resolve().status().code() == "CredentialsError");
        CHECK(http.callCount() == 0);
    }
    SECTION("https to any host is allowed") {
        env.set("AWS_CONTAINER_CREDENTIALS_FULL_URI", "https://creds.example.com/x");
        http.respond(200, kContainerJson);
        CHECK(provider.resolve().isOk());
    }
    SECTION("a token with a line break is refused") {
        env.set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/x");
        env.set("AWS_CONTAINER_AUTHORIZATION_TOKEN", "a\r\nX-Injected: 1");
        CHECK(provider.resolve().status().code() == "CredentialsError");
        CHECK(http.callCount() == 0);
    }
    SECTION("bad answers are CredentialsError") {
        env.set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/x");
        http.respond(403, "{}").respond(200, "not json").respond(200, R"({"AccessKeyId":"A"})");
        CHECK(provider.resolve().status().code() == "CredentialsError");
        CHECK(provider.resolve().status().code() == "CredentialsError");
        CHECK(provider.resolve().status().code() == "CredentialsError");
    }
}

TEST_CASE("IMDSv2 takes a token, finds the role and fetches its credentials", "[aws][creds]") {
    MapEnvironment env;
    FakeHttpClient http;
    ImdsCredentialsProvider provider(env, http);
    env.set("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1338/");

    SECTION("the happy path") {
        http.respond(200, "TOKEN123")
            .respond(200, "my-role\n")
            .respond(200, R"({"Code":"Success","LastUpdated":"2030-01-01T00:00:00Z",)"
                          R"("Type":"AWS-HMAC","AccessKeyId":"ASIAIMDS","SecretAccessKey":"s",)"
                          R"("Token":"t","Expiration":"2030-01-01T06:00:00Z"})");
        auto c = provider.resolve();
        REQUIRE(c.isOk());
        CHECK(c->accessKeyId == "ASIAIMDS");
        auto reqs = http.requests();
        REQUIRE(reqs.size() == 3);
        CHECK(reqs[0].method == "PUT");
        CHECK(reqs[0].url == "http://127.0.0.1:1338/latest/api/token");
        CHECK(FakeHttpClient::headerOf(reqs[0], "x-aws-ec2-metadata-token-ttl-seconds") == "21600");
        CHECK(reqs[0].totalTimeoutMillis == 1000);
        CHECK(reqs[1].method == "GET");
        CHECK(reqs[1].url == "http://127.0.0.1:1338/latest/meta-data/iam/security-credentials/");
        CHECK(FakeHttpClient::headerOf(reqs[1], "x-aws-ec2-metadata-token") == "TOKEN123");
        CHECK(reqs[2].url ==
              "http://127.0.0.1:1338/latest/meta-data/iam/security-credentials/my-role");
        CHECK(FakeHttpClient::headerOf(reqs[2], "x-aws-ec2-metadata-token") == "TOKEN123");
    }
    SECTION("no metadata service means no credentials, not an error") {
        http.fail("Timeout");
        CHECK(provider.resolve().status().code() == "NoCredentials");
    }
    SECTION("no role attached") {
        http.respond(200, "T").respond(404, "");
        CHECK(provider.resolve().status().code() == "NoCredentials");
    }
    SECTION("a failure code in the document is an error") {
        http.respond(200, "T").respond(200, "r").respond(
            200, R"({"Code":"AssumeRoleUnauthorizedAccess"})");
        CHECK(provider.resolve().status().code() == "CredentialsError");
    }
    SECTION("AWS_EC2_METADATA_DISABLED=true turns it off without a request") {
        env.set("AWS_EC2_METADATA_DISABLED", "TRUE");
        CHECK(provider.resolve().status().code() == "NoCredentials");
        CHECK(http.callCount() == 0);
    }
}

TEST_CASE("The chain takes the first configured source and stops at a broken one", "[aws][creds]") {
    MapEnvironment env;
    env.set("HOME", "/nonexistent-home-for-tests");
    env.set("AWS_EC2_METADATA_DISABLED", "true");
    ManualClock clock(0);
    FakeHttpClient http;

    SECTION("nothing configured: NoCredentials naming every source") {
        auto chain = makeDefaultCredentialsChain(env, http, clock);
        auto c = chain->resolve();
        REQUIRE_FALSE(c.isOk());
        CHECK(c.status().code() == "NoCredentials");
        for (const char* name :
             {"environment", "profile", "web-identity", "container", "ec2-metadata"}) {
            CHECK(c.status().message().find(name) != std::string::npos);
        }
        CHECK(http.callCount() == 0);
    }
    SECTION("environment first") {
        env.set("AWS_ACCESS_KEY_ID", "ENVKEY");
        env.set("AWS_SECRET_ACCESS_KEY", "ENVSECRET");
        env.set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/x");
        auto chain = makeDefaultCredentialsChain(env, http, clock);
        CHECK(chain->resolve()->accessKeyId == "ENVKEY");
        CHECK(http.callCount() == 0);
    }
    SECTION("a configured but failing source does not fall through") {
        env.set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/x");
        env.set("AWS_EC2_METADATA_DISABLED", "false");
        http.respond(500, "down");
        auto chain = makeDefaultCredentialsChain(env, http, clock);
        auto c = chain->resolve();
        CHECK(c.status().code() == "CredentialsError");
        CHECK(c.status().message().rfind("container:", 0) == 0);
        CHECK(http.callCount() == 1);  // IMDS was not asked
    }
}

TEST_CASE("The caching provider refreshes credentials before they expire", "[aws][creds]") {
    ManualClock clock(0);
    auto inner = std::make_unique<ScriptedProvider>();
    ScriptedProvider* scripted = inner.get();
    const int64_t hour = 3'600'000;
    scripted->answers = {creds("FIRST", hour), creds("SECOND", 2 * hour)};
    CachingCredentialsProvider cache(std::move(inner), clock,
                                     CachingOptions{5 * 60 * 1000, 10 * 1000});

    CHECK(cache.resolve()->accessKeyId == "FIRST");
    clock.set(hour - 5 * 60 * 1000 - 1);
    CHECK(cache.resolve()->accessKeyId == "FIRST");
    CHECK(scripted->calls == 1);
    clock.set(hour - 5 * 60 * 1000);
    CHECK(cache.resolve()->accessKeyId == "SECOND");
    CHECK(scripted->calls == 2);
    CHECK(cache.resolve()->accessKeyId == "SECOND");
    CHECK(scripted->calls == 2);
}

TEST_CASE(
    "The caching provider keeps still-valid credentials when a refresh fails, and stops "
    "returning them once expired",
    "[aws][creds]") {
    ManualClock clock(0);
    auto inner = std::make_unique<ScriptedProvider>();
    ScriptedProvider* scripted = inner.get();
    const int64_t hour = 3'600'000;
    scripted->answers = {creds("OLD", hour), au::Status::error("CredentialsError", "sts down")};
    CachingCredentialsProvider cache(std::move(inner), clock,
                                     CachingOptions{5 * 60 * 1000, 10 * 1000});
    CHECK(cache.resolve()->accessKeyId == "OLD");
    clock.set(hour - 60'000);  // inside the refresh window, not yet expired
    CHECK(cache.resolve()->accessKeyId == "OLD");
    CHECK(scripted->calls == 2);
    CHECK(cache.resolve()->accessKeyId == "OLD");  // within minRefreshInterval: not asked again
    CHECK(scripted->calls == 2);
    clock.set(hour);  // expired
    auto r = cache.resolve();
    CHECK(r.status().code() == "CredentialsError");
    CHECK(scripted->calls == 3);
}

TEST_CASE("The caching provider remembers a failure briefly and forgets on invalidate",
          "[aws][creds]") {
    ManualClock clock(0);
    auto inner = std::make_unique<ScriptedProvider>();
    ScriptedProvider* scripted = inner.get();
    scripted->answers = {au::Status::error("NoCredentials", "none"), creds("LATER")};
    CachingCredentialsProvider cache(std::move(inner), clock,
                                     CachingOptions{5 * 60 * 1000, 10 * 1000});
    CHECK(cache.resolve().status().code() == "NoCredentials");
    CHECK(cache.resolve().status().code() == "NoCredentials");
    CHECK(scripted->calls == 1);
    clock.advance(10'000);
    CHECK(cache.resolve()->accessKeyId == "LATER");
    cache.invalidate();
    CHECK(cache.resolve()->accessKeyId == "LATER");
    CHECK(scripted->calls == 3);
}

TEST_CASE("The caching provider is safe to share between threads", "[aws][creds]") {
    ManualClock clock(0);
    auto inner = std::make_unique<ScriptedProvider>();
    ScriptedProvider* scripted = inner.get();
    scripted->answers = {creds("ONLY")};
    CachingCredentialsProvider cache(std::move(inner), clock);
    std::vector<std::thread> threads;
    std::atomic<int> ok{0};
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 200; ++i) ok += cache.resolve().isOk() ? 1 : 0;
        });
    }
    for (auto& t : threads) t.join();
    CHECK(ok == 1600);
    CHECK(scripted->calls == 1);
}
