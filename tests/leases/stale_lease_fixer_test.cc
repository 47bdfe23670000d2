#include "leases/stale_lease_fixer.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "fake_shard.h"
#include "lease_fixtures.h"
#include "processor/active_users_processor.h"
#include "util/base64.h"

using namespace au::leases;
using namespace au::leases::testing;
using State = StaleLeaseFixer::State;

namespace {

constexpr int64_t kStart = 1'700'000'000'000;
constexpr int64_t kHour = 3'600'000;
constexpr int64_t kMaxReplay = 120'000;
constexpr int64_t kWaitMillis = 10'000;  // real-time safety net for waiting on the worker
const char* const kShard = "shardId-000000000001";

// Lends a fixture's DynamoDbClient and a FakeShard to the fixer's worker.
struct TestAccess final : FixerAccess {
    TestAccess(au::aws::DynamoDbClient& d, FakeShard& s) : ddb(d), shard(s) {}
    au::aws::DynamoDbClient& dynamodb() override { return ddb; }
    std::unique_ptr<ShardReader> shardReader(const std::string& stream, const std::string& id,
                                             WaitFunction) override {
        CHECK(stream == "heartbeats");
        CHECK(id == kShard);
        return shard.view();
    }
    au::aws::DynamoDbClient& ddb;
    FakeShard& shard;
};

FixerAccessFactory lend(DdbFixture& f, FakeShard& shard) {
    return [&f, &shard](std::function<bool()>) -> au::Result<std::unique_ptr<FixerAccess>> {
        return std::unique_ptr<FixerAccess>(std::make_unique<TestAccess>(f.ddb, shard));
    };
}

au::protocol::Initialize init(const std::string& checkpoint) {
    return au::protocol::Initialize{kShard, checkpoint, 0};
}

// Keeps the sequence-number strings alive for the records' string_views.
struct Batch {
    std::vector<std::string> sequenceNumbers;
    au::protocol::ProcessRecords message;
};

// The batch a consumer reading `shard` from record `from` gets: up to `count` records, and
// millisBehindLatest as Kinesis reports it at `now`.
Batch batchFrom(const FakeShard& shard, size_t from, size_t count, int64_t now) {
    Batch b;
    const auto& all = shard.records();
    const size_t to = std::min(all.size(), from + count);
    b.sequenceNumbers.reserve(to - from);
    for (size_t i = from; i < to; ++i) b.sequenceNumbers.push_back(all[i].sequenceNumber);
    for (size_t i = from; i < to; ++i) {
        au::protocol::Record r;
        r.sequenceNumber = b.sequenceNumbers[i - from];
        r.approximateArrivalMillis = all[i].arrivalMillis;
        b.message.records.push_back(r);
    }
    b.message.millisBehindLatest = to < all.size() ? now - all[to - 1].arrivalMillis : 0;
    return b;
}

au::protocol::ProcessRecords emptyBatch(std::optional<int64_t> behind) {
    au::protocol::ProcessRecords b;
    b.millisBehindLatest = behind;
    return b;
}

bool settled(const StaleLeaseFixer::Snapshot& s) {
    return s.state == State::kRewritten || s.state == State::kNotFixed ||
           s.state == State::kStopped;
}

FixerOptions options() {
    FixerOptions o;
    o.stream = "heartbeats";
    o.maxReplayMillis = kMaxReplay;
    o.costs = CutCosts{1'500, 6'000};
    o.retryBaseMillis = 1'000;
    o.retryCapMillis = 4'000;
    return o;
}

// A day-old backlog of 100,000 records, then one record a second up to now: a cut pays.
void dayOldBacklog(FakeShard& shard) {
    shard.addEvery(kStart - 24 * kHour, kStart - 24 * kHour + 100'000 * 100, 100);
    shard.addEvery(kStart - 60'000 - kMaxReplay, kStart, 1'000);
}

std::string rewrittenAnswer(const std::string& checkpoint, const std::string& counter) {
    return updateAnswer(kclLease(kShard, checkpoint, counter));
}

// The lease as the table holds it after an earlier cut of ours to `checkpoint` at `cutAt`.
nlohmann::json cutLease(const std::string& checkpoint, int64_t cutAt, const std::string& counter,
                        const char* owner = "worker-1") {
    auto item = kclLease(kShard, checkpoint, counter, owner);
    item["activeUsersCutCheckpoint"] = {{"S", checkpoint}};
    item["activeUsersCutAtMillis"] = {{"N", std::to_string(cutAt)}};
    return item;
}

}  // namespace

TEST_CASE("A consumer that keeps up is left alone: no AWS call at all", "[leases][fixer]") {
    au::ManualClock clock(kStart);
    DdbFixture f(clock);
    FakeShard shard(kStart);
    shard.addEvery(kStart - 3'000, kStart, 100);
    StaleLeaseFixer fixer("app", options(), clock, lend(f, shard));
    fixer.onInitialize(init("TRIM_HORIZON"));
    fixer.onBatch(batchFrom(shard, 0, 10'000, kStart).message);
    CHECK(fixer.snapshot().state == State::kFresh);
    fixer.onBatch(emptyBatch(10 * kHour));  // later batches never decide again
    CHECK(fixer.snapshot().state == State::kFresh);
    fixer.stop();
    CHECK(f.http.callCount() == 0);
    CHECK(shard.reads() == 0);
}

TEST_CASE("A lease started at LATEST is never touched", "[leases][fixer]") {
    au::ManualClock clock(kStart);
    DdbFixture f(clock);
    FakeShard shard(kStart);
    StaleLeaseFixer fixer("app", options(), clock, lend(f, shard));
    fixer.onInitialize(init("LATEST"));
    fixer.onBatch(emptyBatch(10 * kHour));
    CHECK(fixer.snapshot().state == State::kFresh);
    CHECK(f.http.callCount() == 0);
}

TEST_CASE("A stale lease is cut at the last record older than maxReplay, on the worker thread",
          "[leases][fixer]") {
    au::ManualClock clock(kStart);
    DdbFixture f(clock);
    FakeShard shard(kStart);
    dayOldBacklog(shard);
    const auto caller = std::this_thread::get_id();
    std::atomic<bool> onCaller{false};
    f.http.onSend([&](const au::aws::HttpRequest&) {
        if (std::this_thread::get_id() == caller) onCaller = true;
    });
    // The exact cut: the record that arrived 1 ms... 1 s before now - maxReplay.
    const auto& all = shard.records();
    const std::string cut = all[all.size() - 121].sequenceNumber;
    REQUIRE(all[all.size() - 121].arrivalMillis == kStart - kMaxReplay - 1'000);
    f.http.respond(200, getItemAnswer(kclLease(kShard, "TRIM_HORIZON", "7")))
        .respond(200, rewrittenAnswer(cut, "9"));
    LogCapture logs;
    StaleLeaseFixer fixer("app", options(), clock, lend(f, shard));
    fixer.onInitialize(init("TRIM_HORIZON"));
    const auto first = batchFrom(shard, 0, 10'000, kStart);
    fixer.onBatch(first.message);
    CHECK(fixer.snapshot().state != State::kFresh);
    REQUIRE(fixer.waitFor(settled, kWaitMillis));
    fixer.stop();
    const auto s = fixer.snapshot();
    CHECK(s.state == State::kRewritten);
    REQUIRE(s.search);
    CHECK(s.search->outcome == CutOutcome::kCut);
    CHECK(s.search->cut->sequenceNumber == cut);
    CHECK(s.search->firstFresh->arrivalMillis == kStart - kMaxReplay);
    CHECK(s.search->reads <= 3);  // the first probe, near the cutoff, finds it
    CHECK_FALSE(onCaller);
    const auto requests = f.http.requests();
    REQUIRE(requests.size() == 2);
    auto update = nlohmann::json::parse(requests[1].body);
    CHECK(update["ExpressionAttributeValues"][":target"]["S"] == cut);
    CHECK(update["ExpressionAttributeValues"][":next"]["N"] == "9");
    CHECK(update["ExpressionAttributeValues"][":cutAt"]["N"] == std::to_string(kStart));
    CHECK(update["UpdateExpression"].get<std::string>().find("#cutCp = :target") !=
          std::string::npos);
    CHECK(logs.count("lease shardId-000000000001 cut: " + cut) == 1);
    CHECK(logs.count("skips 23h57m of stale data") == 1);
    // What it cost and what the daemon read meanwhile are in the line and the snapshot.
    CHECK(logs.count("decision to cut written in 0 ms (Kinesis: ") == 1);
    CHECK(logs.count("; 0 stale records skipped so far") == 1);
    REQUIRE(s.decisionToCutMillis);
    CHECK(*s.decisionToCutMillis == 0);
}

TEST_CASE("A stale part cheaper to read than a re-acquisition is not cut", "[leases][fixer]") {
    au::ManualClock clock(kStart);
    DdbFixture f(clock);
    FakeShard shard(kStart);
    // 20,000 records over the 10 minutes before the cutoff: two polls of 10,000 (3 s < 6 s).
    shard.addEvery(kStart - kMaxReplay - 600'000, kStart - kMaxReplay, 30);
    shard.addEvery(kStart - kMaxReplay, kStart, 1'000);
    LogCapture logs;
    StaleLeaseFixer fixer("app", options(), clock, lend(f, shard));
    fixer.onInitialize(init("TRIM_HORIZON"));
    const auto b = batchFrom(shard, 0, 10'000, kStart);
    fixer.onBatch(b.message);
    CHECK(fixer.snapshot().state == State::kFresh);
    CHECK(fixer.snapshot().reason.find("not worth a cut") != std::string::npos);
    CHECK(fixer.skipRecord(b.message.records.front()));  // still never applied
    fixer.stop();
    CHECK(f.http.callCount() == 0);
    CHECK(shard.reads() == 0);
    CHECK(logs.count("no cut") == 1);
}

TEST_CASE("A dense backlog that ends within the KCL's next page is not cut", "[leases][fixer]") {
    au::ManualClock clock(kStart);
    DdbFixture f(clock);
    FakeShard shard(kStart);
    // 15,000 records within 15 s, ten minutes ago, then one record a second: the first batch's
    // density makes 8 minutes of stale span look like 480,000 records, but the stale part ends
    // 5,060 records after the first batch.
    shard.addEvery(kStart - 600'000, kStart - 585'000, 1);
    shard.addEvery(kStart - kMaxReplay - 60'000, kStart, 1'000);
    LogCapture logs;
    StaleLeaseFixer fixer("app", options(), clock, lend(f, shard));
    fixer.onInitialize(init("TRIM_HORIZON"));
    const auto b = batchFrom(shard, 0, 10'000, kStart);
    fixer.onBatch(b.message);
    // The estimate says a cut pays: the worker started (it may have declined already).
    CHECK(fixer.snapshot().state != State::kFresh);
    REQUIRE(fixer.waitFor(settled, kWaitMillis));
    fixer.stop();
    const auto s = fixer.snapshot();
    CHECK(s.state == State::kNotFixed);
    CHECK(s.reason.find("ends within the KCL's next page (5060 stale records") != std::string::npos);
    CHECK(f.http.callCount() == 0);  // the lease table is not even read
    CHECK(shard.reads() == 1);       // one page after the first batch, no cut search
    CHECK(shard.starts().at(0).type == au::aws::ShardIteratorType::AfterSequenceNumber);
    CHECK(shard.starts().at(0).sequenceNumber == b.message.records.back().sequenceNumber);
    CHECK(logs.count("not cut") == 1);
    CHECK(fixer.skipRecord(b.message.records.front()));  // stale records are still never applied
}

TEST_CASE("An empty first batch without millisBehindLatest defers the decision",
          "[leases][fixer]") {
    au::ManualClock clock(kStart);
    DdbFixture f(clock);
    FakeShard shard(kStart);
    dayOldBacklog(shard);
    const auto& all = shard.records();
    f.http.respond(200, getItemAnswer(kclLease(kShard, "TRIM_HORIZON", "7")))
        .respond(200, rewrittenAnswer(all[all.size() - 121].sequenceNumber, "9"));
    StaleLeaseFixer fixer("app", options(), clock, lend(f, shard));
    fixer.onInitialize(init("TRIM_HORIZON"));
    fixer.onBatch(emptyBatch(std::nullopt));
    CHECK(fixer.snapshot().state == State::kWatching);
    fixer.onBatch(batchFrom(shard, 0, 10'000, kStart).message);
    REQUIRE(fixer.waitFor(settled, kWaitMillis));
    CHECK(fixer.snapshot().state == State::kRewritten);
}

TEST_CASE("AWS failures are logged once and retried with capped exponential backoff",
          "[leases][fixer]") {
    au::ManualClock clock(kStart);
    DdbFixture f(clock);
    FakeShard shard(kStart);
    dayOldBacklog(shard);
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
    f.http.respond(200, getItemAnswer(kclLease(kShard, "TRIM_HORIZON", "7")))
        .respond(200, rewrittenAnswer("1", "9"));
    LogCapture logs;
    StaleLeaseFixer fixer("app", options(), clock, lend(f, shard));
    fixer.onInitialize(init("TRIM_HORIZON"));
    fixer.onBatch(batchFrom(shard, 0, 10'000, kStart).message);
    REQUIRE(fixer.waitFor(settled, kWaitMillis));
    fixer.stop();
    CHECK(fixer.snapshot().state == State::kRewritten);
    CHECK(fixer.snapshot().failures == 6);
    // 1 s, 2 s, 4 s, then capped at 4 s.
    CHECK(sentAt == std::vector<int64_t>{0, 1'000, 3'000, 7'000, 11'000, 15'000, 19'000, 19'000});
    CHECK(logs.count("cannot cut lease shardId-000000000001") == 1);
    CHECK(logs.count("AccessDeniedException") == 1);
    CHECK(logs.count("after 6 failed attempts") == 1);
    // Every attempt cuts at the cutoff of the decision: nothing younger than maxReplay then is
    // skipped, however late the write.
    CHECK(fixer.snapshot().search->cutoffMillis == kStart - kMaxReplay);
}

TEST_CASE("Missing credentials and a failing Kinesis are one log line each run",
          "[leases][fixer]") {
    au::ManualClock clock(kStart);
    DdbFixture f(clock);
    FakeShard shard(kStart);
    dayOldBacklog(shard);
    int built = 0;
    FixerAccessFactory factory =
        [&](std::function<bool()>) -> au::Result<std::unique_ptr<FixerAccess>> {
        if (++built <= 2) return au::Status::error("NoCredentials", "no credentials in the chain");
        return std::unique_ptr<FixerAccess>(std::make_unique<TestAccess>(f.ddb, shard));
    };
    f.http.respond(200, getItemAnswer(kclLease(kShard, "TRIM_HORIZON", "7")))
        .respond(200, rewrittenAnswer("1", "9"));
    StaleLeaseFixer* self = nullptr;
    LogCapture logs;
    StaleLeaseFixer fixer("app", options(), clock, factory);
    self = &fixer;
    (void)self;
    fixer.onInitialize(init("AT_TIMESTAMP"));
    fixer.onBatch(batchFrom(shard, 0, 10'000, kStart).message);
    REQUIRE(fixer.waitFor(settled, kWaitMillis));
    fixer.stop();
    CHECK(fixer.snapshot().state == State::kRewritten);
    CHECK(fixer.snapshot().failures == 2);
    CHECK(logs.count("warning: cannot cut lease") == 1);
    CHECK(logs.count("NoCredentials") == 1);
}

TEST_CASE("A consumer that reads past the cut before the write cancels it", "[leases][fixer]") {
    au::ManualClock clock(kStart);
    DdbFixture f(clock);
    FakeShard shard(kStart);
    dayOldBacklog(shard);
    StaleLeaseFixer* self = nullptr;
    std::vector<Batch> later;
    later.push_back(batchFrom(shard, shard.records().size() - 100, 50, kStart));
    std::atomic<int> sends{0};
    f.http.onSend([&](const au::aws::HttpRequest&) {
        // The protocol thread is idle meanwhile: a batch past the cut arrives during the read.
        if (++sends == 1) self->onBatch(later[0].message);
    });
    f.http.respond(200, getItemAnswer(kclLease(kShard, "TRIM_HORIZON", "7")));
    StaleLeaseFixer fixer("app", options(), clock, lend(f, shard));
    self = &fixer;
    fixer.onInitialize(init("TRIM_HORIZON"));
    fixer.onBatch(batchFrom(shard, 0, 10'000, kStart).message);
    REQUIRE(fixer.waitFor(settled, kWaitMillis));
    fixer.stop();
    CHECK(fixer.snapshot().state == State::kNotFixed);
    CHECK(fixer.snapshot().reason.find("read past the cut") != std::string::npos);
    for (const auto& r : f.http.requests()) CHECK(operationOf(r) != "UpdateItem");
}

TEST_CASE("Without a workerId the fixer gives up when the lease changes hands between reads",
          "[leases][fixer]") {
    au::ManualClock clock(kStart);
    DdbFixture f(clock);
    FakeShard shard(kStart);
    dayOldBacklog(shard);
    auto mine = kclLease(kShard, "TRIM_HORIZON", "7", "worker-1");
    auto theirs = kclLease(kShard, "TRIM_HORIZON", "9", "worker-2");
    f.http.respond(200, getItemAnswer(mine))
        .respond(400, conditionFailedAnswer(theirs))
        .respond(200, getItemAnswer(theirs));
    StaleLeaseFixer fixer("app", options(), clock, lend(f, shard));
    fixer.onInitialize(init("TRIM_HORIZON"));
    fixer.onBatch(batchFrom(shard, 0, 10'000, kStart).message);
    REQUIRE(fixer.waitFor(settled, kWaitMillis));
    fixer.stop();
    const auto s = fixer.snapshot();
    CHECK(s.state == State::kNotFixed);
    CHECK(s.reason.find("changed hands") != std::string::npos);
    CHECK(f.http.remaining() == 0);
}

TEST_CASE("With a workerId the fixer cuts a held lease only when this worker holds it",
          "[leases][fixer]") {
    for (const char* owner : {"worker-2", "worker-1", static_cast<const char*>(nullptr)}) {
        au::ManualClock clock(kStart);
        DdbFixture f(clock);
        FakeShard shard(kStart);
        dayOldBacklog(shard);
        const bool other = owner != nullptr && std::string(owner) == "worker-2";
        f.http.respond(200, getItemAnswer(kclLease(kShard, "TRIM_HORIZON", "7", owner)));
        if (!other) f.http.respond(200, rewrittenAnswer("1", "9"));
        FixerOptions o = options();
        o.workerId = "worker-1";
        StaleLeaseFixer fixer("app", o, clock, lend(f, shard));
        fixer.onInitialize(init("TRIM_HORIZON"));
        fixer.onBatch(batchFrom(shard, 0, 10'000, kStart).message);
        REQUIRE(fixer.waitFor(settled, kWaitMillis));
        fixer.stop();
        INFO("owner " << (owner ? owner : "none"));
        const auto s = fixer.snapshot();
        if (other) {
            CHECK(s.state == State::kNotFixed);
            CHECK(s.reason == "held by worker-2, not by this worker (workerId worker-1)");
            CHECK(f.http.callCount() == 1);  // the read only
        } else {
            CHECK(s.state == State::kRewritten);
            CHECK(f.http.callCount() == 2);
        }
    }
}

TEST_CASE("The cut-loop guard: one cut per lease per guard interval while it sits at our cut",
          "[leases][fixer]") {
    // Re-acquisitions slower than maxReplay: each new processor starts at the previous cut and
    // finds (re-acquisition time) of stale data ahead. Model three successive processors.
    au::ManualClock clock(kStart);
    FakeShard shard(kStart);
    shard.addEvery(kStart - 600'000, kStart + 1'200'000, 10);  // 100 records/s: a batch is 100 s
    const int64_t reacquisition = 3 * kMaxReplay;
    std::string checkpoint = "TRIM_HORIZON";
    std::optional<int64_t> cutAt;
    std::vector<State> outcomes;
    for (int round = 0; round < 4; ++round) {
        const int64_t now = kStart + round * reacquisition;
        clock.set(now);
        shard.setNow(now);
        DdbFixture f(clock);
        const auto row =
            cutAt ? cutLease(checkpoint, *cutAt, "7") : kclLease(kShard, checkpoint, "7");
        f.http.respond(200, getItemAnswer(row));
        // What the processor reads from its checkpoint: the next records.
        size_t from = 0;
        if (checkpoint != "TRIM_HORIZON") {
            while (shard.records()[from].sequenceNumber != checkpoint) ++from;
            ++from;
        }
        const auto b = batchFrom(shard, from, 10'000, now);
        // Only records that arrived by `now` exist for the search: a shard view up to now.
        FakeShard upToNow(now);
        for (const auto& r : shard.records()) {
            if (r.arrivalMillis > now) break;
            upToNow.add(r.arrivalMillis);
        }
        std::string target;
        {
            const auto& all = upToNow.records();
            for (const auto& r : all) {
                if (r.arrivalMillis >= now - kMaxReplay) break;
                target = r.sequenceNumber;
            }
        }
        f.http.respond(200, updateAnswer(cutLease(target, now, "9")));
        FixerOptions o = options();
        o.costs.cutCostMillis = 1;  // so that only the guard can stop a cut
        StaleLeaseFixer fixer("app", o, clock, lend(f, upToNow));
        fixer.onInitialize(init(checkpoint));
        fixer.onBatch(b.message);
        REQUIRE(fixer.waitFor(settled, kWaitMillis));
        fixer.stop();
        const auto s = fixer.snapshot();
        outcomes.push_back(s.state);
        if (s.state == State::kRewritten) {
            checkpoint = target;
            cutAt = now;
        } else {
            CHECK(s.reason.find("cut-loop guard") != std::string::npos);
        }
    }
    // Cut; re-acquired 6 min later: guarded; 12 min after the cut (past the 10 min guard): cut;
    // 6 min after that one: guarded again.
    CHECK(outcomes == std::vector<State>{State::kRewritten, State::kNotFixed, State::kRewritten,
                                         State::kNotFixed});
}

TEST_CASE("Lease end stops a backing-off worker promptly (real clock)", "[leases][fixer]") {
    au::ManualClock fakeTime(kStart);
    DdbFixture f(fakeTime);  // the DynamoDB side on fake time: instant failures
    FakeShard shard(kStart);
    dayOldBacklog(shard);
    au::SystemClock realClock;
    FixerOptions o = options();
    o.retryBaseMillis = 60'000;                                         // would wait a minute
    o.maxReplayMillis = realClock.nowMillis() - (kStart - kMaxReplay);  // same cutoff on real time
    f.http.respond(400, errorAnswer("com.amazon.coral.service#AccessDeniedException"));
    StaleLeaseFixer fixer("app", o, realClock, lend(f, shard));
    fixer.onInitialize(init("TRIM_HORIZON"));
    fixer.onBatch(batchFrom(shard, 0, 10'000, kStart).message);
    REQUIRE(fixer.waitFor([](const auto& s) { return s.failures >= 1; }, kWaitMillis));
    const auto t0 = std::chrono::steady_clock::now();
    fixer.onLeaseEnd();  // returns at once
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(50));
    fixer.stop();
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(1'000));
    CHECK(fixer.snapshot().state == State::kStopped);
}

TEST_CASE("Records older than maxReplay are skipped, younger ones never are", "[leases][fixer]") {
    au::ManualClock clock(kStart);
    DdbFixture f(clock);
    FakeShard shard(kStart);
    f.http.respond(400, errorAnswer("com.amazon.coral.service#AccessDeniedException"));
    FixerOptions o = options();
    o.retryBaseMillis = 1'000'000'000;  // one failure, then a long wait until stop()
    o.retryCapMillis = o.retryBaseMillis;
    StaleLeaseFixer fixer("app", o, clock, lend(f, shard));
    fixer.onInitialize(init("TRIM_HORIZON"));
    au::protocol::ProcessRecords b = emptyBatch(3 * kHour);
    for (int64_t a : {kStart - 3 * kHour, kStart - kMaxReplay - 1, kStart - kMaxReplay, kStart}) {
        au::protocol::Record r;
        r.sequenceNumber = "1";
        r.approximateArrivalMillis = a;
        b.records.push_back(r);
    }
    b.records.push_back(au::protocol::Record{});  // no arrival time
    fixer.onBatch(b);
    CHECK(fixer.skipRecord(b.records[0]));
    CHECK(fixer.skipRecord(b.records[1]));
    CHECK_FALSE(fixer.skipRecord(b.records[2]));
    CHECK_FALSE(fixer.skipRecord(b.records[3]));
    CHECK(fixer.skipRecord(b.records[4]));  // unknown age while the shard is known stale
    CHECK(fixer.snapshot().skippedRecords == 3);  // counted per lease, for the log and the note
    fixer.onBatch(emptyBatch(1'000));       // caught up
    CHECK_FALSE(fixer.skipRecord(au::protocol::Record{}));
    fixer.stop();
}

TEST_CASE("The processor does not apply the records its observer skips", "[leases][fixer]") {
    au::ManualClock clock(kStart);
    DdbFixture f(clock);
    FakeShard shard(kStart);
    dayOldBacklog(shard);
    StaleLeaseFixer fixer("app", options(), clock, lend(f, shard));
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
    const auto& all = shard.records();
    b.records.push_back({oldData, "pk", all[0].sequenceNumber, 0, all[0].arrivalMillis, true});
    b.records.push_back({newData, "pk", all[1].sequenceNumber, 0, kStart - 1'000, true});
    processor.initialize(init("TRIM_HORIZON"));
    processor.processRecords(b, cp);
    CHECK(processor.stats().stale == 1);
    CHECK(processor.stats().applied == 1);
    CHECK(processor.table().size() == 1);
    processor.leaseLost();
    fixer.stop();
    // A batch that reaches fresh records ends its stale part itself: no cut, no AWS call.
    CHECK(fixer.snapshot().state == State::kFresh);
    CHECK(f.http.callCount() == 0);
}
