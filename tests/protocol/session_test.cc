#include "protocol/session.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "protocol/scripted_io.h"

using namespace au;
using namespace au::protocol;
using au::test::QueueTransport;

namespace {

struct RecordingProcessor : RecordProcessor {
    std::vector<std::string> calls;
    std::vector<CheckpointResult> checkpointResults;
    bool checkpointInBatch = false;
    bool throwInBatch = false;
    int64_t wakeAt = INT64_MAX;
    std::vector<int64_t> wakes;
    const Clock* clock = nullptr;

    void initialize(const Initialize& m) override { calls.push_back("initialize " + m.shardId); }
    void processRecords(const ProcessRecords& b, Checkpointer& cp) override {
        calls.push_back("processRecords " + std::to_string(b.records.size()));
        if (throwInBatch) throw std::runtime_error("boom");
        if (checkpointInBatch) checkpointResults.push_back(cp.checkpoint(std::string("42"), 0));
    }
    void leaseLost() override { calls.push_back("leaseLost"); }
    void shardEnded(Checkpointer& cp) override {
        calls.push_back("shardEnded");
        checkpointResults.push_back(cp.checkpoint(std::nullopt, std::nullopt));
    }
    void shutdownRequested(Checkpointer&) override { calls.push_back("shutdownRequested"); }
    int64_t nextWakeMillis() const override { return wakeAt; }
    void onWake() override {
        wakes.push_back(clock->nowMillis());
        wakeAt += 1000;
    }
    void onEndOfInput() override { calls.push_back("eof"); }
};

std::vector<std::string> actionsOf(const std::vector<std::string>& lines) {
    std::vector<std::string> out;
    for (const auto& l : lines) {
        auto j = nlohmann::json::parse(l);
        out.push_back(j["action"].get<std::string>() +
                      (j.contains("responseFor") ? " " + j["responseFor"].get<std::string>() : ""));
    }
    return out;
}

}  // namespace

TEST_CASE("The session answers every message with a status for its action", "[protocol]") {
    ManualClock clock(0);
    QueueTransport io(clock);
    RecordingProcessor p;
    p.clock = &clock;
    io.push(R"({"action":"initialize","shardId":"s-1","sequenceNumber":"LATEST"})");
    io.push("");
    io.push("   ");
    io.push("this is not json");
    io.push(R"({"action":"processRecords","records":[],"millisBehindLatest":0})");
    io.push(R"({"action":"shutdownRequested"})");
    io.push(R"({"action":"shutdown","reason":"ZOMBIE"})");
    io.push(R"({"action":"brandNew","x":1})");
    io.push(R"({"action":"leaseLost"})");
    Session session(io, p, clock);
    CHECK(session.run() == 0);
    CHECK(p.calls == std::vector<std::string>{"initialize s-1", "processRecords 0",
                                              "shutdownRequested", "leaseLost", "leaseLost",
                                              "eof"});
    CHECK(actionsOf(io.written) ==
          std::vector<std::string>{"status initialize", "status processRecords",
                                   "status shutdownRequested", "status shutdown", "status brandNew",
                                   "status leaseLost"});
    CHECK(session.counters().skippedLines == 1);
    CHECK(session.counters().unknownActions == 1);
}

TEST_CASE("A checkpoint is a round trip inside the handler, answered before the status",
          "[protocol]") {
    ManualClock clock(0);
    QueueTransport io(clock);
    RecordingProcessor p;
    p.clock = &clock;
    p.checkpointInBatch = true;
    io.push(R"({"action":"processRecords","records":[]})");
    io.push("");
    io.push(R"({"action":"checkpoint","sequenceNumber":"42","subSequenceNumber":0,"error":null})");
    io.push(R"({"action":"shardEnded"})");
    io.push(
        R"({"action":"checkpoint","sequenceNumber":null,"subSequenceNumber":null,"error":"ThrottlingException"})");
    Session session(io, p, clock);
    CHECK(session.run() == 0);
    REQUIRE(io.written.size() == 4);
    CHECK(io.written[0] ==
          R"({"action":"checkpoint","sequenceNumber":"42","subSequenceNumber":0})");
    CHECK(io.written[1] == R"({"action":"status","responseFor":"processRecords"})");
    CHECK(io.written[2] ==
          R"({"action":"checkpoint","sequenceNumber":null,"subSequenceNumber":null})");
    CHECK(io.written[3] == R"({"action":"status","responseFor":"shardEnded"})");
    REQUIRE(p.checkpointResults.size() == 2);
    CHECK(p.checkpointResults[0].ok());
    CHECK(p.checkpointResults[1].kind == CheckpointResult::Kind::kRetryable);
}

