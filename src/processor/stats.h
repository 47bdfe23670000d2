#pragma once
// Counters of one processor, reported on the stats line and published for `serve` (its metrics
// and dashboard), with the times that tell a lease's life: started, last batch, ended and why.

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "processor/heartbeat_decoder.h"

namespace au::processor {

struct ProcessorStats {
    uint64_t batches = 0;
    uint64_t records = 0;
    uint64_t applied = 0;  // valid, fresh heartbeats (also those older than the user's last seen)
    uint64_t stale = 0;    // older than the TTL on arrival: not applied
    uint64_t evicted = 0;
    std::array<uint64_t, static_cast<size_t>(RejectReason::kCount)> rejected{};
    std::optional<int64_t> millisBehindLatest;
    int64_t startedAtMillis = 0;    // initialize (0: not yet)
    int64_t lastBatchAtMillis = 0;  // the last processRecords (0: none yet)
    // How the lease ended ("leaseLost", "shardEnded", "shutdownRequested", "endOfInput"; empty
    // while it runs) and when: the first end wins (a shutdown is followed by end of input).
    std::string endReason;
    int64_t endedAtMillis = 0;

    uint64_t malformed() const {
        uint64_t n = 0;
        for (auto v : rejected) n += v;
        return n;
    }
    void reject(RejectReason r) { ++rejected[static_cast<size_t>(r)]; }
    void ended(const char* reason, int64_t now) {
        if (!endReason.empty()) return;
        endReason = reason;
        endedAtMillis = now;
    }
    // "bad_base64=3 not_json=1" (only the non-zero reasons), or "" when there are none.
    std::string rejectedBreakdown() const {
        std::string out;
        for (size_t i = 0; i < rejected.size(); ++i) {
            if (rejected[i] == 0) continue;
            if (!out.empty()) out += ' ';
            out += reasonName(static_cast<RejectReason>(i));
            out += '=' + std::to_string(rejected[i]);
        }
        return out;
    }
};

}  // namespace au::processor
