// The lease fixer's action as published with the shard's stats (app/fixer_note.h).
#include "app/fixer_note.h"

#include <catch2/catch.hpp>

#include "leases/fake_shard.h"
#include "leases/lease_fixtures.h"

using namespace au;
using namespace au::leases;
using namespace au::leases::testing;

namespace {

constexpr int64_t kStart = 1'700'000'000'000;
constexpr int64_t kHour = 3'600'000;
const char* const kShard = "shardId-000000000001";

// The fixture's DynamoDB and an empty fake shard for the fixer's worker.
struct TestAccess final : FixerAccess {
    TestAccess(aws::DynamoDbClient& d, FakeShard& s) : ddb(d), shard(s) {}
    aws::DynamoDbClient& dynamodb() override { return ddb; }
    std::unique_ptr<ShardReader> shardReader(const std::string&, const std::string&,
                                             WaitFunction) override {
        return shard.view();
    }
    aws::DynamoDbClient& ddb;
    FakeShard& shard;
};

protocol::ProcessRecords behind(int64_t millis) {
    protocol::ProcessRecords b;
    b.millisBehindLatest = millis;
    return b;
}

}  // namespace

TEST_CASE("Without a fixer the probe says off", "[app][fixer][unit]") {
    const auto probe = app::fixerProbe(nullptr);
    CHECK(probe(kStart).action == "off");
}

TEST_CASE("The probe names the fixer's action and keeps the time it first saw it",
          "[app][fixer][unit]") {
    ManualClock clock(kStart);
    DdbFixture f(clock);
    FakeShard shard(kStart);  // no record: the cut is to LATEST
    f.http.respond(200, getItemAnswer(kclLease(kShard, "TRIM_HORIZON", "7")))
        .respond(200, updateAnswer(kclLease(kShard, "LATEST", "9")));
    FixerOptions options;
    options.stream = "heartbeats";
    options.costs = CutCosts{1'500, 6'000};
    StaleLeaseFixer fixer(
        "app", options, clock, [&](std::function<bool()>) -> Result<std::unique_ptr<FixerAccess>> {
            return std::unique_ptr<FixerAccess>(std::make_unique<TestAccess>(f.ddb, shard));
        });
    const auto probe = app::fixerProbe(&fixer);
    fixer.onInitialize({kShard, std::string("TRIM_HORIZON"), 0});
    CHECK(probe(kStart).action == "watching");
    fixer.onBatch(behind(3 * kHour));
    REQUIRE(fixer.waitFor(
        [](const StaleLeaseFixer::Snapshot& s) {
            return s.state == StaleLeaseFixer::State::kRewritten;
        },
        10'000));
    const auto cut = probe(kStart + 1'000);
    CHECK(cut.action == "cut");
    CHECK(cut.at == kStart + 1'000);
    CHECK_FALSE(cut.detail.empty());
    CHECK(probe(kStart + 5'000).at == kStart + 1'000);  // the same action keeps its time
    fixer.stop();
}

TEST_CASE("Every fixer state has its words", "[app][fixer][unit]") {
    using State = StaleLeaseFixer::State;
    CHECK(std::string(app::fixerAction(State::kFresh)) == "left alone");
    CHECK(std::string(app::fixerAction(State::kFixing)) == "cutting");
    CHECK(std::string(app::fixerAction(State::kRewritten)) == "cut");
    CHECK(std::string(app::fixerAction(State::kNotFixed)) == "not cut");
    CHECK(std::string(app::fixerAction(State::kStopped)) == "stopped");
    CHECK(std::string(app::fixerAction(State::kWatching)) == "watching");
}
