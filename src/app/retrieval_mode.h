#pragma once
// Which way the MultiLangDaemon reads the stream, decided from its properties as the daemon decides
// it (docs/leases.md "Fan-out"):
//  - KCL 2.x/3.x (multilang 2.5.4 / 3.1.3, MultiLangDaemonConfiguration + RetrievalMode): the key
//    retrievalMode = FANOUT | POLLING | DEFAULT (any case); absent or DEFAULT means enhanced
//    fan-out unless a polling key is set: retryGetRecordsInSeconds or maxGetRecordsThreadPool (any
//    value), idleTimeBetweenReadsInMillis or maxRecords (non-zero), and on 3.x also
//    millisBehindLatestThresholdForReducedTps (non-zero; multilang 2.5.4 has no such key). Another
//    value stops the daemon at start ("Unknown retrieval type").
//  - KCL 1.x: polling only (the 1.x MultiLangDaemon has no enhanced fan-out; it ignores the key).

#include <cstdint>
#include <string>
#include <vector>

#include "app/config.h"
#include "leases/staleness.h"

namespace au::app {

struct RetrievalChoice {
    leases::RetrievalMode mode = leases::RetrievalMode::kFanOut;
    bool explicitSetting = false;  // the file says FANOUT or POLLING and the daemon reads the key
    std::string why;               // "retrievalMode = FANOUT", "the daemon's default: ..."
    std::string warning;           // non-empty: a value the daemon refuses, or one it ignores
};

// kclMajor: 1, 2 or 3 (anything else counts as 3). The processor itself cannot see the daemon's
// version and assumes 3 (on 1.x, where this matters only for the lease fixer's estimate, write
// retrievalMode = POLLING: 1.x ignores the key).
RetrievalChoice retrievalModeFor(const DaemonSettings& daemon, int kclMajor);

// The KCL major version from a version text such as "2.7.2" or "3" (3 when it does not say 1 or 2).
int kclMajorOf(const std::string& version);

// What a retrieval mode costs and shares (for check-config), one line each.
std::vector<std::string> retrievalModeCosts(leases::RetrievalMode mode,
                                            int64_t idleTimeBetweenReadsMillis);

}  // namespace au::app
