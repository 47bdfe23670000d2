#include "app/config.h"

#include <catch2/catch.hpp>

#include "app/cli.h"

using namespace au;
using namespace au::app;

TEST_CASE("A file with only the daemon's keys gives the documented defaults", "[app]") {
    auto c = configFromProperties(parseProperties(
        "executableName = build/active-users --properties x\n"
        "streamName = heartbeats\napplicationName = heartbeat-app\nregionName = eu-west-1\n"
        "dynamoDBEndpoint = http://127.0.0.1:4567\nsomeDaemonKey = ignored\n"));
    REQUIRE(c);
    CHECK(c->daemon.tableName == "heartbeat-app");
    CHECK(c->daemon.streamName == "heartbeats");
    CHECK(c->daemon.regionName == "eu-west-1");
    CHECK(c->daemon.dynamoDBEndpoint == "http://127.0.0.1:4567");
    CHECK(c->processor.ttlMillis == 120'000);
    CHECK(c->processor.checkpointIntervalMillis == 0);
    CHECK(c->processor.heartbeat.userIdField == "userId");
    CHECK(c->processor.heartbeat.userIdSource == processor::UserIdSource::kPayload);
    CHECK(c->processor.statsIntervalMillis == 60'000);
    CHECK(c->fixStaleLeases);
    CHECK(c->maxReplayMillis == 120'000);  // defaults to the TTL
}

TEST_CASE("The processor's own keys are read and converted", "[app]") {
    auto c = configFromProperties(parseProperties(
        "applicationName = a\ntableName = leases\n"
        "activeUsers.ttlSeconds = 30\nactiveUsers.userIdSource = partitionKey\n"
        "activeUsers.requireGuid = true\nactiveUsers.eventTimeField = ts\n"
        "activeUsers.checkpointIntervalSeconds = 60\nactiveUsers.stateDir = /var/lib/au\n"
        "activeUsers.maxReplaySeconds = 600\nactiveUsers.fixStaleLeases = false\n"));
    REQUIRE(c);
    CHECK(c->daemon.tableName == "leases");
    CHECK(c->processor.ttlMillis == 30'000);
    CHECK(c->processor.heartbeat.userIdSource == processor::UserIdSource::kPartitionKey);
    CHECK(c->processor.heartbeat.requireGuid);
    CHECK(c->processor.heartbeat.eventTimeField == "ts");
    CHECK(c->processor.checkpointIntervalMillis == 60'000);
    CHECK(c->processor.stateDir == "/var/lib/au");
    CHECK(c->maxReplayMillis == 600'000);
    CHECK_FALSE(c->fixStaleLeases);
}

TEST_CASE("Every invalid value is reported with its key and line", "[app]") {
    auto c =
        configFromProperties(parseProperties("activeUsers.ttlSeconds = soon\n"
                                             "activeUsers.requireGuid = yes\n"
                                             "activeUsers.userIdSource = header\n"
                                             "activeUsers.ttlSecond = 5\n"
                                             "activeUsers.snapshotIntervalMillis = 0\n"
                                             "activeUsers.logLevel = loud\n"));
    REQUIRE_FALSE(c);
    const std::string& m = c.status().message();
    CHECK(m.find("activeUsers.ttlSeconds (line 1): \"soon\" is not an integer") !=
          std::string::npos);
    CHECK(m.find("activeUsers.requireGuid (line 2)") != std::string::npos);
    CHECK(m.find("activeUsers.userIdSource (line 3)") != std::string::npos);
    CHECK(m.find("activeUsers.ttlSecond (line 4): unknown key") != std::string::npos);
    CHECK(m.find("activeUsers.snapshotIntervalMillis (line 5)") != std::string::npos);
    CHECK(m.find("activeUsers.logLevel (line 6)") != std::string::npos);
}

TEST_CASE("An unknown key that nearly matches a known one says which one was meant", "[app]") {
    auto c =
        configFromProperties(parseProperties("activeUsers.ttlSecond = 5\n"
                                             "activeUsers.TTLSeconds = 5\n"
                                             "activeusers.stateDir = /tmp/x\n"
                                             "activeUser.logLevel = warn\n"
                                             "activeUsers.snapshotIntervalMilis = 50\n"
                                             "activeUsers.somethingElse = 1\n"
                                             "streamName = s\n"
                                             "maxRecords = 100\n"));
    REQUIRE_FALSE(c);
    const std::string& m = c.status().message();
    INFO(m);
    CHECK(m.find("activeUsers.ttlSecond (line 1): unknown key; did you mean "
                 "activeUsers.ttlSeconds?") != std::string::npos);
    CHECK(m.find("activeUsers.TTLSeconds (line 2): unknown key; did you mean "
                 "activeUsers.ttlSeconds?") != std::string::npos);
    // A near miss of the prefix is caught too (before, the daemon silently ignored it).
    CHECK(m.find("activeusers.stateDir (line 3): unknown key; did you mean "
                 "activeUsers.stateDir?") != std::string::npos);
    CHECK(m.find("activeUser.logLevel (line 4): unknown key; did you mean "
                 "activeUsers.logLevel?") != std::string::npos);
    CHECK(m.find("activeUsers.snapshotIntervalMilis (line 5): unknown key; did you mean "
                 "activeUsers.snapshotIntervalMillis?") != std::string::npos);
    // Nothing close: no guess. The daemon's own keys are not ours to judge.
    const std::string unknown = "activeUsers.somethingElse (line 6): unknown key";
    const auto at = m.find(unknown);
    REQUIRE(at != std::string::npos);
    CHECK(m.substr(at + unknown.size(), 1) != ";");
    CHECK(m.find("streamName") == std::string::npos);
    CHECK(m.find("maxRecords") == std::string::npos);
}

TEST_CASE("The command line separates command, flags and positionals", "[app]") {
    auto cl = parseCommandLine({"query", "--state-dir", "/s", "--json", "--at=5"},
                               {"--state-dir", "--at"}, {"--json"});
    REQUIRE(cl);
    CHECK(cl->command == "query");
    CHECK(cl->get("--state-dir") == "/s");
    CHECK(cl->get("--at") == "5");
    CHECK(cl->has("--json"));
    auto daemonStyle = parseCommandLine({"--properties", "p.properties"}, {"--properties"}, {});
    REQUIRE(daemonStyle);
    CHECK(daemonStyle->command.empty());
    CHECK_FALSE(parseCommandLine({"--nope"}, {}, {}));
    CHECK_FALSE(parseCommandLine({"--properties"}, {"--properties"}, {}));
}

TEST_CASE("fixRemovesLeaseOwner: auto by default, true/false override", "[app]") {
    auto def = configFromProperties(parseProperties("applicationName = a\n"));
    REQUIRE(def);
    CHECK_FALSE(def->fixRemovesLeaseOwner.has_value());
    for (const char* v : {"auto", "true", "false"}) {
        auto c = configFromProperties(
            parseProperties(std::string("activeUsers.fixRemovesLeaseOwner = ") + v + "\n"));
        REQUIRE(c);
        if (std::string(v) == "auto") {
            CHECK_FALSE(c->fixRemovesLeaseOwner.has_value());
        } else {
            REQUIRE(c->fixRemovesLeaseOwner.has_value());
            CHECK(*c->fixRemovesLeaseOwner == (std::string(v) == "true"));
        }
    }
    CHECK_FALSE(
        configFromProperties(parseProperties("activeUsers.fixRemovesLeaseOwner = maybe\n")));
}

TEST_CASE("Redis Cluster keys: the URL or redisCluster, partitions, member format", "[app]") {
    auto single = configFromProperties(
        parseProperties("applicationName = a\nactiveUsers.redisUrl = redis://h:6379\n"));
    REQUIRE(single);
    CHECK_FALSE(single->redis.cluster);
    CHECK(single->redis.partitions == 0);  // one sorted set, as before
    CHECK(single->redis.memberFormat == activeset::MemberFormat::kText);

    auto byUrl = configFromProperties(parseProperties(
        "applicationName = a\nactiveUsers.redisUrl = redis+cluster://h1:7000,h2:7001\n"));
    REQUIRE(byUrl);
    CHECK(byUrl->redis.cluster);
    CHECK(byUrl->redis.partitions == activeset::kDefaultClusterPartitions);
    CHECK(byUrl->redis.memberFormat == activeset::MemberFormat::kBinary);

    auto byFlag = configFromProperties(
        parseProperties("applicationName = a\nactiveUsers.redisUrl = redis://h1:7000,h2:7001\n"
                        "activeUsers.redisCluster = true\nactiveUsers.redisPartitions = 64\n"
                        "activeUsers.redisMemberFormat = text\n"));
    REQUIRE(byFlag);
    CHECK(byFlag->redis.cluster);
    CHECK(byFlag->redis.partitions == 64);
    CHECK(byFlag->redis.memberFormat == activeset::MemberFormat::kText);

    auto bad = configFromProperties(
        parseProperties("activeUsers.redisUrl = redis://h:6379\nactiveUsers.redisPartitions = 8\n"
                        "activeUsers.redisMemberFormat = zip\n"));
    REQUIRE_FALSE(bad);
    CHECK(bad.status().message().find("activeUsers.redisPartitions (line 2): only for a Redis "
                                      "Cluster") != std::string::npos);
    CHECK(bad.status().message().find("activeUsers.redisMemberFormat (line 3)") !=
          std::string::npos);
    auto braces = configFromProperties(parseProperties(
        "activeUsers.redisUrl = redis+cluster://h:7000\nactiveUsers.redisKey = {app}\n"
        "activeUsers.redisPartitions = 0\n"));
    REQUIRE_FALSE(braces);
    CHECK(braces.status().message().find("activeUsers.redisKey (line 2): must not hold") !=
          std::string::npos);
    CHECK(braces.status().message().find(
              "activeUsers.redisPartitions (line 3): 0 is out of range") != std::string::npos);
}
