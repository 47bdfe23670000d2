#include "leases/stale_lease_fixer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "leases/sequence_number.h"
#include "util/time_format.h"

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
                                 FixerAccessFactory factory)
    : table_(std::move(table)), options_(options), clock_(clock), factory_(std::move(factory)) {}

StaleLeaseFixer::~StaleLeaseFixer() { stop(); }

void StaleLeaseFixer::onInitialize(const protocol::Initialize& message) {
    stop();  // a previous lease's worker, if any (one child per lease: normally none)
    stop_ = false;
    caughtUp_ = false;
    shardId_ = message.shardId;
    startingCheckpoint_ = message.sequenceNumber;
    knownStale_.reset();
    skipped_ = 0;
    decidingBatchEnd_.clear();
    shardKnownStale_ = false;
    cutoffMillis_ = INT64_MIN;
    {
        std::lock_guard<std::mutex> lock(mu_);
        lastDelivered_.clear();
    }
    setState(State::kWatching, "waiting for the first batch");
}

void StaleLeaseFixer::onBatch(const protocol::ProcessRecords& batch) {
    const int64_t now = clock_.nowMillis();
    cutoffMillis_ = now - options_.maxReplayMillis;

    const protocol::Record* first = nullptr;
    const protocol::Record* last = nullptr;
    for (const auto& r : batch.records) {
        if (!r.approximateArrivalMillis) continue;
        if (first == nullptr) first = &r;
        last = &r;
    }
    if (!batch.records.empty()) {
        std::lock_guard<std::mutex> lock(mu_);
        lastDelivered_ = std::string(batch.records.back().sequenceNumber);
    }
    if (batch.millisBehindLatest && *batch.millisBehindLatest == 0) caughtUp_ = true;

    StalenessInput in;
    in.startingCheckpoint = startingCheckpoint_;
    in.millisBehindLatest = batch.millisBehindLatest;
    if (first != nullptr) in.firstArrivalMillis = first->approximateArrivalMillis;
    if (last != nullptr) in.lastArrivalMillis = last->approximateArrivalMillis;
    in.recordCount = batch.records.size();
    for (const auto& r : batch.records) {
        in.batchBytes += kinesisRecordBytes(r.data, r.partitionKey);
    }
    if (!batch.records.empty()) {
        in.midArrivalMillis = batch.records[batch.records.size() / 2].approximateArrivalMillis;
    }
    in.nowMillis = now;
    in.maxReplayMillis = options_.maxReplayMillis;
    const StalenessDecision d = decideStaleness(in);

    State state;
    {
        std::lock_guard<std::mutex> lock(mu_);
        state = snapshot_.state;
    }
    if (shardKnownStale_ && d.verdict == Verdict::kFresh) shardKnownStale_ = false;  // caught up
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
            break;
    }
    shardKnownStale_ = true;
    const CutWorth worth = weighCut(in, d, options_.costs);
    if (!worth.worthIt) {
        spdlog::info(
            "lease {} starts with {} of data older than {} ({}); no cut: {}. Those records are "
            "skipped as they come",
            shardId_, formatDuration(*d.staleSpanMillis), formatDuration(options_.maxReplayMillis),
            d.reason, worth.reason);
        setState(State::kFresh, "stale, not worth a cut: " + worth.reason);
        return;
    }
    if (first != nullptr && *first->approximateArrivalMillis < cutoffMillis_) {
        knownStale_ =
            CutPoint{std::string(first->sequenceNumber), *first->approximateArrivalMillis};
    }
    decidingBatchEnd_ =
        batch.records.empty() ? std::string() : std::string(batch.records.back().sequenceNumber);
    caughtUp_ = false;
    decisionCutoffMillis_ = cutoffMillis_;
    spdlog::info(
        "lease {} starts stale from {} ({}; {}): cutting it at the last record older than {} in "
        "{} unless the KCL's next page ends the stale part; older records are skipped meanwhile",
        shardId_, startingCheckpoint_.value_or("null"), d.reason, worth.reason,
        formatDuration(options_.maxReplayMillis), table_);
    setState(State::kFixing, d.reason);
    startWorker();
}

bool StaleLeaseFixer::skipRecord(const protocol::Record& record) const {
    const bool skip = record.approximateArrivalMillis
                          ? *record.approximateArrivalMillis < cutoffMillis_
                          : shardKnownStale_;
    if (skip) skipped_.fetch_add(1, std::memory_order_relaxed);
    return skip;
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
    pageConfirmed_ = false;
    decidedAtMillis_ = clock_.nowMillis();
    worker_ = std::thread([this] { runWorker(); });
}

