#include "aws/json_rpc.h"

#include <catch2/catch.hpp>

#include "aws/crypto.h"
#include "fake_http_client.h"
#include "util/clock.h"

using namespace au::aws;
using au::ManualClock;
using au::aws::testing::FakeHttpClient;

namespace {

const int64_t kStart = 1'700'000'000'000;

Credentials testCredentials() {
    Credentials c;
    c.accessKeyId = "AKIDTEST";
    c.secretAccessKey = "SECRET";
    return c;
}

std::string throttled() {
    return R"({"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",)"
           R"("message":"slow down"})";
}

struct Fixture {
    ManualClock clock{kStart};
    FakeHttpClient http;
    StaticCredentialsProvider creds{testCredentials()};
    RetryPolicy policy;
    AwsJsonClient client() {
        return AwsJsonClient(http, creds, clock, dynamoDbProtocol(), "http://localhost:4567",
                             "us-east-1", policy, [] { return 1.0; });
    }
};

}  // namespace

TEST_CASE("A call sends a signed DynamoDB JSON request and returns the parsed body", "[aws][rpc]") {
    Fixture f;
    f.http.respond(200, R"({"Item":{"k":{"S":"v"}}})");
    auto r = f.client().call("GetItem", {{"TableName", "t"}});
    REQUIRE(r.isOk());
    CHECK(r.value()["Item"]["k"]["S"] == "v");
    auto req = f.http.requests().at(0);
    CHECK(req.method == "POST");
    CHECK(req.url == "http://localhost:4567/");
    CHECK(req.body == R"({"TableName":"t"})");
    CHECK(FakeHttpClient::headerOf(req, "content-type") == "application/x-amz-json-1.0");
    CHECK(FakeHttpClient::headerOf(req, "x-amz-target") == "DynamoDB_20120810.GetItem");
    CHECK(FakeHttpClient::headerOf(req, "host") == "localhost:4567");
    CHECK(FakeHttpClient::headerOf(req, "x-amz-date") == "20231114T221320Z");
    auto auth = FakeHttpClient::headerOf(req, "authorization");
    REQUIRE(auth);
    CHECK(auth->rfind(
              "AWS4-HMAC-SHA256 Credential=AKIDTEST/20231114/us-east-1/dynamodb/aws4_request, "
              "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=",
              0) == 0);
}

TEST_CASE("Kinesis calls use JSON 1.1 and the Kinesis target prefix", "[aws][rpc]") {
    Fixture f;
    f.http.respond(200, "{}");
    AwsJsonClient client(f.http, f.creds, f.clock, kinesisProtocol(),
                         "https://kinesis.us-east-1.amazonaws.com", "us-east-1");
    REQUIRE(client.call("ListShards", nlohmann::json::object()).isOk());
    auto req = f.http.requests().at(0);
    CHECK(FakeHttpClient::headerOf(req, "content-type") == "application/x-amz-json-1.1");
    CHECK(FakeHttpClient::headerOf(req, "x-amz-target") == "Kinesis_20131202.ListShards");
    CHECK(FakeHttpClient::headerOf(req, "authorization")->find("/kinesis/aws4_request") !=
          std::string::npos);
}

TEST_CASE("Throttling is retried with backoff on the injected clock, then succeeds", "[aws][rpc]") {
    Fixture f;
    f.http.respond(400, throttled()).respond(400, throttled()).respond(200, "{}");
    std::vector<int64_t> sentAt;
    f.http.onSend([&](const HttpRequest&) { sentAt.push_back(f.clock.nowMillis()); });
    auto outcome = f.client().callDetailed("UpdateItem", nlohmann::json::object());
    REQUIRE(outcome.status.isOk());
    CHECK(outcome.attempts == 3);
    // random = 1.0: full delays of 50 then 100 ms, slept on the manual clock.
    CHECK(sentAt == std::vector<int64_t>{kStart, kStart + 50, kStart + 150});
}

TEST_CASE("Each attempt is signed afresh with the current time", "[aws][rpc]") {
    Fixture f;
    f.policy.baseDelayMillis = 1500;
    f.policy.totalBudgetMillis = 10'000;
    f.http.respond(503, "").respond(200, "{}");
    REQUIRE(f.client().call("GetItem", nlohmann::json::object()).isOk());
    auto reqs = f.http.requests();
    CHECK(FakeHttpClient::headerOf(reqs[0], "x-amz-date") == "20231114T221320Z");
    CHECK(FakeHttpClient::headerOf(reqs[1], "x-amz-date") == "20231114T221321Z");
    CHECK(FakeHttpClient::headerOf(reqs[0], "authorization") !=
          FakeHttpClient::headerOf(reqs[1], "authorization"));
}

