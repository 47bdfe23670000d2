#include "app/retrieval_mode.h"

#include <algorithm>
#include <cctype>

namespace au::app {

namespace {

std::string upper(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return text;
}

std::string joined(const std::vector<std::string>& keys) {
    std::string out;
    for (const auto& k : keys) out += (out.empty() ? "" : ", ") + k;
    return out;
}

RetrievalChoice daemonDefault(const DaemonSettings& d, int kclMajor, const std::string& how) {
    std::vector<std::string> keys;
    for (const auto& k : d.pollingKeys) {
        if (k == "millisBehindLatestThresholdForReducedTps" && kclMajor == 2) continue;
        keys.push_back(k);
    }
    RetrievalChoice c;
    if (keys.empty()) {
        c.mode = leases::RetrievalMode::kFanOut;
        c.why = "the daemon's default: " + how + ", no polling key";
    } else {
        c.mode = leases::RetrievalMode::kPolling;
        c.why = "the daemon's default: " + how + ", and the polling key" +
                (keys.size() > 1 ? "s " : " ") + joined(keys) + " set";
    }
    return c;
}

}  // namespace

int kclMajorOf(const std::string& version) {
    if (version == "1" || version.rfind("1.", 0) == 0) return 1;
    if (version == "2" || version.rfind("2.", 0) == 0) return 2;
    return 3;
}

RetrievalChoice retrievalModeFor(const DaemonSettings& d, int kclMajor) {
    const std::string value = upper(d.retrievalMode);
    if (kclMajor == 1) {
        RetrievalChoice c;
        c.mode = leases::RetrievalMode::kPolling;
        c.why = "KCL 1.x reads by polling only";
        if (value == "FANOUT") {
            c.warning = "retrievalMode = " + d.retrievalMode +
                        " is ignored by KCL 1.x (no enhanced fan-out in its MultiLangDaemon)";
        }
        return c;
    }
    if (!d.retrievalModeSet) return daemonDefault(d, kclMajor, "no retrievalMode");
    if (value == "FANOUT" || value == "POLLING") {
        RetrievalChoice c;
        c.mode =
            value == "FANOUT" ? leases::RetrievalMode::kFanOut : leases::RetrievalMode::kPolling;
        c.explicitSetting = true;
        c.why = "retrievalMode = " + d.retrievalMode;
        return c;
    }
    if (value == "DEFAULT") return daemonDefault(d, kclMajor, "retrievalMode = " + d.retrievalMode);
    RetrievalChoice c = daemonDefault(d, kclMajor, "retrievalMode unreadable");
    c.warning = "retrievalMode = \"" + d.retrievalMode +
                "\" is not FANOUT, POLLING or DEFAULT: the daemon stops at start (\"Unknown "
                "retrieval type\")";
    return c;
}

std::vector<std::string> retrievalModeCosts(leases::RetrievalMode mode,
                                            int64_t idleTimeBetweenReadsMillis) {
    if (mode == leases::RetrievalMode::kFanOut) {
        return {
            "fan-out: the daemon registers a stream consumer named after applicationName (one per "
            "application, up to 20 per stream) and holds a SubscribeToShard subscription per "
            "shard;",
            "  each shard pushes up to 2 MiB/s to this application alone (not shared with other "
            "consumers), records arrive ~70 ms after they are written;",
            "  AWS charges per consumer-shard-hour and per GB pushed, on top of the stream "
            "(the lease fixer estimates reading a stale backlog at 2 MiB/s per shard)",
        };
    }
    return {
        "polling: GetRecords pages (maxRecords) every idleTimeBetweenReadsInMillis = " +
            std::to_string(idleTimeBetweenReadsMillis) + " ms per shard;",
        "  shares each shard's 5 reads/s and 2 MiB/s with every other polling consumer of the "
        "stream, latency ~ idleTimeBetweenReadsInMillis;",
        "  no charge beyond the stream's own (the lease fixer estimates reading a stale backlog "
        "in pages of maxRecords every idleTimeBetweenReadsInMillis)",
    };
}

}  // namespace au::app
