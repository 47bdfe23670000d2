#include "leases/stale_lease_fixer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

namespace au::leases {

const char* StaleLeaseFixer::stateName(State state) {
    switch (state) {
        case State::kIdle:
            return "idle";
        case State::kWatching:
            return "watching";
        case State::kFresh:
            return "fresh";
        case State::kFixing:
            return "fixing";
        case State::kRewritten:
            return "rewritten";
        case State::kNotFixed:
            return "not-fixed";
        case State::kStopped:
            return "stopped";
    }
    return "unknown";
}

StaleLeaseFixer::StaleLeaseFixer(std::string table, FixerOptions options, Clock& clock,
                                 DynamoDbAccessFactory factory)
    : table_(std::move(table)), options_(options), clock_(clock), factory_(std::move(factory)) {}

StaleLeaseFixer::~StaleLeaseFixer() { stop(); }

void StaleLeaseFixer::onInitialize(const protocol::Initialize& message) {
    stop();  // a previous lease's worker, if any (one child per lease: normally none)
    stop_ = false;
    shardId_ = message.shardId;
    startingCheckpoint_ = message.sequenceNumber;
    knownStale_ = false;
    cutoffMillis_ = INT64_MIN;
    setState(State::kWatching, "waiting for the first batch");
}

void StaleLeaseFixer::onBatch(const protocol::ProcessRecords& batch) {
    const int64_t now = clock_.nowMillis();
    cutoffMillis_ = now - options_.maxReplayMillis;

    std::optional<int64_t> firstArrival;
    for (const auto& r : batch.records) {
        if (r.approximateArrivalMillis) {
            firstArrival = r.approximateArrivalMillis;
            break;
        }
    }
    StalenessInput in;
    in.startingCheckpoint = startingCheckpoint_;
    in.millisBehindLatest = batch.millisBehindLatest;
    in.firstArrivalMillis = firstArrival;
    in.nowMillis = now;
    in.maxReplayMillis = options_.maxReplayMillis;
    const StalenessDecision d = decideStaleness(in);
    if (d.backlogMillis) latestBacklogMillis_ = *d.backlogMillis;

    State state;
    {
        std::lock_guard<std::mutex> lock(mu_);
        state = snapshot_.state;
    }
    if (knownStale_ && d.verdict == Verdict::kFresh) knownStale_ = false;  // caught up
    if (state != State::kWatching) return;

    switch (d.verdict) {
        case Verdict::kUnknown:
            return;
        case Verdict::kFresh:
        case Verdict::kNotApplicable:
            spdlog::debug("lease {} is fresh ({}): no lease change", shardId_, d.reason);
            setState(State::kFresh, d.reason);
            return;
        case Verdict::kStale:
            knownStale_ = true;
            spdlog::info(
                "lease {} starts stale from {} ({}): rewriting it to LATEST in {}; records older "
                "than {} are skipped until the daemon drops the lease",
                shardId_, startingCheckpoint_.value_or("null"), d.reason, table_,
                formatDuration(options_.maxReplayMillis));
            setState(State::kFixing, d.reason);
            startWorker();
            return;
    }
}

bool StaleLeaseFixer::skipRecord(const protocol::Record& record) const {
    if (record.approximateArrivalMillis) return *record.approximateArrivalMillis < cutoffMillis_;
    return knownStale_;
}

void StaleLeaseFixer::onLeaseEnd() {
    // Never blocks the reply: the worker notices within a wait slice or after its current call.
    requestStop();
}

void StaleLeaseFixer::requestStop() {
    stop_ = true;
    changed_.notify_all();
}

void StaleLeaseFixer::stop() {
    requestStop();
    if (worker_.joinable()) worker_.join();
}

void StaleLeaseFixer::startWorker() {
    if (worker_.joinable()) return;
    worker_ = std::thread([this] { runWorker(); });
}

bool StaleLeaseFixer::stillStale() const {
    return latestBacklogMillis_.load() > options_.maxReplayMillis;
}

void StaleLeaseFixer::setState(State state, std::string reason, std::optional<EditResult> result) {
    {
        std::lock_guard<std::mutex> lock(mu_);
        snapshot_.state = state;
        snapshot_.reason = std::move(reason);
        if (result) snapshot_.result = std::move(result);
    }
    changed_.notify_all();
}

StaleLeaseFixer::Snapshot StaleLeaseFixer::snapshot() const {
    std::lock_guard<std::mutex> lock(mu_);
    return snapshot_;
}

bool StaleLeaseFixer::waitFor(const std::function<bool(const Snapshot&)>& done,
                              int64_t timeoutMillis) const {
    std::unique_lock<std::mutex> lock(mu_);
    return changed_.wait_for(lock, std::chrono::milliseconds(timeoutMillis),
                             [&] { return done(snapshot_); });
}

bool StaleLeaseFixer::backoff(int64_t millis) {
    for (int64_t left = millis; left > 0 && !stopping();) {
        const int64_t slice = std::min(left, std::max<int64_t>(1, options_.waitSliceMillis));
        clock_.sleepMillis(slice);
        left -= slice;
    }
    return !stopping();
}

void StaleLeaseFixer::runWorker() {
    const std::string shard = shardId_;  // written before the thread started
    std::unique_ptr<DynamoDbAccess> access;
    std::optional<LeaseEditor> editor;
    std::optional<std::string> firstOwner;
    bool haveRead = false;
    int64_t delay = std::max<int64_t>(1, options_.retryBaseMillis);
    int failures = 0;

    auto decider = [&](const LeaseRow& row) -> std::optional<std::string> {
        if (!stillStale()) return "the shard caught up meanwhile";
        if (!haveRead) {
            haveRead = true;
            firstOwner = row.leaseOwner;
        } else if (row.leaseOwner != firstOwner) {
            return "the lease changed hands (" + firstOwner.value_or("none") + " -> " +
                   row.leaseOwner.value_or("none") + ")";
        }
        return std::nullopt;
    };

    while (!stopping()) {
        if (!stillStale()) {
            spdlog::info(
                "lease {}: the shard caught up before the fix was written; lease left as is",
                shard);
            setState(State::kNotFixed, "caught up");
            return;
        }
        Status failure;
        if (!editor) {
            auto made = factory_();
            if (made) {
                access = std::move(made).value();
                editor.emplace(access->dynamodb(), table_, options_.edit);
            } else {
                failure = made.status();
            }
        }
        if (editor) {
            auto r = editor->rewriteToLatest(shard, decider);
            if (r) {
                const EditResult& e = r.value();
                const std::string after =
                    failures > 0 ? " (after " + std::to_string(failures) + " failed attempts)" : "";
                if (e.outcome == EditOutcome::kRewritten) {
                    spdlog::info(
                        "lease {} rewritten to LATEST{}: {}; the daemon will drop it and "
                        "start a new processor at LATEST",
                        shard, after, e.reason);
                    setState(State::kRewritten, e.reason, e);
                } else if (e.outcome == EditOutcome::kGaveUp) {
                    spdlog::warn("lease {} not rewritten: {}; stale records are still skipped",
                                 shard, e.reason);
                    setState(State::kNotFixed, e.reason, e);
                } else {
                    spdlog::info("lease {} not rewritten{} ({}): {}", shard, after,
                                 editOutcomeName(e.outcome), e.reason);
                    setState(State::kNotFixed, e.reason, e);
                }
                return;
            }
            failure = r.status();
        }
        ++failures;
        {
            std::lock_guard<std::mutex> lock(mu_);
            snapshot_.failures = failures;
            snapshot_.reason = failure.toString();
        }
        changed_.notify_all();
        if (failures == 1) {
            spdlog::warn(
                "cannot rewrite lease {} in DynamoDB table {}: {}. Processing goes on, records "
                "older than {} are skipped; retrying with backoff (up to {})",
                shard, table_, failure.toString(), formatDuration(options_.maxReplayMillis),
                formatDuration(options_.retryCapMillis));
        } else {
            spdlog::debug("lease {}: attempt {} failed: {}", shard, failures, failure.toString());
        }
        if (!backoff(delay)) break;
        delay = std::min(options_.retryCapMillis, delay * 2);
    }
    setState(State::kStopped, "stopped before the fix was written");
}

}  // namespace au::leases
