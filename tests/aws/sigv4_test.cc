#include "aws/sigv4.h"

#include <algorithm>
#include <catch2/catch.hpp>

using namespace au::aws;

namespace {
const int64_t kSuiteTime = 1440938160000;  // 2015-08-30T12:36:00Z

Credentials exampleCredentials() {
    Credentials c;
    c.accessKeyId = "AKIDEXAMPLE";
    c.secretAccessKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    return c;
}

std::optional<std::string> headerOf(const HttpRequest& r, const std::string& name) {
    HttpResponse view;
    view.headers = r.headers;
    return view.header(name);
}
}  // namespace

TEST_CASE("post-vanilla signs to the documented signature without the suite files",
          "[aws][sigv4]") {
    HttpRequest req;
    req.method = "POST";
    req.url = "https://example.amazonaws.com/";
    auto result = sign(req, exampleCredentials(), "us-east-1", "service", kSuiteTime);
    REQUIRE(result.isOk());
    CHECK(result->signature == "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
    CHECK(headerOf(req, "host") == "example.amazonaws.com");
    CHECK(headerOf(req, "x-amz-date") == "20150830T123600Z");
    CHECK_FALSE(headerOf(req, "x-amz-security-token"));
}

TEST_CASE("Signing adds the session token and a Host with a non-default port", "[aws][sigv4]") {
    HttpRequest req;
    req.url = "http://localhost:4567/";
    req.headers = {{"Content-Type", "application/x-amz-json-1.0"},
                   {"X-Amz-Target", "DynamoDB_20120810.GetItem"}};
    req.body = "{}";
    auto creds = exampleCredentials();
    creds.sessionToken = "TOKEN";
    auto result = sign(req, creds, "us-east-1", "dynamodb", kSuiteTime);
    REQUIRE(result.isOk());
    CHECK(headerOf(req, "host") == "localhost:4567");
    CHECK(headerOf(req, "x-amz-security-token") == "TOKEN");
    CHECK(result->canonicalRequest.signedHeaders ==
          "content-type;host;x-amz-date;x-amz-security-token;x-amz-target");
    CHECK(headerOf(req, "authorization") == result->authorization);
}

TEST_CASE("Re-signing replaces the previous signature headers instead of duplicating them",
          "[aws][sigv4]") {
    HttpRequest req;
    req.url = "https://dynamodb.us-east-1.amazonaws.com/";
    auto creds = exampleCredentials();
    creds.sessionToken = "T1";
    REQUIRE(sign(req, creds, "us-east-1", "dynamodb", kSuiteTime).isOk());
    creds.sessionToken = "T2";
    REQUIRE(sign(req, creds, "us-east-1", "dynamodb", kSuiteTime + 1000).isOk());
    auto count = [&](const std::string& lowerName) {
        return std::count_if(req.headers.begin(), req.headers.end(), [&](const auto& h) {
            std::string n = h.first;
            std::transform(n.begin(), n.end(), n.begin(), ::tolower);
            return n == lowerName;
        });
    };
    CHECK(count("authorization") == 1);
    CHECK(count("x-amz-date") == 1);
    CHECK(count("x-amz-security-token") == 1);
    CHECK(count("host") == 1);
    CHECK(headerOf(req, "x-amz-security-token") == "T2");
}

TEST_CASE("Signing refuses empty credentials and bad URLs and leaves the request unchanged",
          "[aws][sigv4]") {
    HttpRequest req;
    req.url = "https://example.amazonaws.com/";
    auto r1 = sign(req, Credentials{}, "us-east-1", "service", kSuiteTime);
    REQUIRE_FALSE(r1.isOk());
    CHECK(r1.status().code() == "NoCredentials");
    req.url = "not a url";
    auto r2 = sign(req, exampleCredentials(), "us-east-1", "service", kSuiteTime);
    REQUIRE_FALSE(r2.isOk());
    CHECK(r2.status().code() == "InvalidUrl");
    CHECK(req.headers.empty());
}

TEST_CASE("Signing refuses a request that would be sent otherwise than signed", "[aws][sigv4]") {
    // Found by fuzz/sigv4: names that are not tokens and values with CR/LF were signed, and the
    // HTTP layer would then send other header lines than those signed.
    const std::vector<std::pair<std::string, std::string>> bad = {
        {"X-Bad Name", "v"},
        {"", "v"},
        {"\xc4\xc4", ""},
        {"X-Amz-Target", "a\r\nX-Injected: 1"},
        {"X-Nul", std::string("a\0b", 3)}};
    for (const auto& header : bad) {
        INFO(header.first);
        HttpRequest req;
        req.url = "https://example.amazonaws.com/";
        req.headers = {header};
        const auto before = req.headers;
        auto r = sign(req, exampleCredentials(), "us-east-1", "service", kSuiteTime);
        REQUIRE_FALSE(r);
        CHECK(r.status().code() == "InvalidRequest");
        CHECK(req.headers == before);
    }
    HttpRequest req;
    req.method = "GET /";
    req.url = "https://example.amazonaws.com/";
    CHECK(sign(req, exampleCredentials(), "us-east-1", "s", kSuiteTime).status().code() ==
          "InvalidRequest");
    req.method = "GET";
    Credentials withToken = exampleCredentials();
    withToken.sessionToken = "token\nX-Injected: 1";
    CHECK(sign(req, withToken, "us-east-1", "s", kSuiteTime).status().code() == "InvalidRequest");
}