TEST_CASE("5xx and transport errors are retried", "[aws][rpc]") {
    Fixture f;
    SECTION("HTTP 500 with a JSON error") {
        f.http.respond(500, R"({"__type":"com.amazon.coral.service#InternalFailure"})");
    }
    SECTION("HTTP 502 with an HTML body") { f.http.respond(502, "<html>bad gateway</html>"); }
    SECTION("HTTP 504 with no body") { f.http.respond(504, ""); }
    SECTION("a timeout") { f.http.fail("Timeout", "operation timed out"); }
    SECTION("a refused connection") { f.http.fail("ConnectionError", "refused"); }
    SECTION("a CRC32 mismatch") { f.http.respond(200, "{}", {{"x-amz-crc32", "12345"}}); }
    f.http.respond(200, "{}", {{"x-amz-crc32", std::to_string(crc32("{}"))}});
    auto outcome = f.client().callDetailed("GetItem", nlohmann::json::object());
    CHECK(outcome.status.isOk());
    CHECK(outcome.attempts == 2);
}

TEST_CASE("Retries stop at the attempt limit", "[aws][rpc]") {
    Fixture f;
    f.policy.maxAttempts = 3;
    f.policy.totalBudgetMillis = 60'000;
    for (int i = 0; i < 5; ++i) f.http.respond(400, throttled());
    auto outcome = f.client().callDetailed("GetItem", nlohmann::json::object());
    CHECK(outcome.status.code() == "ProvisionedThroughputExceededException");
    CHECK(outcome.status.message().find("after 3 attempts") != std::string::npos);
    CHECK(f.http.callCount() == 3);
}

TEST_CASE("Retries stop when the time budget is spent, without real sleeping", "[aws][rpc]") {
    Fixture f;
    f.policy.maxAttempts = 100;
    f.policy.totalBudgetMillis = 2000;
    f.policy.maxDelayMillis = 400;
    // Each attempt takes 300 ms of (fake) time before timing out.
    f.http.onSend([&](const HttpRequest&) { f.clock.advance(300); });
    for (int i = 0; i < 100; ++i) f.http.fail("Timeout", "timed out");
    auto outcome = f.client().callDetailed("GetItem", nlohmann::json::object());
    CHECK(outcome.status.code() == "Timeout");
    CHECK(f.clock.nowMillis() - kStart <= 2000 + 300);
    CHECK(f.http.callCount() < 10);
    CHECK(f.http.callCount() >= 3);
    SECTION("the per-attempt timeout shrinks to what is left of the budget") {
        auto reqs = f.http.requests();
        CHECK(reqs.front().totalTimeoutMillis == 2000);
        CHECK(reqs.back().totalTimeoutMillis < 2000);
    }
}

TEST_CASE("A conditional check failure is returned at once, with its body", "[aws][rpc]") {
    Fixture f;
    f.http.respond(
        400,
        R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",)"
        R"("message":"The conditional request failed","Item":{"k":{"S":"old"}}})",
        {{"x-amzn-RequestId", "REQ1"}});
    auto outcome = f.client().callDetailed("UpdateItem", nlohmann::json::object());
    CHECK(outcome.status.code() == "ConditionalCheckFailedException");
    CHECK(outcome.status.message().find("The conditional request failed") != std::string::npos);
    CHECK(outcome.status.message().find("REQ1") != std::string::npos);
    CHECK(outcome.httpStatus == 400);
    CHECK(outcome.body["Item"]["k"]["S"] == "old");
    CHECK(f.http.callCount() == 1);
}

TEST_CASE("Client errors are not retried", "[aws][rpc]") {
    for (const char* type : {"com.amazonaws.dynamodb.v20120810#ValidationException",
                             "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
                             "com.amazonaws.dynamodb.v20120810#AccessDeniedException",
                             "com.amazon.coral.service#UnrecognizedClientException",
                             "com.amazon.coral.service#InvalidSignatureException"}) {
        Fixture f;
        f.http.respond(400, nlohmann::json{{"__type", type}, {"message", "no"}}.dump());
        auto r = f.client().call("GetItem", nlohmann::json::object());
        REQUIRE_FALSE(r.isOk());
        CHECK(r.status().code() == std::string(type).substr(std::string(type).find('#') + 1));
        CHECK(f.http.callCount() == 1);
    }
}

TEST_CASE("Bad response bodies become clear errors", "[aws][rpc]") {
    Fixture f;
    SECTION("a 200 that is not JSON is BadResponse and not retried") {
        f.http.respond(200, "<html>captive portal</html>");
        auto r = f.client().call("GetItem", nlohmann::json::object());
        CHECK(r.status().code() == "BadResponse");
        CHECK(f.http.callCount() == 1);
    }
    SECTION("a 200 with a JSON array is BadResponse") {
        f.http.respond(200, "[1,2]");
        CHECK(f.client().call("GetItem", nlohmann::json::object()).status().code() ==
              "BadResponse");
    }
    SECTION("a 4xx without __type names the HTTP status, or the x-amzn-ErrorType header") {
        f.http.respond(403, "Forbidden");
        CHECK(f.client().call("GetItem", nlohmann::json::object()).status().code() ==
              "HttpStatus403");
        f.http.respond(403, "", {{"x-amzn-ErrorType", "AccessDeniedException:http://internal/"}});
        CHECK(f.client().call("GetItem", nlohmann::json::object()).status().code() ==
              "AccessDeniedException");
    }
    SECTION("a request with invalid UTF-8 is not sent") {
        auto r = f.client().call("PutItem", {{"k", std::string("\xff\xfe")}});
        CHECK(r.status().code() == "SerializationError");
        CHECK(f.http.callCount() == 0);
    }
}

TEST_CASE("Missing credentials fail fast as NoCredentials", "[aws][rpc]") {
    Fixture f;
    struct Nothing final : CredentialsProvider {
        au::Result<Credentials> resolve() override {
            return au::Status::error("NoCredentials", "nothing configured");
        }
        std::string name() const override { return "nothing"; }
    } nothing;
    AwsJsonClient client(f.http, nothing, f.clock, dynamoDbProtocol(), "http://localhost:1",
                         "us-east-1");
    auto r = client.call("GetItem", nlohmann::json::object());
    CHECK(r.status().code() == "NoCredentials");
    CHECK(r.status().message().find("nothing configured") != std::string::npos);
    CHECK(f.http.callCount() == 0);
}

TEST_CASE("An expired token invalidates the credentials and retries once with fresh ones",
          "[aws][rpc]") {
    Fixture f;
    struct Rotating final : CredentialsProvider {
        int generation = 1;
        int invalidations = 0;
        au::Result<Credentials> resolve() override {
            Credentials c;
            c.accessKeyId = "AKID" + std::to_string(generation);
            c.secretAccessKey = "S";
            c.sessionToken = "TOKEN" + std::to_string(generation);
            return c;
        }
        void invalidate() override {
            ++invalidations;
            ++generation;
        }
        std::string name() const override { return "rotating"; }
    } rotating;
    AwsJsonClient client(f.http, rotating, f.clock, dynamoDbProtocol(), "http://localhost:1",
                         "us-east-1", RetryPolicy{}, [] { return 0.0; });
    const std::string expired =
        R"({"__type":"com.amazon.coral.service#ExpiredTokenException","message":"expired"})";
    f.http.respond(400, expired).respond(200, "{}");
    REQUIRE(client.call("GetItem", nlohmann::json::object()).isOk());
    CHECK(rotating.invalidations == 1);
    auto reqs = f.http.requests();
    CHECK(FakeHttpClient::headerOf(reqs[0], "x-amz-security-token") == "TOKEN1");
    CHECK(FakeHttpClient::headerOf(reqs[1], "x-amz-security-token") == "TOKEN2");

    SECTION("but only once") {
        f.http.respond(400, expired).respond(400, expired);
        CHECK(client.call("GetItem", nlohmann::json::object()).status().code() ==
              "ExpiredTokenException");
        CHECK(rotating.invalidations == 2);
    }
}

TEST_CASE("Backoff is full jitter, exponential and capped", "[aws][rpc]") {
    RetryPolicy p;
    p.baseDelayMillis = 50;
    p.maxDelayMillis = 2000;
    CHECK(backoffDelayMillis(p, 1, 1.0) == 50);
    CHECK(backoffDelayMillis(p, 2, 1.0) == 100);
    CHECK(backoffDelayMillis(p, 3, 0.5) == 100);
    CHECK(backoffDelayMillis(p, 10, 1.0) == 2000);
    CHECK(backoffDelayMillis(p, 60, 1.0) == 2000);
    CHECK(backoffDelayMillis(p, 4, 0.0) == 0);
    auto random = defaultRandomSource();
    for (int i = 0; i < 100; ++i) {
        double r = random();
        CHECK((r >= 0.0 && r < 1.0));
    }
}
