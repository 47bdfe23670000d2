#include "leases/staleness.h"

#include <algorithm>
#include <cmath>

#include "leases/lease_row.h"

namespace au::leases {

StalenessDecision decideStaleness(const StalenessInput& in) {
    StalenessDecision d;
    if (in.startingCheckpoint &&
        (*in.startingCheckpoint == kLatest || *in.startingCheckpoint == kShardEnd)) {
        d.verdict = Verdict::kNotApplicable;
        d.reason = "started at " + *in.startingCheckpoint;
        return d;
    }
    const int64_t cutoff = in.nowMillis - in.maxReplayMillis;
    if (in.firstArrivalMillis) {
        d.backlogMillis = std::max<int64_t>(0, in.nowMillis - *in.firstArrivalMillis);
        d.staleSpanMillis = std::max<int64_t>(0, cutoff - *in.firstArrivalMillis);
        d.reason = "first record's age " + formatDuration(*d.backlogMillis);
    } else if (in.millisBehindLatest) {
        d.backlogMillis = std::max<int64_t>(0, *in.millisBehindLatest);
        d.staleSpanMillis = std::max<int64_t>(0, *in.millisBehindLatest - in.maxReplayMillis);
        d.reason = "millisBehindLatest " + formatDuration(*d.backlogMillis);
    } else {
        d.verdict = Verdict::kUnknown;
        d.reason = "no millisBehindLatest and no record";
        return d;
    }
    const bool stale = *d.staleSpanMillis > 0;
    d.verdict = stale ? Verdict::kStale : Verdict::kFresh;
    d.reason +=
        (stale ? " > " : " <= ") + std::string("maxReplay ") + formatDuration(in.maxReplayMillis);
    return d;
}

CutCosts cutCostsFor(int64_t idleTimeBetweenReadsMillis, int64_t failoverTimeMillis) {
    return CutCosts{std::max<int64_t>(200, idleTimeBetweenReadsMillis),
                    std::max<int64_t>(5'000, 2 * failoverTimeMillis)};
}

CutCosts fanOutCutCostsFor(int64_t failoverTimeMillis) {
    CutCosts costs = cutCostsFor(0, failoverTimeMillis);
    costs.mode = RetrievalMode::kFanOut;
    return costs;
}

const char* retrievalModeName(RetrievalMode mode) {
    return mode == RetrievalMode::kFanOut ? "fan-out" : "polling";
}

namespace {

// Fan-out: the stale part's records at the second half's density, their bytes at the batch's
// average record size, pushed at the subscription's rate.
void weighPush(const StalenessInput& in, int64_t stale, size_t half, int64_t halfSpan,
               const CutCosts& costs, CutWorth& w) {
    const double records =
        static_cast<double>(stale) * static_cast<double>(half) / static_cast<double>(halfSpan);
    const double average = static_cast<double>(in.batchBytes) / static_cast<double>(in.recordCount);
    const double bytes = records * average;
    const int64_t rate = std::max<int64_t>(1, costs.pushBytesPerSecond);
    w.readMillis = static_cast<int64_t>(std::ceil(bytes * 1000.0 / static_cast<double>(rate)));
    w.reason = "reading " + formatDuration(stale) + " of stale data at this batch's density (" +
               std::to_string(half) + " records in " + formatDuration(halfSpan) + ", " +
               std::to_string(static_cast<int64_t>(std::llround(average))) + " bytes each) is ~" +
               std::to_string(static_cast<int64_t>(std::llround(records))) + " records, ~" +
               std::to_string(static_cast<int64_t>(std::llround(bytes / 1024))) +
               " KiB pushed at " + std::to_string(rate / 1024) + " KiB/s (fan-out), ~" +
               formatDuration(*w.readMillis);
}

}  // namespace

CutWorth weighCut(const StalenessInput& in, const StalenessDecision& d, const CutCosts& costs) {
    CutWorth w;
    const int64_t stale = d.staleSpanMillis.value_or(0);
    if (in.millisBehindLatest && *in.millisBehindLatest == 0) {
        w.reason = "the batch reaches the tip: its stale records are skipped one by one";
        return w;
    }
    if (in.lastArrivalMillis && *in.lastArrivalMillis >= in.nowMillis - in.maxReplayMillis) {
        w.reason = "the batch already reaches records younger than maxReplay";
        return w;
    }
    const bool hasDensity = in.recordCount >= 2 && in.midArrivalMillis && in.lastArrivalMillis &&
                            *in.lastArrivalMillis > *in.midArrivalMillis;
    const bool push = costs.mode == RetrievalMode::kFanOut && in.batchBytes > 0;
    if (hasDensity && push) {
        const size_t n = in.recordCount, half = n - n / 2;
        weighPush(in, stale, half, *in.lastArrivalMillis - *in.midArrivalMillis, costs, w);
    } else if (hasDensity) {
        const size_t n = in.recordCount, half = n - n / 2;
        const int64_t halfSpan = *in.lastArrivalMillis - *in.midArrivalMillis;
        // The time one page of this batch's size covers at the second half's density.
        const double pageSpan =
            static_cast<double>(halfSpan) * static_cast<double>(n) / static_cast<double>(half);
        const double pages = std::ceil(static_cast<double>(stale) / pageSpan);
        w.readMillis = static_cast<int64_t>(pages) * costs.pollMillis;
        w.reason = "reading " + formatDuration(stale) + " of stale data at this batch's density (" +
                   std::to_string(half) + " records in " + formatDuration(halfSpan) + ") takes ~" +
                   std::to_string(static_cast<int64_t>(pages)) + " polls, ~" +
                   formatDuration(*w.readMillis);
    } else {
        w.readMillis = stale;
        w.reason = "stale span " + formatDuration(stale) + " (no density to estimate reading it)";
    }
    w.worthIt = *w.readMillis > costs.cutCostMillis;
    w.reason += (w.worthIt ? " > " : " <= ") + std::string("a cut's cost ~") +
                formatDuration(costs.cutCostMillis);
    return w;
}

int64_t kinesisRecordBytes(std::string_view data, std::string_view partitionKey) {
    size_t padding = 0;
    while (padding < 2 && padding < data.size() && data[data.size() - 1 - padding] == '=')
        ++padding;
    const size_t decoded = (data.size() - padding) * 3 / 4;
    return static_cast<int64_t>(decoded + partitionKey.size());
}

const char* verdictName(Verdict verdict) {
    switch (verdict) {
        case Verdict::kFresh:
            return "fresh";
        case Verdict::kStale:
            return "stale";
        case Verdict::kUnknown:
            return "unknown";
        case Verdict::kNotApplicable:
            return "not-applicable";
    }
    return "unknown";
}

std::string formatDuration(int64_t millis) {
    if (millis < 0) return "-" + formatDuration(-millis);
    if (millis < 1000) return std::to_string(millis) + "ms";
    const int64_t s = millis / 1000;
    if (s < 60) return std::to_string(s) + "s";
    if (s < 3600)
        return std::to_string(s / 60) + "m" + (s % 60 ? std::to_string(s % 60) + "s" : "");
    if (s < 86400)
        return std::to_string(s / 3600) + "h" +
               (s % 3600 / 60 ? std::to_string(s % 3600 / 60) + "m" : "");
    return std::to_string(s / 86400) + "d" +
           (s % 86400 / 3600 ? std::to_string(s % 86400 / 3600) + "h" : "");
}

}  // namespace au::leases
