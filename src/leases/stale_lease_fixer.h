#pragma once
// StaleLeaseFixer: the in-process lease fixer, a processor::LeaseObserver (docs/leases.md).
//
// The first processRecords after initialize that says what lies ahead (a record's arrival, else
// millisBehindLatest) decides, with decideStaleness() and weighCut():
//  - fresh (or started at LATEST / SHARD_END): nothing happens, ever, for this lease;
//  - stale, but reading through the stale part is cheaper than a lease re-acquisition (or the
//    batch reaches the tip): the stale records are skipped one by one, the lease is left alone;
//  - stale and worth a cut: a worker thread first reads the page the KCL reads next (after the
//    deciding batch's last record, maxRecords records) and declines when that page ends the stale
//    part (one poll reads it); otherwise it finds the exact cut through Kinesis (cut_finder.h:
//    the last record that arrived before now - maxReplay) and rewrites the lease's checkpoint to
//    it with LeaseEditor (§5 rule, counter + 2 for an owned lease), so the KCL drops the lease and
//    a new child resumes right after the cut: nothing older than maxReplay at the decision is
//    replayed, nothing younger is skipped. A shard without any record is rewritten to LATEST;
//  - unknown (empty batch, no millisBehindLatest): the next batch decides.
// Whatever the verdict, records that arrived more than maxReplay before now are skipped
// (skipRecord), and so are records without an arrival time while the shard is known to be stale.
//
// The worker declines to write (one log line, state kNotFixed) when the consumer has read past
// the cut or caught up meanwhile; when the properties give a workerId and another worker holds the
// lease (without a workerId: when the owner changed since the first read); and, as the cut-loop
// guard, when the lease still sits at a cut of ours made less than cutLoopGuardMillis ago (a
// re-acquisition slower than maxReplay would otherwise cut the same lease again and again).
//
// The AWS work runs on the worker thread only; the protocol thread never waits for it except in
// stop()/the destructor, which cancel the worker's HTTP call in flight (within ~1 s) and join it.
// Kinesis throttling (the fixer shares the shard's 5 reads/s with the KCL) is waited out by the
// ShardReader with stop-aware backoff. Failures (DynamoDB or Kinesis down, throttled past the
// retries, no credentials, access denied, bad answers) are logged ONCE as a warning; the fix is
// retried with capped exponential backoff (timed by the injected Clock, in slices so stop() is
// noticed quickly) until it is written or declined, or the lease ends. A failed condition is
// handled by the LeaseEditor (re-read, decide again, a few times); then the fixer gives up with one
// log line.
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

#include "leases/cut_finder.h"
#include "leases/lease_editor.h"
#include "leases/shard_reader.h"
#include "leases/staleness.h"
#include "processor/active_users_processor.h"
#include "util/clock.h"

namespace au::leases {

// What the fixer's worker needs from AWS: the lease table and reads of the shard.
class FixerAccess {
  public:
    virtual ~FixerAccess() = default;
    virtual aws::DynamoDbClient& dynamodb() = 0;
    virtual std::unique_ptr<ShardReader> shardReader(const std::string& stream,
                                                     const std::string& shardId,
                                                     WaitFunction wait) = 0;
};

struct FixerOptions {
    std::string stream;  // the Kinesis stream's name
    int64_t maxReplayMillis = 120'000;
    std::optional<std::string> workerId;  // the daemon's workerId, when the properties set one
    CutCosts costs;
    int64_t cutLoopGuardMillis = 600'000;
    // The KCL's page size (maxRecords). Before its first cut search the worker reads this many
    // records after the deciding batch: when they reach the tip or a fresh record, the KCL's next
    // poll reads the rest of the stale part, and no cut is written (cheaper than a re-acquisition;
    // the estimate from the first batch's density cannot see a backlog that ends early). 0: no
    // such read.
    int confirmPageRecords = 10'000;
    CutFinderOptions cutFinder;
    EditOptions edit;
    int64_t retryBaseMillis = 1'000;  // first backoff after a failure
    int64_t retryCapMillis = 60'000;  // backoff cap
    int64_t waitSliceMillis = 100;    // stop() is noticed within this while backing off
};

// Builds the worker thread's AWS clients; called on the worker thread with a function that turns
// true once the fixer stops (the clients should abort a running call then). A failure is treated
// like an AWS failure (logged once, retried with backoff).
using FixerAccessFactory =
    std::function<Result<std::unique_ptr<FixerAccess>>(std::function<bool()> stopping)>;

class StaleLeaseFixer final : public processor::LeaseObserver {
  public:
    enum class State {
        kIdle,       // before initialize
        kWatching,   // waiting for a batch that tells what lies ahead
        kFresh,      // decided: no lease change (fresh, or stale but not worth a cut)
        kFixing,     // worker running (first attempt or backing off)
        kRewritten,  // the lease was cut; the daemon will drop it
        kNotFixed,   // decided not to / could not write (reason in snapshot)
        kStopped,    // lease ended or stop() before the fix finished
    };
    struct Snapshot {
        State state = State::kIdle;
        int failures = 0;  // AWS errors so far
        std::string reason;
        std::optional<CutSearch> search;  // the last cut search
        std::optional<EditResult> result;
        // Records skipped as older than maxReplay (skipRecord) since initialize: what the daemon
        // read of the stale part before the cut took effect.
        uint64_t skippedRecords = 0;
        // From the decision to the cut written (or declined), and what the last attempt cost.
        std::optional<int64_t> decisionToCutMillis;
        int kinesisCalls = 0;      // the last attempt's Kinesis calls, throttled ones included
        int kinesisThrottled = 0;  // of which answered with a throughput error
    };

