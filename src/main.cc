// active-users: wiring only. Parses the command line and runs one command (src/app/).
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "app/cli.h"
#include "app/commands.h"
#include "util/log.h"

namespace {

constexpr const char* kUsage = R"(usage:
  active-users [--properties FILE] [--record-transcript DIR]   record processor (MultiLangDaemon child)
  active-users query --state-dir DIR [--json] [--at EPOCH_MS]  users active now (or at a time)
  active-users query --redis URL (--key K | --properties FILE) [--json] [--at EPOCH_MS]
  active-users serve (--state-dir DIR | --redis URL (--key K | --properties FILE))
                     [--listen HOST:PORT] [--auth-token-file F] [--tls-cert F --tls-key F]
                                        HTTP: the dashboard, /active-users, /metrics, ...
                                        (active-users serve --help)
  active-users check-config --properties FILE | --list         validate a .properties file
  active-users replay TRANSCRIPT [--properties FILE]           replay a recorded session
  active-users fix-leases (--properties FILE | --table T --stream NAME|ARN --max-replay D)
                          [--region R] [--kinesis-endpoint URL] [--dynamodb-endpoint URL]
                          [--apply] [--resume-latest] [--shard ID] [--json] [--concurrency N]
                                        cut stale leases at the last record older than maxReplay,
                                        for any KCL application (flags win over the file; dry run
                                        without --apply; N shards read at once, default 8)
  active-users shards --properties FILE [--json]               the stream's open shards (ListShards)
  active-users --help | --version
)";

// The log tag until a command sets its own: the command's name, "starting" in processor mode.
std::string initialLogTag(int argc, char** argv) {
    const std::string first = argc > 1 ? argv[1] : "";
    return first.empty() || first[0] == '-' || first == "run" ? "starting" : first;
}

}  // namespace

int main(int argc, char** argv) {
    // First of all: spdlog's default logger writes to stdout, which belongs to the protocol or to
    // the command's output. From here on every log line of every command goes to stderr.
    au::initLogging(initialLogTag(argc, argv));
    const std::vector<std::string> args(argv + 1, argv + argc);
    auto cl = au::app::parseCommandLine(args, au::app::kValuedFlags, au::app::kSwitches);
    if (!cl) {
        std::fprintf(stderr, "active-users: %s\n%s", cl.status().message().c_str(), kUsage);
        return 2;
    }
    const auto& c = cl.value();
    // Asked for: the answer is the command's output (stdout).
    if (c.has("--help") && c.command != "serve") {
        std::fputs(kUsage, stdout);
        return 0;
    }
    if (c.has("--version")) {
        std::printf("active-users %s\n", AU_VERSION);
        return 0;
    }
    try {
        if (c.command.empty() || c.command == "run") return au::app::runProcessor(c);
        if (c.command == "query") return au::app::runQuery(c);
        if (c.command == "serve") return au::app::execServe(argv);
        if (c.command == "check-config") return au::app::runCheckConfig(c);
        if (c.command == "replay") return au::app::runReplay(c);
        if (c.command == "fix-leases") return au::app::runFixLeases(c);
        if (c.command == "shards") return au::app::runShards(c);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "active-users: fatal: %s\n", e.what());
        return 1;
    }
    std::fprintf(stderr, "active-users: unknown command \"%s\"\n%s", c.command.c_str(), kUsage);
    return 2;
}