bool StaleLeaseFixer::consumerPassed(const std::string& sequenceNumber) const {
    if (caughtUp_.load()) return true;
    if (!isSequenceNumber(sequenceNumber)) return false;
    std::lock_guard<std::mutex> lock(mu_);
    return isSequenceNumber(lastDelivered_) &&
           compareSequenceNumbers(lastDelivered_, sequenceNumber) >= 0;
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
    Snapshot s = snapshot_;
    s.skippedRecords = skipped_.load(std::memory_order_relaxed);
    return s;
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

std::optional<std::string> StaleLeaseFixer::declineReason(
    const LeaseRow& row, const std::string& cut, std::optional<std::string>& firstOwner) const {
    if (consumerPassed(cut)) return "the consumer read past the cut meanwhile";
    if (options_.workerId) {
        if (row.leaseOwner && *row.leaseOwner != *options_.workerId) {
            return "held by " + *row.leaseOwner + ", not by this worker (workerId " +
                   *options_.workerId + ")";
        }
    } else if (!firstOwner) {
        firstOwner = row.leaseOwner.value_or("");
    } else if (row.leaseOwner.value_or("") != *firstOwner) {
        return "the lease changed hands (" + (firstOwner->empty() ? "none" : *firstOwner) + " -> " +
               row.leaseOwner.value_or("none") + ")";
    }
    if (row.cutCheckpoint && row.cutAtMillis && row.checkpoint == row.cutCheckpoint) {
        const int64_t age = clock_.nowMillis() - *row.cutAtMillis;
        if (age < options_.cutLoopGuardMillis) {
            return "the lease sits at a cut made " + formatDuration(std::max<int64_t>(0, age)) +
                   " ago; the cut-loop guard allows one cut per lease per " +
                   formatDuration(options_.cutLoopGuardMillis);
        }
    }
    return std::nullopt;
}

Result<EditResult> StaleLeaseFixer::attempt(FixerAccess& access, LeaseEditor& editor,
                                            std::optional<std::string>& firstOwner) {
    const int64_t now = clock_.nowMillis();
    auto reader = access.shardReader(options_.stream, shardId_,
                                     [this](int64_t millis) { return backoff(millis); });
    // What this attempt costs, for the cut's log line and the snapshot.
    int64_t confirmMillis = -1;
    auto noteCost = [&](const std::string& tail) {
        std::string text = "Kinesis: " + std::to_string(reader->calls()) + " calls, " +
                           std::to_string(reader->throttled()) + " throttled, " +
                           std::to_string(reader->waitedMillis()) + " ms waited";
        if (confirmMillis >= 0) {
            text += "; next page read in " + std::to_string(confirmMillis) + " ms";
        }
        attemptCost_ = text + tail;
        std::lock_guard<std::mutex> lock(mu_);
        snapshot_.kinesisCalls = reader->calls();
        snapshot_.kinesisThrottled = reader->throttled();
    };
    if (!pageConfirmed_) {
        auto ends = nextPageEndsStalePart(*reader);
        confirmMillis = clock_.nowMillis() - now;
        noteCost("");
        if (!ends) return ends.status();
        if (ends.value()) return *ends.value();
        pageConfirmed_ = true;
    }
    CutFinderOptions finder = options_.cutFinder;
    finder.clock = &clock_;
    const int64_t searchFrom = clock_.nowMillis();
    auto search = findCut(*reader, decisionCutoffMillis_, knownStale_, finder);
    const int64_t searchMillis = clock_.nowMillis() - searchFrom;
    noteCost("");
    if (!search) return search.status();
    noteCost("; search " + std::to_string(searchMillis) + " ms (" + std::to_string(search->reads) +
             " reads, " + std::to_string(search->probes) + " probes, " +
             std::to_string(search->recordsRead) + " records)");
    {
        std::lock_guard<std::mutex> lock(mu_);
        snapshot_.search = search.value();
    }
    if (search->outcome == CutOutcome::kNothingStale) {
        EditResult nothing;
        nothing.outcome = EditOutcome::kDeclined;
        nothing.reason =
            "no record older than " + formatDuration(options_.maxReplayMillis) + " is left ahead";
        return nothing;
    }
    const RewriteTarget target{search->cut ? search->cut->sequenceNumber : std::string(kLatest),
                               now};
    const int64_t writeFrom = clock_.nowMillis();
    auto written = editor.rewriteCheckpoint(shardId_, target, [&](const LeaseRow& row) {
        return declineReason(row, target.checkpoint, firstOwner);
    });
    attemptCost_ += "; lease write " + std::to_string(clock_.nowMillis() - writeFrom) + " ms";
    return written;
}

Result<std::optional<EditResult>> StaleLeaseFixer::nextPageEndsStalePart(ShardReader& reader) {
    if (options_.confirmPageRecords <= 0 || !isSequenceNumber(decidingBatchEnd_)) {
        return std::optional<EditResult>();
    }
    aws::IteratorStart after;
    after.type = aws::ShardIteratorType::AfterSequenceNumber;
    after.sequenceNumber = decidingBatchEnd_;
    auto page = reader.read(after, std::min(options_.confirmPageRecords, 10'000));
    if (!page) return page.status();
    const auto fresh = std::find_if(
        page->records.begin(), page->records.end(),
        [&](const ShardRecordRef& r) { return r.arrivalMillis >= decisionCutoffMillis_; });
    if (fresh == page->records.end() && !page->reachesTip()) return std::optional<EditResult>();
    EditResult declined;
    declined.outcome = EditOutcome::kDeclined;
    declined.reason = "the stale part ends within the KCL's next page (" +
                      std::to_string(fresh - page->records.begin()) +
                      " stale records after the first batch): reading it costs one poll, less "
                      "than a re-acquisition; its records are skipped as they come";
    return std::optional<EditResult>(std::move(declined));
}

namespace {

// "cut at 4959... (arrived 2026-12-01T10:00:00.000Z, 2m before the cutoff ...)" for the log.
std::string describeCut(const CutSearch& s, const std::optional<CutPoint>& firstStale) {
    if (!s.cut) return "no record in the shard: LATEST";
    std::string text = s.cut->sequenceNumber + " (the last record older than the cutoff " +
                       formatIso8601Millis(s.cutoffMillis) + ", arrived " +
                       formatIso8601Millis(s.cut->arrivalMillis) + ")";
    if (s.firstFresh) text += "; the first record after it: " + s.firstFresh->sequenceNumber;
    if (firstStale) {
        text +=
            "; skips " +
            formatDuration(std::max<int64_t>(0, s.cut->arrivalMillis - firstStale->arrivalMillis)) +
            " of stale data";
    }
    return text;
}

}  // namespace

void StaleLeaseFixer::runWorker() {
    const std::string shard = shardId_;  // written before the thread started
    std::unique_ptr<FixerAccess> access;
    std::optional<LeaseEditor> editor;
    std::optional<std::string> firstOwner;
    int64_t delay = std::max<int64_t>(1, options_.retryBaseMillis);
    int failures = 0;

    while (!stopping()) {
        if (caughtUp_.load()) {
            spdlog::info(
                "lease {}: the consumer caught up before the cut was written; lease left as is",
                shard);
            setState(State::kNotFixed, "caught up");
            return;
        }
        Status failure;
        if (!editor) {
            auto made = factory_([this] { return stopping(); });
            if (made) {
                access = std::move(made).value();
                editor.emplace(access->dynamodb(), table_, options_.edit);
            } else {
                failure = made.status();
            }
        }
        if (editor) {
            auto r = attempt(*access, *editor, firstOwner);
            if (stopping()) break;
            if (r) {
                const EditResult& e = r.value();
                const std::string after =
                    failures > 0 ? " (after " + std::to_string(failures) + " failed attempts)" : "";
                const int64_t took = clock_.nowMillis() - decidedAtMillis_;
                {
                    std::lock_guard<std::mutex> lock(mu_);
                    snapshot_.decisionToCutMillis = took;
                }
                const std::string cost =
                    "decision to " +
                    std::string(e.outcome == EditOutcome::kRewritten ? "cut written" : "verdict") +
                    " in " + std::to_string(took) + " ms (" + attemptCost_ + "); " +
                    std::to_string(skipped_.load()) + " stale records skipped so far";
                if (e.outcome == EditOutcome::kRewritten) {
                    const auto s = snapshot().search;
                    spdlog::info(
                        "lease {} cut{}: {}; {}; the daemon will drop it and resume after the cut; "
                        "{}",
                        shard, after, s ? describeCut(*s, knownStale_) : "", e.reason, cost);
                    setState(State::kRewritten, e.reason, e);
                } else if (e.outcome == EditOutcome::kGaveUp) {
                    spdlog::warn("lease {} not cut: {}; stale records are still skipped", shard,
                                 e.reason);
                    setState(State::kNotFixed, e.reason, e);
                } else {
                    spdlog::info("lease {} not cut{} ({}): {}; {}", shard, after,
                                 editOutcomeName(e.outcome), e.reason, cost);
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
                "cannot cut lease {} (stream {}, lease table {}): {}. Processing goes on, "
                "records older than {} are skipped; retrying with backoff (up to {})",
                shard, options_.stream, table_, failure.toString(),
                formatDuration(options_.maxReplayMillis), formatDuration(options_.retryCapMillis));
        } else {
            spdlog::debug("lease {}: attempt {} failed: {}", shard, failures, failure.toString());
        }
        if (!backoff(delay)) break;
        delay = std::min(options_.retryCapMillis, delay * 2);
    }
    setState(State::kStopped, "stopped before the cut was written");
}

}  // namespace au::leases
