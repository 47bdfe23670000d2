// The lease fixer's action as published with the shard's stats (app/fixer_note.h).
#include "app/fixer_note.h"

#include <catch2/catch.hpp>

#include "leases/lease_fixtures.h"

using namespace au;
using namespace au::leases;
using namespace au::leases::testing;

namespace {

constexpr int64_t kStart = 1'700'000'000'000;
constexpr int64_t kHour = 3'600'000;

struct BorrowedAccess final : DynamoDbAccess {
    explicit BorrowedAccess(aws::DynamoDbClient& d) : ddb(d) {}
    aws::DynamoDbClient& dynamodb() override { return ddb; }
    aws::DynamoDbClient& ddb;
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
    f.http.respond(200, getItemAnswer(kclLease("shardId-000000000001", "TRIM_HORIZON", "7")))
        .respond(200, updateAnswer(kclLease("shardId-000000000001", "LATEST", "9")));
    auto borrow = [&f]() -> Result<std::unique_ptr<DynamoDbAccess>> {
        return std::unique_ptr<DynamoDbAccess>(std::make_unique<BorrowedAccess>(f.ddb));
    };
    StaleLeaseFixer fixer("app", FixerOptions{}, clock, borrow);
    const auto probe = app::fixerProbe(&fixer);
    fixer.onInitialize({"shardId-000000000001", std::string("TRIM_HORIZON"), 0});
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
