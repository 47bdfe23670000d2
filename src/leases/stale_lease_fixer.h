#pragma once
// StaleLeaseFixer: the in-process lease fixer, a processor::LeaseObserver (docs/leases.md).
//
// The first processRecords after initialize that says how far behind the shard is
// (millisBehindLatest, else the first record's arrival) decides, with decideStaleness():
//  - fresh (or started at LATEST / SHARD_END): nothing happens, ever, for this lease;
//  - stale: a worker thread rewrites this shard's lease to LATEST with LeaseEditor (§5 rule), so
//    the KCL drops the lease and a new child starts at LATEST;
//  - unknown (empty batch, no millisBehindLatest): the next batch decides.
// Whatever the verdict, records that arrived more than maxReplay before now are skipped
// (skipRecord), and so are records without an arrival time while the shard is known to be stale.
//
// The DynamoDB work runs on the worker thread only; the protocol thread never waits for it
// except in stop()/the destructor, which join a worker whose HTTP calls are bounded by short
// timeouts (AwsServices' shortRetryPolicy: ~1.5 s per call). Failures of DynamoDB (down,
// throttled, no credentials, access denied, bad answers) are logged ONCE as a warning; the fix is
// retried with capped exponential backoff (timed by the injected Clock, in slices so stop() is
// noticed quickly) until it is written, the shard catches up (latest backlog <= maxReplay), the
// lease changes hands, or the lease ends. A failed condition is handled by the LeaseEditor
// (re-read, decide again, a few times); then the fixer gives up with one log line.
//
// Threads: onInitialize/onBatch/onLeaseEnd/skipRecord on the protocol thread; snapshot() and
// waitFor() from any thread.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "leases/aws_services.h"
#include "leases/lease_editor.h"
#include "leases/staleness.h"
#include "processor/active_users_processor.h"
#include "util/clock.h"

namespace au::leases {

struct FixerOptions {
    int64_t maxReplayMillis = 120'000;
    EditOptions edit;
    int64_t retryBaseMillis = 1'000;  // first backoff after a failure
    int64_t retryCapMillis = 60'000;  // backoff cap
    int64_t waitSliceMillis = 100;    // stop() is noticed within this while backing off
};

// Builds the worker thread's DynamoDB clients; called on the worker thread. A failure is treated
// like a DynamoDB failure (logged once, retried with backoff).
using DynamoDbAccessFactory = std::function<Result<std::unique_ptr<DynamoDbAccess>>()>;

class StaleLeaseFixer final : public processor::LeaseObserver {
  public:
    enum class State {
        kIdle,       // before initialize
        kWatching,   // waiting for a batch that tells the backlog
        kFresh,      // decided: nothing to do
        kFixing,     // worker running (first attempt or backing off)
        kRewritten,  // the lease was rewritten to LATEST; the daemon will drop it
        kNotFixed,   // decided not to / could not write (reason in snapshot)
        kStopped,    // lease ended or stop() before the fix finished
    };
    struct Snapshot {
        State state = State::kIdle;
        int failures = 0;  // DynamoDB errors so far
        std::string reason;
        std::optional<EditResult> result;
    };

    // REQUIRES: clock outlives this object; factory is safe to call from the worker thread.
    StaleLeaseFixer(std::string table, FixerOptions options, Clock& clock,
                    DynamoDbAccessFactory factory);
    ~StaleLeaseFixer() override;
    StaleLeaseFixer(const StaleLeaseFixer&) = delete;
    StaleLeaseFixer& operator=(const StaleLeaseFixer&) = delete;

    void onInitialize(const protocol::Initialize& message) override;
    void onBatch(const protocol::ProcessRecords& batch) override;
    void onLeaseEnd() override;
    bool skipRecord(const protocol::Record& record) const override;

    // Asks the worker to stop and joins it (bounded by the HTTP timeouts).
    void stop();

    Snapshot snapshot() const;
    // Waits (real time, at most `timeoutMillis`) until `done(snapshot())`; for tests and tools.
    bool waitFor(const std::function<bool(const Snapshot&)>& done, int64_t timeoutMillis) const;

    static const char* stateName(State state);

  private:
    void startWorker();
    void requestStop();
    void runWorker();
    // The backoff wait; false when stopped meanwhile.
    bool backoff(int64_t millis);
    bool stopping() const { return stop_.load(); }
    void setState(State state, std::string reason, std::optional<EditResult> result = {});
    // Latest backlog seen by the protocol thread still above maxReplay.
    bool stillStale() const;

    const std::string table_;
    const FixerOptions options_;
    Clock& clock_;
    DynamoDbAccessFactory factory_;

    // Protocol thread only.
    std::string shardId_;
    std::optional<std::string> startingCheckpoint_;
    int64_t cutoffMillis_ = INT64_MIN;
    bool knownStale_ = false;

    // Shared.
    std::atomic<bool> stop_{false};
    std::atomic<int64_t> latestBacklogMillis_{0};
    mutable std::mutex mu_;
    mutable std::condition_variable changed_;
    Snapshot snapshot_;
    std::thread worker_;
};

}  // namespace au::leases
