#include <cstdio>

#include "app/commands.h"
#include "app/config.h"
#include "app/retrieval_mode.h"

namespace au::app {

namespace {

// Which way the daemon reads (explicit, or its default and why) and what that costs.
void printRetrievalMode(const DaemonSettings& daemon, const std::string& kcl, const char* path) {
    const RetrievalChoice choice = retrievalModeFor(daemon, kclMajorOf(kcl));
    std::printf("  retrieval: %s (%s; KCL %s)\n", leases::retrievalModeName(choice.mode),
                choice.why.c_str(), kcl.c_str());
    for (const auto& line : retrievalModeCosts(choice.mode, daemon.idleTimeBetweenReadsInMillis)) {
        std::printf("    %s\n", line.c_str());
    }
    if (!choice.warning.empty())
        std::fprintf(stderr, "%s: warning: %s\n", path, choice.warning.c_str());
}

}  // namespace

int runCheckConfig(const CommandLine& cl) {
    if (cl.has("--list")) {
        for (const auto& key : configKeys()) {
            std::printf("activeUsers.%s = %s\n    %s\n", key.name.c_str(), key.defaultValue.c_str(),
                        key.meaning.c_str());
        }
        return 0;
    }
    const auto path = cl.get("--properties");
    if (!path) {
        std::fputs("usage: active-users check-config --properties FILE [--kcl VERSION] | --list\n",
                   stderr);
        return 2;
    }
    auto config = loadConfig(*path);
    if (!config) {
        std::fprintf(stderr, "%s: invalid configuration:\n%s\n", path->c_str(),
                     config.status().message().c_str());
        return 2;
    }
    const auto& c = config.value();
    const bool ours = forOurProcessor(c.daemon);
    if (ours) {
        std::printf("%s: OK\n", path->c_str());
    } else {
        std::printf(
            "%s: OK for the MultiLangDaemon's keys; the processor is \"%s\", not active-users\n",
            path->c_str(), c.daemon.executableName.c_str());
    }
    std::printf(
        "  lease table: %s, stream: %s, region: %s\n",
        c.daemon.tableName.empty() ? "(none)" : c.daemon.tableName.c_str(),
        c.daemon.streamName.empty() ? c.daemon.streamArn.c_str() : c.daemon.streamName.c_str(),
        c.daemon.regionName.empty() ? "(from the environment)" : c.daemon.regionName.c_str());
    if (ours) {
        std::printf(
            "  ttl: %lld s, checkpoint interval: %lld s, state dir: %s, fix stale leases: %s "
            "(max replay %lld s)\n",
            static_cast<long long>(c.processor.ttlMillis / 1000),
            static_cast<long long>(c.processor.checkpointIntervalMillis / 1000),
            c.processor.stateDir.empty() ? "(none)" : c.processor.stateDir.c_str(),
            c.fixStaleLeases ? "yes" : "no", static_cast<long long>(c.maxReplayMillis / 1000));
    } else {
        if (c.maxReplaySet) {
            std::printf("  max replay: %lld s (activeUsers.maxReplaySeconds)\n",
                        static_cast<long long>(c.maxReplayMillis / 1000));
        } else {
            std::printf(
                "  max replay: not set: the startup fixer needs --max-replay DURATION "
                "(active-users-run --max-replay, active-users fix-leases --max-replay)\n");
        }
        std::printf(
            "  not checked: the processor itself (its settings, whether it starts, whether it "
            "checkpoints); active-users only checks the daemon's keys it uses and fixes the lease "
            "table, never the application\n");
    }
    const std::string kcl = cl.get("--kcl").value_or("3");
    printRetrievalMode(c.daemon, kcl, path->c_str());
    // KCL 3.x (the default tree) with a random worker id per start: a restarted worker's leader
    // hands a lease to the worker that just stopped (README, "Running it under the daemon").
    if (c.daemon.workerId.empty() && kcl.rfind("1.", 0) != 0 && kcl.rfind("2.", 0) != 0) {
        std::fprintf(stderr,
                     "%s: warning: no workerId: on KCL 3.x the daemon then takes a random id at "
                     "every start, and a restarted worker's leader hands a lease back to the "
                     "stopped one for ~25 s (KCL issue 1452); set workerId = <this host's name> "
                     "(one daemon per id; active-users-run does it when the file has none)\n",
                     path->c_str());
    }
    return 0;
}

}  // namespace au::app
