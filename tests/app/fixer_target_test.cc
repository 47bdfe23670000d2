#include "app/fixer_target.h"

#include <catch2/catch.hpp>

#include "support/command_line.h"
#include "support/temp_dir.h"

using namespace au;
using namespace au::app;
using au::test::TempDir;

namespace {
CommandLine line(std::vector<std::string> args) {
    return test::commandLine("fix-leases", std::move(args));
}
}  // namespace

TEST_CASE("Which processor a daemon file starts", "[app]") {
    CHECK(isOurProcessor("/usr/bin/active-users --properties /etc/active-users/x.properties"));
    CHECK(isOurProcessor("build/active-users"));
    CHECK(isOurProcessor("  active-users"));
    CHECK_FALSE(isOurProcessor("node sample_kcl_app.js"));
    CHECK_FALSE(isOurProcessor("python3 /opt/app/active-users.py"));
    CHECK_FALSE(isOurProcessor(""));
    CHECK(processorProgram("  /usr/bin/python3 app.py") == "/usr/bin/python3");
}

TEST_CASE("fix-leases for any KCL application: everything from flags", "[app]") {
    auto t =
        fixerTargetFrom(line({"--table", "orders-app", "--stream", "orders", "--region",
                              "eu-west-1", "--kinesis-endpoint", "http://127.0.0.1:1",
                              "--dynamodb-endpoint", "http://127.0.0.1:2", "--max-replay", "2m"}));
    REQUIRE(t);
    CHECK(t->daemon.tableName == "orders-app");
    CHECK(t->stream == "orders");
    CHECK(t->daemon.regionName == "eu-west-1");
    CHECK(t->daemon.kinesisEndpoint == "http://127.0.0.1:1");
    CHECK(t->daemon.dynamoDBEndpoint == "http://127.0.0.1:2");
    CHECK(t->maxReplayMillis == 120'000);

    auto arn = fixerTargetFrom(
        line({"--table", "a", "--stream", "arn:aws:kinesis:us-east-1:123456789012:stream/orders",
              "--max-replay", "90s"}));
    REQUIRE(arn);
    CHECK(arn->stream == "orders");
    CHECK(arn->daemon.streamName.empty());
}

TEST_CASE("fix-leases without our processor needs maxReplay said, never a default", "[app]") {
    TempDir dir;
    const auto noReplay = fixerTargetFrom(line({"--table", "a", "--stream", "s"}));
    REQUIRE_FALSE(noReplay);
    CHECK(noReplay.status().message().find("--max-replay DURATION is required") !=
          std::string::npos);

    const std::string peer = dir.write("peer.properties",
                                       "executableName = node sample_kcl_app.js\n"
                                       "streamName = s\napplicationName = peer-app\n");
    const auto fromPeerFile = fixerTargetFrom(line({"--properties", peer}));
    REQUIRE_FALSE(fromPeerFile);
    CHECK(fromPeerFile.status().message().find("\"node\", not active-users") != std::string::npos);

    auto withFlag = fixerTargetFrom(line({"--properties", peer, "--max-replay", "5m"}));
    REQUIRE(withFlag);
    CHECK(withFlag->daemon.tableName == "peer-app");
    CHECK(withFlag->stream == "s");
    CHECK(withFlag->maxReplayMillis == 300'000);

    const std::string peerWithKey =
        dir.write("peer2.properties",
                  "executableName = python3 app.py\nstreamName = s\napplicationName = p\n"
                  "activeUsers.maxReplaySeconds = 45\n");
    auto fromKey = fixerTargetFrom(line({"--properties", peerWithKey}));
    REQUIRE(fromKey);
    CHECK(fromKey->maxReplayMillis == 45'000);
}

TEST_CASE("fix-leases on our processor's file: its maxReplay, flags win", "[app]") {
    TempDir dir;
    const std::string ours = dir.write("ours.properties",
                                       "executableName = /usr/bin/active-users\nstreamName = s\n"
                                       "applicationName = app\nactiveUsers.ttlSeconds = 30\n"
                                       "activeUsers.fixRemovesLeaseOwner = true\n");
    auto t = fixerTargetFrom(line({"--properties", ours}));
    REQUIRE(t);
    CHECK(t->maxReplayMillis == 30'000);  // the TTL
    CHECK(t->fixRemovesLeaseOwner == std::optional<bool>(true));
    auto flagged = fixerTargetFrom(
        line({"--properties", ours, "--stream", "other", "--table", "t2", "--max-replay", "1h"}));
    REQUIRE(flagged);
    CHECK(flagged->stream == "other");
    CHECK(flagged->daemon.tableName == "t2");
    CHECK(flagged->maxReplayMillis == 3'600'000);

    // A file our processor's defaults apply to still has only its own default (120 s).
    const std::string bare = dir.write("bare.properties",
                                       "executableName = active-users\nstreamName = s\n"
                                       "applicationName = app\n");
    auto b = fixerTargetFrom(line({"--properties", bare}));
    REQUIRE(b);
    CHECK(b->maxReplayMillis == 120'000);
}

TEST_CASE("fix-leases refuses a malformed --max-replay or a missing table or stream", "[app]") {
    for (const char* bad : {"2 minutes", "0s", "500ms", "-1m", ""}) {
        INFO(bad);
        auto t = fixerTargetFrom(line({"--table", "a", "--stream", "s", "--max-replay", bad}));
        REQUIRE_FALSE(t);
        CHECK(t.status().message().find("--max-replay") != std::string::npos);
    }
    auto noTable = fixerTargetFrom(line({"--stream", "s", "--max-replay", "2m"}));
    REQUIRE_FALSE(noTable);
    CHECK(noTable.status().message().find("no lease table") != std::string::npos);
}