    // REQUIRES: clock outlives this object; factory is safe to call from the worker thread.
    StaleLeaseFixer(std::string table, FixerOptions options, Clock& clock,
                    FixerAccessFactory factory);
    ~StaleLeaseFixer() override;
    StaleLeaseFixer(const StaleLeaseFixer&) = delete;
    StaleLeaseFixer& operator=(const StaleLeaseFixer&) = delete;

    void onInitialize(const protocol::Initialize& message) override;
    void onBatch(const protocol::ProcessRecords& batch) override;
    void onLeaseEnd() override;
    bool skipRecord(const protocol::Record& record) const override;

    // Asks the worker to stop and joins it (its HTTP call in flight is cancelled, ~1 s).
    void stop();

    Snapshot snapshot() const;
    // Waits (real time, at most `timeoutMillis`) until `done(snapshot())`; for tests and tools.
    bool waitFor(const std::function<bool(const Snapshot&)>& done, int64_t timeoutMillis) const;

    static const char* stateName(State state);

  private:
    // One attempt: the cut search, then the conditional rewrite. Errors are AWS failures.
    Result<EditResult> attempt(FixerAccess& access, LeaseEditor& editor,
                               std::optional<std::string>& firstOwner);
    std::optional<std::string> declineReason(const LeaseRow& row, const std::string& cut,
                                             std::optional<std::string>& firstOwner) const;
    void startWorker();
    // Worker thread: the declined result when the KCL's next page ends the stale part.
    Result<std::optional<EditResult>> nextPageEndsStalePart(ShardReader& reader);
    void requestStop();
    void runWorker();
    // The backoff wait; false when stopped meanwhile.
    bool backoff(int64_t millis);
    bool stopping() const { return stop_.load(); }
    void setState(State state, std::string reason, std::optional<EditResult> result = {});
    // The consumer reached `sequenceNumber` or the tip since the decision.
    bool consumerPassed(const std::string& sequenceNumber) const;

    const std::string table_;
    const FixerOptions options_;
    Clock& clock_;
    FixerAccessFactory factory_;

    // Protocol thread only (the worker reads shardId_, startingCheckpoint_ and knownStale_,
    // written before it starts).
    std::string shardId_;
    std::optional<std::string> startingCheckpoint_;
    std::optional<CutPoint> knownStale_;  // the first stale record of the deciding batch
    std::string decidingBatchEnd_;        // the last record of the deciding batch
    int64_t cutoffMillis_ = INT64_MIN;    // now - maxReplay at the latest batch
    // The cutoff when the fixer decided to cut: every attempt cuts there, so that nothing younger
    // than maxReplay at the decision is skipped (a late attempt replays a little more instead).
    int64_t decisionCutoffMillis_ = INT64_MIN;
    bool shardKnownStale_ = false;

    // Shared.
    std::atomic<bool> stop_{false};
    std::atomic<bool> caughtUp_{false};  // a batch reached the tip since the decision
    mutable std::mutex mu_;
    mutable std::condition_variable changed_;
    Snapshot snapshot_;
    std::string lastDelivered_;  // sequence number of the last record delivered (under mu_)
    std::thread worker_;
    bool pageConfirmed_ = false;   // worker thread only: the page after the deciding batch is stale
    int64_t decidedAtMillis_ = 0;  // when the worker was started (the decision to cut)
    std::string attemptCost_;      // worker thread only: the last attempt's timings, for the log
    mutable std::atomic<uint64_t> skipped_{0};
};

}  // namespace au::leases
