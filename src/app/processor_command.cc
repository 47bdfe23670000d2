#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <memory>

#include "app/active_set_wiring.h"
#include "app/commands.h"
#include "app/config.h"
#include "processor/active_users_processor.h"
#include "protocol/session.h"
#include "protocol/transcript.h"
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

}  // namespace

int runProcessor(const CommandLine& cl) {
    const int protocolFd = takeStdoutForProtocol();
    initLogging("starting");
    if (protocolFd < 0) {
        spdlog::critical("cannot duplicate stdout for the protocol");
        return 1;
    }
    // Ctrl-C in a terminal reaches the whole process group: leave it to the daemon, whose
    // graceful shutdown then sends us shutdownRequested and closes stdin.
    std::signal(SIGINT, SIG_IGN);
    std::signal(SIGPIPE, SIG_IGN);

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
    initLogging("starting", config.logLevel);

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

    ActiveSetParts activeSet = makeActiveSetParts(config, clock);  // docs/active-set.md
    processor::ActiveUsersProcessor processor(config.processor, clock);
    activeSet.attachTo(processor);
    protocol::Session session(*transport, processor, clock);
    return session.run();
}

}  // namespace au::app
