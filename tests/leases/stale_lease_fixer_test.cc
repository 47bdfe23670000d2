#include "leases/stale_lease_fixer.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "lease_fixtures.h"
#include "processor/active_users_processor.h"
#include "util/base64.h"

using namespace au::leases;
using namespace au::leases::testing;
using State = StaleLeaseFixer::State;

namespace {

constexpr int64_t kStart = 1'700'000'000'000;
constexpr int64_t kHour = 3'600'000;
constexpr int64_t kWaitMillis = 10'000;  // real-time safety net for waiting on the worker

// Lends a fixture's DynamoDbClient to the fixer's worker.
struct BorrowedAccess final : DynamoDbAccess {
    explicit BorrowedAccess(au::aws::DynamoDbClient& d) : ddb(d) {}
    au::aws::DynamoDbClient& dynamodb() override { return ddb; }
    au::aws::DynamoDbClient& ddb;
};

DynamoDbAccessFactory borrow(DdbFixture& f) {
    return [&f]() -> au::Result<std::unique_ptr<DynamoDbAccess>> {
        return std::unique_ptr<DynamoDbAccess>(std::make_unique<BorrowedAccess>(f.ddb));
    };
}

au::protocol::Initialize init(const std::string& checkpoint) {
    return au::protocol::Initialize{"shardId-000000000001", checkpoint, 0};
}

au::protocol::ProcessRecords batch(std::optional<int64_t> behind,
                                   std::vector<std::optional<int64_t>> arrivals = {}) {
    au::protocol::ProcessRecords b;
    b.millisBehindLatest = behind;
    for (auto a : arrivals) {
        au::protocol::Record r;
        r.sequenceNumber = "1";
        r.approximateArrivalMillis = a;
        b.records.push_back(r);
    }
    return b;
}

bool settled(const StaleLeaseFixer::Snapshot& s) {
    return s.state == State::kRewritten || s.state == State::kNotFixed ||
           s.state == State::kStopped;
}

FixerOptions options() {
    FixerOptions o;
    o.maxReplayMillis = 120'000;
    o.retryBaseMillis = 1'000;
    o.retryCapMillis = 4'000;
    return o;
}

std::string rewrittenAnswer(const std::string& counter) {
    auto item = kclLease("shardId-000000000001", "LATEST", counter);
    return updateAnswer(item);
}

}  // namespace

TEST_CASE("A consumer that keeps up is left alone: no DynamoDB call at all", "[leases][fixer]") {
    au::ManualClock clock(kStart);
    DdbFixture f(clock);
    StaleLeaseFixer fixer("app", options(), clock, borrow(f));
    fixer.onInitialize(init("TRIM_HORIZON"));
    fixer.onBatch(batch(3'000, {kStart - 3'000}));
    CHECK(fixer.snapshot().state == State::kFresh);
    fixer.onBatch(batch(10 * kHour));  // later batches never decide again
    CHECK(fixer.snapshot().state == State::kFresh);
    fixer.stop();
    CHECK(f.http.callCount() == 0);
}

TEST_CASE("A lease started at LATEST is never touched", "[leases][fixer]") {
    au::ManualClock clock(kStart);
    DdbFixture f(clock);
    StaleLeaseFixer fixer("app", options(), clock, borrow(f));
    fixer.onInitialize(init("LATEST"));
    fixer.onBatch(batch(10 * kHour));
    CHECK(fixer.snapshot().state == State::kFresh);
    CHECK(f.http.callCount() == 0);
}

TEST_CASE("An empty first batch without millisBehindLatest defers the decision",
          "[leases][fixer]") {
    au::ManualClock clock(kStart);
    DdbFixture f(clock);
    f.http.respond(200, getItemAnswer(kclLease("shardId-000000000001", "TRIM_HORIZON", "7")))
        .respond(200, rewrittenAnswer("9"));
    StaleLeaseFixer fixer("app", options(), clock, borrow(f));
    fixer.onInitialize(init("TRIM_HORIZON"));
    fixer.onBatch(batch(std::nullopt));
    CHECK(fixer.snapshot().state == State::kWatching);
    fixer.onBatch(batch(std::nullopt, {kStart - 2 * kHour}));  // the first record's age decides
    REQUIRE(fixer.waitFor(settled, kWaitMillis));
    CHECK(fixer.snapshot().state == State::kRewritten);
}

TEST_CASE("A stale lease is rewritten on the worker thread, never on the protocol thread",
          "[leases][fixer]") {
    au::ManualClock clock(kStart);
    DdbFixture f(clock);
    const auto caller = std::this_thread::get_id();
    std::atomic<bool> onCaller{false};
    f.http.onSend([&](const au::aws::HttpRequest&) {
        if (std::this_thread::get_id() == caller) onCaller = true;
    });
    f.http.respond(200, getItemAnswer(kclLease("shardId-000000000001", "TRIM_HORIZON", "7")))
        .respond(200, rewrittenAnswer("9"));
    LogCapture logs;
    StaleLeaseFixer fixer("app", options(), clock, borrow(f));
    fixer.onInitialize(init("TRIM_HORIZON"));
    fixer.onBatch(batch(3 * kHour, {kStart - 3 * kHour}));
    REQUIRE(fixer.waitFor(settled, kWaitMillis));
    fixer.stop();
    const auto s = fixer.snapshot();
    CHECK(s.state == State::kRewritten);
    REQUIRE(s.result);
    CHECK(s.result->outcome == EditOutcome::kRewritten);
    CHECK_FALSE(onCaller);
    const auto requests = f.http.requests();
    REQUIRE(requests.size() == 2);
    auto update = nlohmann::json::parse(requests[1].body);
    CHECK(update["ExpressionAttributeValues"][":next"]["N"] == "9");
    CHECK(logs.count("rewritten to LATEST") == 1);
}

