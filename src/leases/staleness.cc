#include "leases/staleness.h"

#include <algorithm>

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
    std::string measure;
    if (in.millisBehindLatest) {
        d.backlogMillis = std::max<int64_t>(0, *in.millisBehindLatest);
        measure = "millisBehindLatest";
    } else if (in.firstArrivalMillis) {
        d.backlogMillis = std::max<int64_t>(0, in.nowMillis - *in.firstArrivalMillis);
        measure = "first record's age";
    } else {
        d.verdict = Verdict::kUnknown;
        d.reason = "no millisBehindLatest and no record";
        return d;
    }
    const bool stale = *d.backlogMillis > in.maxReplayMillis;
    d.verdict = stale ? Verdict::kStale : Verdict::kFresh;
    d.reason = measure + " " + formatDuration(*d.backlogMillis) + (stale ? " > " : " <= ") +
               "maxReplay " + formatDuration(in.maxReplayMillis);
    return d;
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
