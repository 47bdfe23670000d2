#include "processor/active_users_processor.h"

#include <algorithm>

#include "processor/snapshot.h"

namespace au::processor {

namespace {
constexpr int64_t kEvictEveryMillis = 1'000;
}

ActiveUsersProcessor::ActiveUsersProcessor(ProcessorSettings settings, Clock& clock,
                                           LeaseObserver* observer, CheckpointRetryPolicy retry)
    : settings_(std::move(settings)),
      clock_(clock),
      observer_(observer),
      retry_(retry),
      decoder_(settings_.heartbeat),
      table_(settings_.ttlMillis) {
    const int64_t now = clock_.nowMillis();
    nextEvictAt_ = now + kEvictEveryMillis;
    nextSnapshotAt_ = now;
    nextStatsAt_ = now + settings_.statsIntervalMillis;
    lastCheckpointAt_ = now;
}

void ActiveUsersProcessor::initialize(const protocol::Initialize& message) {
    shardId_ = message.shardId;
    setLogTag(shardId_);
    spdlog::info("initialize: shard {} from checkpoint {}", shardId_,
                 message.sequenceNumber.value_or("null"));
    lastCheckpointAt_ = clock_.nowMillis();
    stats_.startedAtMillis = lastCheckpointAt_;
    if (seeder_ != nullptr && seeder_->seed(shardId_, lastCheckpointAt_, table_) > 0) dirty_ = true;
    for (auto* l : listeners_) l->onStart(shardId_, lastCheckpointAt_, table_);
    if (observer_ != nullptr) observer_->onInitialize(message);
}

void ActiveUsersProcessor::processRecords(const protocol::ProcessRecords& batch,
                                          protocol::Checkpointer& checkpointer) {
    const int64_t now = clock_.nowMillis();
    if (now >= nextEvictAt_) evict(now);
    ++stats_.batches;
    stats_.lastBatchAtMillis = now;
    if (batch.millisBehindLatest) stats_.millisBehindLatest = batch.millisBehindLatest;
    if (observer_ != nullptr) observer_->onBatch(batch);

    // Records go in groups: GUID heartbeats of a group are applied after prefetching their index
    // slots and entries, so the table's cache misses overlap instead of queueing up.
    const auto& records = batch.records;
    for (size_t base = 0; base < records.size(); base += kPrefetchGroup) {
        const size_t end = std::min(records.size(), base + kPrefetchGroup);
        Heartbeat pending[kPrefetchGroup];
        size_t count = 0;
        for (size_t i = base; i < end; ++i) {
            Heartbeat heartbeat;
            if (!admit(records[i], now, heartbeat)) continue;
            if (heartbeat.guid) {
                table_.prefetchSlot(*heartbeat.guid);
                heartbeat.userId = {};  // the text is not kept; the GUID is the key
                pending[count++] = heartbeat;
            } else {
                apply(heartbeat);  // its text lives only until the next decode
            }
        }
        for (size_t k = 0; k < count; ++k) table_.prefetchEntry(*pending[k].guid);
        for (size_t k = 0; k < count; ++k) table_.prefetchLinks(*pending[k].guid);
        for (size_t k = 0; k < count; ++k) apply(pending[k]);
    }
    for (auto it = records.rbegin(); it != records.rend(); ++it) {
        if (it->sequenceNumber.empty()) continue;
        lastSequence_ = std::string(it->sequenceNumber);
        lastSubSequence_ = it->subSequenceNumber;
        uncheckpointed_ = true;
        break;
    }

