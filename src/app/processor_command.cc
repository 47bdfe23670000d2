#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <memory>

#include "app/active_set_wiring.h"
#include "app/commands.h"
#include "app/config.h"
#include "app/retrieval_mode.h"
#include "aws/endpoints.h"
#include "leases/aws_services.h"
#include "leases/shard_peek.h"
#include "leases/stale_lease_fixer.h"
#include "processor/active_users_processor.h"
#include "protocol/session.h"
#include "protocol/transcript.h"
#include "util/env.h"
#include "util/log.h"

namespace au::app {

namespace {

// Keeps the protocol stream for the transport alone: fd 1 is duplicated for the protocol writer
// and then pointed at stderr, so a stray print from any library cannot corrupt the protocol.
int takeStdoutForProtocol() {
    const int protocolFd = ::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
    if (protocolFd >= 0) ::dup2(STDERR_FILENO, STDOUT_FILENO);
    return protocolFd;
}

// The in-process lease fixer (docs/leases.md), or null when it is off or cannot work: one log
// line says why, and processing goes on without it (never an exit).
std::unique_ptr<leases::StaleLeaseFixer> makeLeaseFixer(const Config& config, Clock& clock) {
    if (!config.fixStaleLeases) return nullptr;
    const auto& d = config.daemon;
    if (d.tableName.empty()) {
        spdlog::info("lease fixer off: the properties name no tableName or applicationName");
        return nullptr;
    }
    static const ProcessEnvironment env;
    const aws::EndpointSettings daemon = endpointSettings(d);
    auto access = leases::resolveAwsAccess(daemon, env, leases::fixerRetryPolicy());
    if (!access) {
        spdlog::warn(
            "lease fixer off: cannot tell where the lease table is ({}); stale leases "
            "will be replayed",
            access.status().toString());
        return nullptr;
    }
    leases::FixerOptions options;
    options.stream = !d.streamName.empty() ? d.streamName : leases::streamNameFromArn(d.streamArn);
    if (options.stream.empty()) {
        spdlog::info("lease fixer off: the properties name no streamName or streamArn");
        return nullptr;
    }
    options.maxReplayMillis = config.maxReplayMillis;
    if (!d.workerId.empty()) options.workerId = d.workerId;
    // The daemon's retrieval mode sizes the estimate: pages under polling, a 2 MiB/s push under
    // fan-out (where maxRecords does not apply: the confirming read is one full page).
    const RetrievalChoice retrieval = retrievalModeFor(d, 3);
    const bool fanOut = retrieval.mode == leases::RetrievalMode::kFanOut;
    options.costs = fanOut
                        ? leases::fanOutCutCostsFor(d.failoverTimeMillis)
                        : leases::cutCostsFor(d.idleTimeBetweenReadsInMillis, d.failoverTimeMillis);
    options.cutLoopGuardMillis = config.cutLoopGuardMillis;
    options.confirmPageRecords =
        fanOut ? 10'000 : static_cast<int>(std::clamp<int64_t>(d.maxRecords, 1, 10'000));
    options.edit.removeLeaseOwner = config.fixRemovesLeaseOwner;
    auto settings = std::move(access).value();
    auto factory =
        [settings,
         &clock](std::function<bool()> stopping) -> Result<std::unique_ptr<leases::FixerAccess>> {
        try {
            return std::unique_ptr<leases::FixerAccess>(
                std::make_unique<leases::AwsServices>(settings, env, clock, std::move(stopping)));
        } catch (const std::exception& e) {
            return Status::error("InternalError",
                                 std::string("cannot set up AWS clients: ") + e.what());
        }
    };
    spdlog::debug("lease fixer on: table {} at {} ({}); the daemon reads by {} ({})", d.tableName,
                  settings.endpoints.dynamodb.url, settings.endpoints.dynamodb.source,
                  leases::retrievalModeName(retrieval.mode), retrieval.why);
    return std::make_unique<leases::StaleLeaseFixer>(d.tableName, options, clock, factory);
}

}  // namespace

int runProcessor(const CommandLine& cl) {
    const int protocolFd = takeStdoutForProtocol();  // logging went to stderr from main() on
    if (protocolFd < 0) {
        spdlog::critical("cannot duplicate stdout for the protocol");
        return 1;
    }
    // Ctrl-C in a terminal reaches the whole process group: leave it to the daemon, whose
    // graceful shutdown then sends us shutdownRequested and closes stdin.
    std::signal(SIGINT, SIG_IGN);
    std::signal(SIGPIPE, SIG_IGN);
    // A file-size limit (ulimit -f, systemd LimitFSIZE) must fail a snapshot write with EFBIG,
    // not kill the process (SIGXFSZ's default) and the daemon's worker with it.
    std::signal(SIGXFSZ, SIG_IGN);

    Config config;
    if (auto path = cl.get("--properties")) {
        auto loaded = loadConfig(*path);
        if (!loaded) {
            spdlog::critical("invalid configuration in {}:", *path);
            std::string message = loaded.status().message();
            size_t start = 0;
            while (start <= message.size()) {
                const size_t nl = message.find('\n', start);
                spdlog::critical("  {}", message.substr(start, nl - start));
                if (nl == std::string::npos) break;
                start = nl + 1;
            }
            return 2;
        }
        config = std::move(loaded).value();
    } else {
        config.maxReplayMillis = config.processor.ttlMillis;
    }
    setLogLevel(config.logLevel);

    SystemClock clock;
    protocol::FdTransport stdio(STDIN_FILENO, protocolFd, clock);
    protocol::LineTransport* transport = &stdio;
    std::unique_ptr<protocol::RecordingTransport> recorder;
    if (auto dir = cl.get("--record-transcript")) {
        auto file = protocol::RecordingTransport::openFileIn(*dir, clock);
        if (file) {
            recorder = std::make_unique<protocol::RecordingTransport>(stdio, file.value(), clock);
            transport = recorder.get();
        } else {
            spdlog::error("not recording a transcript: {}", file.status().toString());
        }
    }

    static const ProcessEnvironment env;
    ActiveSetParts activeSet = makeActiveSetParts(config, clock, env);  // docs/active-set.md
    // Declared before the processor, so it outlives it; its destructor joins its worker.
    std::unique_ptr<leases::StaleLeaseFixer> fixer = makeLeaseFixer(config, clock);
    processor::ActiveUsersProcessor processor(config.processor, clock, fixer.get());
    activeSet.attachTo(processor, fixer.get());
    protocol::Session session(*transport, processor, clock);
    return session.run();
}

}  // namespace au::app