TEST_CASE("Checkpoint errors are classified by the exception's name", "[protocol]") {
    using Kind = CheckpointResult::Kind;
    CHECK(classifyCheckpointError(std::nullopt).kind == Kind::kOk);
    CHECK(classifyCheckpointError(std::string("ThrottlingException")).kind == Kind::kRetryable);
    CHECK(classifyCheckpointError(std::string("KinesisClientLibDependencyException")).kind ==
          Kind::kRetryable);
    CHECK(classifyCheckpointError(std::string("ShutdownException")).kind == Kind::kStop);
    CHECK(classifyCheckpointError(std::string("InvalidStateException")).kind == Kind::kStop);
    CHECK(classifyCheckpointError(std::string("IllegalArgumentException")).kind ==
          Kind::kIllegalArgument);
    CHECK(classifyCheckpointError(std::string("SomethingElse")).kind == Kind::kFailed);
}

TEST_CASE("A message that arrives instead of a checkpoint reply is not lost", "[protocol]") {
    ManualClock clock(0);
    QueueTransport io(clock);
    RecordingProcessor p;
    p.clock = &clock;
    p.checkpointInBatch = true;
    io.push(R"({"action":"processRecords","records":[]})");
    io.push(R"({"action":"leaseLost"})");
    Session session(io, p, clock);
    CHECK(session.run() == 0);
    CHECK(p.checkpointResults.at(0).kind == CheckpointResult::Kind::kFailed);
    CHECK(p.calls == std::vector<std::string>{"processRecords 0", "leaseLost", "eof"});
    CHECK(actionsOf(io.written).back() == "status leaseLost");
}

TEST_CASE("EOF while waiting for a checkpoint reply ends the session cleanly", "[protocol]") {
    ManualClock clock(0);
    QueueTransport io(clock);
    RecordingProcessor p;
    p.clock = &clock;
    io.push(R"({"action":"shardEnded"})");
    Session session(io, p, clock);
    CHECK(session.run() == 0);
    CHECK(p.checkpointResults.at(0).kind == CheckpointResult::Kind::kConnectionLost);
}

TEST_CASE("A processor that throws still lets the daemon have its status", "[protocol]") {
    ManualClock clock(0);
    QueueTransport io(clock);
    RecordingProcessor p;
    p.clock = &clock;
    p.throwInBatch = true;
    io.push(R"({"action":"processRecords","records":[]})");
    Session session(io, p, clock);
    CHECK(session.run() == 0);
    CHECK(io.written ==
          std::vector<std::string>{R"({"action":"status","responseFor":"processRecords"})"});
}

TEST_CASE("A broken stdout ends the session with a failure", "[protocol]") {
    ManualClock clock(0);
    QueueTransport io(clock);
    io.broken = true;
    RecordingProcessor p;
    p.clock = &clock;
    io.push(R"({"action":"initialize","shardId":"s"})");
    io.push(R"({"action":"processRecords","records":[]})");
    Session session(io, p, clock);
    CHECK(session.run() == 1);
    CHECK(p.calls.size() == 1);
}

TEST_CASE("Timers fire while no message arrives, and between busy messages", "[protocol]") {
    ManualClock clock(0);
    QueueTransport io(clock);
    RecordingProcessor p;
    p.clock = &clock;
    p.wakeAt = 1000;
    io.push(R"({"action":"initialize","shardId":"s"})", 10);
    io.push(R"({"action":"processRecords","records":[]})", 3500);
    Session session(io, p, clock);
    CHECK(session.run() == 0);
    CHECK(p.wakes == std::vector<int64_t>{1000, 2000, 3000});
}