    if (settings_.checkpointIntervalMillis > 0 && checkpointing_ && uncheckpointed_ &&
        now - lastCheckpointAt_ >= settings_.checkpointIntervalMillis) {
        checkpointWithRetry(checkpointer, lastSequence_, lastSubSequence_, "periodic");
    }
    for (auto* l : listeners_) l->onBatchEnd(now, table_, stats_);
}

bool ActiveUsersProcessor::admit(const protocol::Record& record, int64_t now,
                                 Heartbeat& heartbeat) {
    ++stats_.records;
    if (observer_ != nullptr && observer_->skipRecord(record)) {
        ++stats_.stale;
        return false;
    }
    RejectReason why{};
    if (!decoder_.decode(record, heartbeat, why)) {
        stats_.reject(why);
        uint64_t suppressed = 0;
        if (rejectLog_.allow(clock_, &suppressed)) {
            spdlog::warn("skipping record {} ({} bytes of base64): {}{}",
                         record.sequenceNumber.substr(0, 64), record.data.size(), reasonName(why),
                         suppressed
                             ? " [" + std::to_string(suppressed) + " more since the last such line]"
                             : "");
        }
        return false;
    }
    if (table_.isStale(heartbeat.eventTimeMillis, now)) {
        ++stats_.stale;
        return false;
    }
    return true;
}

void ActiveUsersProcessor::apply(const Heartbeat& heartbeat) {
    ++stats_.applied;
    if (!table_.apply(heartbeat.userId, heartbeat.guid, heartbeat.eventTimeMillis)) return;
    dirty_ = true;
    if (listeners_.empty()) return;
    char canonical[36];
    std::string_view id = heartbeat.userId;
    if (heartbeat.guid) {
        formatGuidTo(*heartbeat.guid, canonical);
        id = std::string_view(canonical, sizeof canonical);
    }
    for (auto* l : listeners_) l->onApplied(id, heartbeat.eventTimeMillis);
}

void ActiveUsersProcessor::evict(int64_t now) {
    const size_t n = table_.evictExpired(now);
    stats_.evicted += n;
    if (n > 0) dirty_ = true;
    nextEvictAt_ = now + kEvictEveryMillis;
}

void ActiveUsersProcessor::maybeSnapshot(int64_t now, bool force) {
    if (settings_.stateDir.empty() || shardId_.empty()) return;
    if (!dirty_ && !force) return;
    if (!force && now < nextSnapshotAt_) return;
    if (!temporariesSwept_) {
        temporariesSwept_ = true;
        const size_t n = removeAbandonedTemporaries(settings_.stateDir, now, 60'000);
        if (n > 0) {
            spdlog::info("removed {} abandoned temporary file(s) from {}", n, settings_.stateDir);
        }
    }
    const Status st = writeSnapshot(settings_.stateDir, shardId_, now, table_);
    nextSnapshotAt_ = now + settings_.snapshotIntervalMillis;
    if (st) {
        dirty_ = false;
    } else {
        static LogThrottle throttle(60'000);
        if (throttle.allow(clock_)) spdlog::error("snapshot not written: {}", st.toString());
    }
}

void ActiveUsersProcessor::maybeLogStats(int64_t now, bool force) {
    if (!force && now < nextStatsAt_) return;
    nextStatsAt_ = now + settings_.statsIntervalMillis;
    const std::string breakdown = stats_.rejectedBreakdown();
    spdlog::info("stats: active={} applied={} stale={} malformed={}{}{} millisBehindLatest={}",
                 table_.size(), stats_.applied, stats_.stale, stats_.malformed(),
                 breakdown.empty() ? "" : " ", breakdown.empty() ? "" : "(" + breakdown + ")",
                 stats_.millisBehindLatest ? std::to_string(*stats_.millisBehindLatest) : "null");
}

int64_t ActiveUsersProcessor::nextWakeMillis() const {
    int64_t next = std::min(nextEvictAt_, nextStatsAt_);
    if (dirty_ && !settings_.stateDir.empty() && !shardId_.empty()) {
        next = std::min(next, nextSnapshotAt_);
    }
    return next;
}

void ActiveUsersProcessor::onWake() {
    const int64_t now = clock_.nowMillis();
    if (now >= nextEvictAt_) evict(now);
    maybeSnapshot(now, false);
    maybeLogStats(now, false);
    for (auto* l : listeners_) l->onTick(now, table_, stats_);
}

void ActiveUsersProcessor::notifyEnd(const char* reason, int64_t now) {
    stats_.ended(reason, now);
    for (auto* l : listeners_) l->onEnd(now, table_, stats_);
}

bool ActiveUsersProcessor::checkpointWithRetry(protocol::Checkpointer& checkpointer,
                                               const std::optional<std::string>& sequenceNumber,
                                               const std::optional<int64_t>& subSequenceNumber,
                                               const char* why) {
    using Kind = protocol::CheckpointResult::Kind;
    for (int attempt = 1;; ++attempt) {
        const auto result = checkpointer.checkpoint(sequenceNumber, subSequenceNumber);
        switch (result.kind) {
            case Kind::kOk:
                lastCheckpointAt_ = clock_.nowMillis();
                uncheckpointed_ = false;
                return true;
            case Kind::kRetryable:
                if (attempt < retry_.attempts) {
                    const int64_t delay =
                        std::min(retry_.capMillis, retry_.baseMillis << std::min(attempt - 1, 20));
                    clock_.sleepMillis(delay);
                    continue;
                }
                spdlog::error("{} checkpoint failed {} times with {}; giving up", why, attempt,
                              result.error);
                return false;
            case Kind::kStop:
                spdlog::info("{} checkpoint refused ({}): no more checkpoints for this lease", why,
                             result.error);
                checkpointing_ = false;
                return false;
            case Kind::kIllegalArgument:
            case Kind::kFailed:
                spdlog::warn("{} checkpoint failed: {}", why, result.error);
                return false;
            case Kind::kConnectionLost:
                return false;
        }
    }
}

void ActiveUsersProcessor::shardEnded(protocol::Checkpointer& checkpointer) {
    // The final snapshot goes first: the children start (and warm-start from it) as soon as the
    // SHARD_END checkpoint succeeds. A null sequence number checkpoints SHARD_END.
    maybeSnapshot(clock_.nowMillis(), true);
    if (checkpointWithRetry(checkpointer, std::nullopt, std::nullopt, "shard-end")) {
        spdlog::info("shard end: checkpointed SHARD_END");
    }
    checkpointing_ = false;
    notifyEnd("shardEnded", clock_.nowMillis());
    if (observer_ != nullptr) observer_->onLeaseEnd();
}

void ActiveUsersProcessor::leaseLost() {
    checkpointing_ = false;
    maybeSnapshot(clock_.nowMillis(), true);
    notifyEnd("leaseLost", clock_.nowMillis());
    if (observer_ != nullptr) observer_->onLeaseEnd();
}

void ActiveUsersProcessor::shutdownRequested(protocol::Checkpointer& checkpointer) {
    if (settings_.checkpointIntervalMillis > 0 && checkpointing_ && uncheckpointed_) {
        checkpointWithRetry(checkpointer, lastSequence_, lastSubSequence_, "shutdown");
    }
    maybeSnapshot(clock_.nowMillis(), true);
    notifyEnd("shutdownRequested", clock_.nowMillis());
}

void ActiveUsersProcessor::onEndOfInput() {
    const int64_t now = clock_.nowMillis();
    maybeSnapshot(now, true);
    maybeLogStats(now, true);
    notifyEnd("endOfInput", now);
}

}  // namespace au::processor
