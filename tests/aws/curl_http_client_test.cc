// Loopback tests of CurlHttpClient (label "integration": they use real sockets and real time,
// bounded by short timeouts). Nothing leaves 127.0.0.1.

#include "aws/curl_http_client.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "loopback_http_server.h"

using namespace au::aws;
using au::aws::testing::LoopbackHttpServer;
using au::aws::testing::RawRequest;

TEST_CASE("CurlHttpClient posts the body and headers and returns status, headers and body",
          "[aws][curl]") {
    LoopbackHttpServer server([](const RawRequest&) {
        return LoopbackHttpServer::response(400, "{\"__type\":\"x#Y\"}",
                                            "X-Amzn-RequestId: r-1\r\n");
    });
    CurlHttpClient client;
    HttpRequest req;
    req.url = server.url("/");
    req.headers = {{"Content-Type", "application/x-amz-json-1.0"}, {"X-Amz-Target", "T.Op"}};
    req.body = std::string(5000, 'x');  // large enough that curl would send Expect: 100-continue
    auto res = client.send(req);
    REQUIRE(res.isOk());
    CHECK(res->status == 400);
    CHECK(res->body == "{\"__type\":\"x#Y\"}");
    CHECK(res->header("x-amzn-requestid") == "r-1");
    CHECK(res->header("X-AMZN-REQUESTID") == "r-1");
    auto seen = server.requests();
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].head.rfind("POST / HTTP/1.1", 0) == 0);
    CHECK(seen[0].head.find("X-Amz-Target: T.Op") != std::string::npos);
    CHECK(seen[0].head.find("Expect:") == std::string::npos);
    CHECK(seen[0].body == req.body);
}

TEST_CASE("CurlHttpClient reuses its connection across calls", "[aws][curl]") {
    LoopbackHttpServer server(
        [](const RawRequest&) { return LoopbackHttpServer::response(200, "ok"); });
    CurlHttpClient client;
    HttpRequest req;
    req.url = server.url("/");
    for (int i = 0; i < 3; ++i) {
        auto res = client.send(req);
        REQUIRE(res.isOk());
        CHECK(res->body == "ok");
    }
    CHECK(server.connectionsAccepted() == 1);
}

TEST_CASE("CurlHttpClient sends PUT and GET as asked", "[aws][curl]") {
    LoopbackHttpServer server(
        [](const RawRequest&) { return LoopbackHttpServer::response(200, "token"); });
    CurlHttpClient client;
    HttpRequest put;
    put.method = "PUT";
    put.url = server.url("/latest/api/token");
    put.headers = {{"x-aws-ec2-metadata-token-ttl-seconds", "21600"}};
    REQUIRE(client.send(put).isOk());
    HttpRequest get;
    get.method = "GET";
    get.url = server.url("/latest/meta-data/");
    REQUIRE(client.send(get).isOk());
    auto seen = server.requests();
    REQUIRE(seen.size() == 2);
    CHECK(seen[0].head.rfind("PUT /latest/api/token HTTP/1.1", 0) == 0);
    CHECK(seen[1].head.rfind("GET /latest/meta-data/ HTTP/1.1", 0) == 0);
}

TEST_CASE("CurlHttpClient reports a silent server as Timeout", "[aws][curl]") {
    LoopbackHttpServer server([](const RawRequest&) { return std::optional<std::string>(); });
    CurlHttpClient client;
    HttpRequest req;
    req.url = server.url("/");
    req.totalTimeoutMillis = 200;
    auto res = client.send(req);
    REQUIRE_FALSE(res.isOk());
    CHECK(res.status().code() == "Timeout");
}

TEST_CASE("A cancelled transfer ends within about a second, long before its timeout",
          "[aws][curl]") {
    LoopbackHttpServer server([](const RawRequest&) { return std::optional<std::string>(); });
    std::atomic<bool> cancel{false};
    CurlHttpClientOptions options;
    options.cancelled = [&] { return cancel.load(); };
    CurlHttpClient client(options);
    HttpRequest req;
    req.url = server.url("/");
    req.totalTimeoutMillis = 30'000;
    std::thread canceller([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        cancel = true;
    });
    const auto t0 = std::chrono::steady_clock::now();
    auto res = client.send(req);
    const auto took = std::chrono::steady_clock::now() - t0;
    canceller.join();
    REQUIRE_FALSE(res.isOk());
    CHECK(res.status().code() == "Cancelled");
    CHECK(took < std::chrono::milliseconds(2'500));
    // Already cancelled: nothing is sent at all.
    auto again = client.send(req);
    CHECK(again.status().code() == "Cancelled");
    CHECK(server.requests().size() == 1);
}

TEST_CASE("CurlHttpClient reports a refused connection as ConnectionError", "[aws][curl]") {
    int port;
    {
        LoopbackHttpServer server([](const RawRequest&) { return std::optional<std::string>(); });
        port = server.port();
    }
    CurlHttpClient client;
    HttpRequest req;
    req.url = "http://127.0.0.1:" + std::to_string(port) + "/";
    auto res = client.send(req);
    REQUIRE_FALSE(res.isOk());
    CHECK(res.status().code() == "ConnectionError");
}

TEST_CASE("CurlHttpClient rejects non-http schemes as HttpError", "[aws][curl]") {
    CurlHttpClient client;
    HttpRequest req;
    req.url = "file:///etc/passwd";
    auto res = client.send(req);
    REQUIRE_FALSE(res.isOk());
    CHECK(res.status().code() == "HttpError");
}
