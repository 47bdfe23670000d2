#include "app/retrieval_mode.h"

#include <catch2/catch.hpp>

#include "app/config.h"

using namespace au;
using namespace au::app;
using au::leases::RetrievalMode;

namespace {
DaemonSettings daemonOf(const std::string& text) {
    auto c = configFromProperties(parseProperties("applicationName = a\nstreamName = s\n" + text));
    REQUIRE(c);
    return c->daemon;
}
RetrievalChoice choiceOf(const std::string& text, int kclMajor = 3) {
    return retrievalModeFor(daemonOf(text), kclMajor);
}
}  // namespace

TEST_CASE("retrievalMode: FANOUT or POLLING in any case is the daemon's choice on 2.x and 3.x",
          "[app][retrieval]") {
    for (int kcl : {2, 3}) {
        auto fan = choiceOf("retrievalMode = fanout\nmaxRecords = 100\n", kcl);
        CHECK(fan.mode == RetrievalMode::kFanOut);
        CHECK(fan.explicitSetting);
        CHECK(fan.why == "retrievalMode = fanout");
        CHECK(fan.warning.empty());
        auto poll = choiceOf("retrievalMode = POLLING\n", kcl);
        CHECK(poll.mode == RetrievalMode::kPolling);
        CHECK(poll.explicitSetting);
    }
}

TEST_CASE(
    "Without retrievalMode (or DEFAULT) 2.x and 3.x read with fan-out unless a polling key "
    "is set",
    "[app][retrieval]") {
    auto bare = choiceOf("");
    CHECK(bare.mode == RetrievalMode::kFanOut);
    CHECK_FALSE(bare.explicitSetting);
    CHECK(bare.why == "the daemon's default: no retrievalMode, no polling key");
    CHECK(choiceOf("retrievalMode = DEFAULT\n").mode == RetrievalMode::kFanOut);
    // Each polling key of PollingConfigBean.anyPropertiesSet switches the default.
    for (const char* key : {"retryGetRecordsInSeconds = 0", "maxGetRecordsThreadPool = 4",
                            "idleTimeBetweenReadsInMillis = 250", "maxRecords = 1000",
                            "millisBehindLatestThresholdForReducedTps = 1"}) {
        INFO(key);
        auto c = choiceOf(std::string(key) + "\n");
        CHECK(c.mode == RetrievalMode::kPolling);
        CHECK_FALSE(c.explicitSetting);
        CHECK(c.why.find(std::string(key).substr(0, std::string(key).find(' '))) !=
              std::string::npos);
        CHECK(choiceOf("retrievalMode = Default\n" + std::string(key) + "\n").mode ==
              RetrievalMode::kPolling);
    }
    // The long/int keys count only when non-zero (the bean's 0 means "not set"); BeanUtils turns
    // a non-number into 0.
    CHECK(choiceOf("maxRecords = 0\nidleTimeBetweenReadsInMillis = x\n").mode ==
          RetrievalMode::kFanOut);
    // millisBehindLatestThresholdForReducedTps is a 3.x key: multilang 2.5.4 ignores it.
    CHECK(choiceOf("millisBehindLatestThresholdForReducedTps = 500\n", 2).mode ==
          RetrievalMode::kFanOut);
    auto two = choiceOf("maxRecords = 10\nidleTimeBetweenReadsInMillis = 250\n", 2);
    CHECK(two.mode == RetrievalMode::kPolling);
    CHECK(two.why.find("keys idleTimeBetweenReadsInMillis, maxRecords set") != std::string::npos);
}

TEST_CASE("A retrievalMode the daemon refuses, and KCL 1.x, are said", "[app][retrieval]") {
    auto bad = choiceOf("retrievalMode = PUSH\n");
    CHECK(bad.warning.find("\"PUSH\" is not FANOUT, POLLING or DEFAULT") != std::string::npos);
    auto one = choiceOf("retrievalMode = FANOUT\n", 1);
    CHECK(one.mode == RetrievalMode::kPolling);
    CHECK(one.why == "KCL 1.x reads by polling only");
    CHECK(one.warning.find("ignored by KCL 1.x") != std::string::npos);
    CHECK(choiceOf("", 1).mode == RetrievalMode::kPolling);
    CHECK(choiceOf("", 1).warning.empty());
    CHECK(kclMajorOf("1.14.0") == 1);
    CHECK(kclMajorOf("2.7.2") == 2);
    CHECK(kclMajorOf("3.5.1") == 3);
    CHECK(kclMajorOf("3") == 3);
}

TEST_CASE("Each retrieval mode's costs name what it registers, shares and is charged",
          "[app][retrieval]") {
    std::string fan, poll;
    for (const auto& l : retrievalModeCosts(RetrievalMode::kFanOut, 1'500)) fan += l + "\n";
    for (const auto& l : retrievalModeCosts(RetrievalMode::kPolling, 250)) poll += l + "\n";
    CHECK(fan.find("registers a stream consumer") != std::string::npos);
    CHECK(fan.find("2 MiB/s") != std::string::npos);
    CHECK(fan.find("per consumer-shard-hour and per GB") != std::string::npos);
    CHECK(poll.find("5 reads/s and 2 MiB/s") != std::string::npos);
    CHECK(poll.find("idleTimeBetweenReadsInMillis = 250 ms") != std::string::npos);
}