TEST_CASE("DynamoDB failures are logged once and retried with capped exponential backoff",
          "[leases][fixer]") {
    au::ManualClock clock(kStart);
    DdbFixture f(clock);
    std::vector<int64_t> sentAt;
    std::mutex mu;
    f.http.onSend([&](const au::aws::HttpRequest&) {
        std::lock_guard<std::mutex> lock(mu);
        sentAt.push_back(clock.nowMillis() - kStart);
    });
    for (int i = 0; i < 6; ++i) {
        f.http.respond(400, errorAnswer("com.amazon.coral.service#AccessDeniedException",
                                        "User is not authorized to perform: dynamodb:GetItem"));
    }
    f.http.respond(200, getItemAnswer(kclLease("shardId-000000000001", "TRIM_HORIZON", "7")))
        .respond(200, rewrittenAnswer("9"));
    LogCapture logs;
    StaleLeaseFixer fixer("app", options(), clock, borrow(f));
    fixer.onInitialize(init("TRIM_HORIZON"));
    fixer.onBatch(batch(3 * kHour));
    REQUIRE(fixer.waitFor(settled, kWaitMillis));
    fixer.stop();
    CHECK(fixer.snapshot().state == State::kRewritten);
    CHECK(fixer.snapshot().failures == 6);
    // 1 s, 2 s, 4 s, then capped at 4 s.
    CHECK(sentAt == std::vector<int64_t>{0, 1'000, 3'000, 7'000, 11'000, 15'000, 19'000, 19'000});
    CHECK(logs.count("cannot rewrite lease shardId-000000000001") == 1);
    CHECK(logs.count("AccessDeniedException") == 1);
    CHECK(logs.count("after 6 failed attempts") == 1);
}

TEST_CASE("Missing credentials and an unreachable DynamoDB are one log line each run",
          "[leases][fixer]") {
    au::ManualClock clock(kStart);
    DdbFixture f(clock);
    int built = 0;
    DynamoDbAccessFactory factory = [&]() -> au::Result<std::unique_ptr<DynamoDbAccess>> {
        if (++built <= 2) return au::Status::error("NoCredentials", "no credentials in the chain");
        return std::unique_ptr<DynamoDbAccess>(std::make_unique<BorrowedAccess>(f.ddb));
    };
    // Then DynamoDB times out for a whole call (5 attempts), then answers.
    for (int i = 0; i < 5; ++i) f.http.fail("Timeout", "connect timed out");
    f.http.respond(200, getItemAnswer(kclLease("shardId-000000000001", "TRIM_HORIZON", "7")))
        .respond(200, rewrittenAnswer("9"));
    LogCapture logs;
    StaleLeaseFixer fixer("app", options(), clock, factory);
    fixer.onInitialize(init("AT_TIMESTAMP"));
    fixer.onBatch(batch(3 * kHour));
    REQUIRE(fixer.waitFor(settled, kWaitMillis));
    fixer.stop();
    CHECK(fixer.snapshot().state == State::kRewritten);
    CHECK(fixer.snapshot().failures == 3);
    CHECK(logs.count("warning: cannot rewrite lease") == 1);
    CHECK(logs.count("NoCredentials") == 1);
}

TEST_CASE("Catching up before the fix is written cancels it", "[leases][fixer]") {
    au::ManualClock clock(kStart);
    DdbFixture f(clock);
    StaleLeaseFixer* self = nullptr;
    std::atomic<int> sends{0};
    f.http.onSend([&](const au::aws::HttpRequest&) {
        // The protocol thread is idle meanwhile: a fresh batch arrives during the 2nd attempt.
        if (++sends == 2) self->onBatch(batch(2'000));
    });
    f.http.respond(503, "").respond(503, "").respond(503, "").respond(503, "").respond(503, "");
    f.http.respond(200, getItemAnswer(kclLease("shardId-000000000001", "TRIM_HORIZON", "7")));
    StaleLeaseFixer fixer("app", options(), clock, borrow(f));
    self = &fixer;
    fixer.onInitialize(init("TRIM_HORIZON"));
    fixer.onBatch(batch(3 * kHour));
    REQUIRE(fixer.waitFor(settled, kWaitMillis));
    fixer.stop();
    CHECK(fixer.snapshot().state == State::kNotFixed);
    for (const auto& r : f.http.requests()) CHECK(operationOf(r) != "UpdateItem");
}

TEST_CASE("The fixer gives up when the lease changes hands between reads", "[leases][fixer]") {
    au::ManualClock clock(kStart);
    DdbFixture f(clock);
    auto mine = kclLease("shardId-000000000001", "TRIM_HORIZON", "7", "worker-1");
    auto theirs = kclLease("shardId-000000000001", "TRIM_HORIZON", "9", "worker-2");
    f.http.respond(200, getItemAnswer(mine))
        .respond(400, conditionFailedAnswer(theirs))
        .respond(200, getItemAnswer(theirs));
    StaleLeaseFixer fixer("app", options(), clock, borrow(f));
    fixer.onInitialize(init("TRIM_HORIZON"));
    fixer.onBatch(batch(3 * kHour));
    REQUIRE(fixer.waitFor(settled, kWaitMillis));
    fixer.stop();
    const auto s = fixer.snapshot();
    CHECK(s.state == State::kNotFixed);
    CHECK(s.reason.find("changed hands") != std::string::npos);
    CHECK(f.http.remaining() == 0);
}

TEST_CASE("Lease end stops a backing-off worker promptly (real clock)", "[leases][fixer]") {
    au::ManualClock fakeTime(kStart);
    DdbFixture f(fakeTime);  // the DynamoDB side on fake time: instant failures
    au::SystemClock realClock;
    FixerOptions o = options();
    o.retryBaseMillis = 60'000;  // would wait a minute
    f.http.respond(400, errorAnswer("com.amazon.coral.service#AccessDeniedException"));
    StaleLeaseFixer fixer("app", o, realClock, borrow(f));
    fixer.onInitialize(init("TRIM_HORIZON"));
    fixer.onBatch(batch(3 * kHour));
    REQUIRE(fixer.waitFor([](const auto& s) { return s.failures >= 1; }, kWaitMillis));
    const auto t0 = std::chrono::steady_clock::now();
    fixer.onLeaseEnd();  // returns at once
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(50));
    fixer.stop();
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(1'000));
    CHECK(fixer.snapshot().state == State::kStopped);
}

TEST_CASE("Records older than maxReplay are skipped; younger ones never are", "[leases][fixer]") {
    au::ManualClock clock(kStart);
    DdbFixture f(clock);
    f.http.respond(400, errorAnswer("com.amazon.coral.service#AccessDeniedException"));
    FixerOptions o = options();
    o.retryBaseMillis = 1'000'000'000;  // one failure, then a long wait until stop()
    o.retryCapMillis = o.retryBaseMillis;
    StaleLeaseFixer fixer("app", o, clock, borrow(f));
    fixer.onInitialize(init("TRIM_HORIZON"));
    auto b = batch(3 * kHour, {kStart - 3 * kHour, kStart - 120'001, kStart - 120'000, kStart});
    b.records.push_back(au::protocol::Record{});  // no arrival time
    fixer.onBatch(b);
    CHECK(fixer.skipRecord(b.records[0]));
    CHECK(fixer.skipRecord(b.records[1]));
    CHECK_FALSE(fixer.skipRecord(b.records[2]));
    CHECK_FALSE(fixer.skipRecord(b.records[3]));
    CHECK(fixer.skipRecord(b.records[4]));  // unknown age while the shard is known stale
    fixer.onBatch(batch(1'000));            // caught up
    CHECK_FALSE(fixer.skipRecord(au::protocol::Record{}));
    fixer.stop();
}

TEST_CASE("The processor does not apply the records its observer skips", "[leases][fixer]") {
    au::ManualClock clock(kStart);
    DdbFixture f(clock);
    f.http.respond(200, getItemAnswer(kclLease("shardId-000000000001", "TRIM_HORIZON", "7")))
        .respond(200, rewrittenAnswer("9"));
    StaleLeaseFixer fixer("app", options(), clock, borrow(f));
    au::processor::ProcessorSettings settings;
    settings.ttlMillis = 10 * kHour;  // so that only the fixer's rule can reject
    au::processor::ActiveUsersProcessor processor(settings, clock, &fixer);

    struct NoCheckpoints : au::protocol::Checkpointer {
        au::protocol::CheckpointResult checkpoint(const std::optional<std::string>&,
                                                  const std::optional<int64_t>&) override {
            return {};
        }
    } cp;
    const std::string oldData = au::base64Encode(R"({"userId":"old"})");
    const std::string newData = au::base64Encode(R"({"userId":"new"})");
    au::protocol::ProcessRecords b;
    b.millisBehindLatest = 3 * kHour;
    b.records.push_back({oldData, "pk", "1", 0, kStart - 3 * kHour, true});
    b.records.push_back({newData, "pk", "2", 0, kStart - 1'000, true});
    processor.initialize(init("TRIM_HORIZON"));
    processor.processRecords(b, cp);
    CHECK(processor.stats().stale == 1);
    CHECK(processor.stats().applied == 1);
    CHECK(processor.table().size() == 1);
    REQUIRE(fixer.waitFor(settled, kWaitMillis));
    processor.leaseLost();
    fixer.stop();
    CHECK(fixer.snapshot().state == State::kRewritten);
}
