#include "app/fixer_note.h"

#include <memory>
#include <mutex>

namespace au::app {

const char* fixerAction(leases::StaleLeaseFixer::State state) {
    using State = leases::StaleLeaseFixer::State;
    switch (state) {
        case State::kIdle:
        case State::kWatching:
            return "watching";
        case State::kFresh:
            return "left alone";
        case State::kFixing:
            return "cutting";
        case State::kRewritten:
            return "cut";
        case State::kNotFixed:
            return "not cut";
        case State::kStopped:
            return "stopped";
    }
    return "unknown";
}

activeset::ShardNotes::FixerProbe fixerProbe(const leases::StaleLeaseFixer* fixer) {
    if (fixer == nullptr) {
        return [](int64_t) { return activeset::FixerNote{"off", "", 0}; };
    }
    // The first time each action was seen.
    struct Seen {
        std::mutex mu;
        activeset::FixerNote last;
    };
    auto seen = std::make_shared<Seen>();
    return [fixer, seen](int64_t now) {
        const auto snap = fixer->snapshot();
        activeset::FixerNote note{fixerAction(snap.state), snap.reason, now};
        if (snap.failures > 0 && snap.state == leases::StaleLeaseFixer::State::kFixing) {
            note.detail += " (" + std::to_string(snap.failures) + " AWS failures so far)";
        }
        if (snap.skippedRecords > 0) {
            note.detail += "; " + std::to_string(snap.skippedRecords) + " stale records skipped";
        }
        std::lock_guard<std::mutex> lock(seen->mu);
        if (seen->last.action == note.action) note.at = seen->last.at;
        seen->last = note;
        return note;
    };
}

}  // namespace au::app
