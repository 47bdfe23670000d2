#include <cstdio>

#include "app/commands.h"
#include "app/config.h"
#include "processor/active_users_processor.h"
#include "protocol/session.h"
#include "protocol/transcript.h"
#include "util/log.h"

namespace au::app {

int runReplay(const CommandLine& cl) {
    setLogLevel("error");  // the processor's log only with --verbose
    if (cl.positionals.size() != 1) {
        std::fprintf(stderr, "usage: active-users replay TRANSCRIPT.jsonl [--properties FILE]\n");
        return 2;
    }
    Config config;
    config.maxReplayMillis = config.processor.ttlMillis;
    if (auto path = cl.get("--properties")) {
        auto loaded = loadConfig(*path);
        if (!loaded) {
            std::fprintf(stderr, "%s: invalid configuration:\n%s\n", path->c_str(),
                         loaded.status().message().c_str());
            return 2;
        }
        config = std::move(loaded).value();
    }
    if (cl.has("--verbose")) setLogLevel(config.logLevel);
    config.processor.stateDir.clear();  // a replay has no side effects

    auto entries = protocol::loadTranscript(cl.positionals[0]);
    if (!entries) {
        std::fprintf(stderr, "replay: %s\n", entries.status().toString().c_str());
        return 2;
    }
    ManualClock clock;
    protocol::ScriptedTransport transport(std::move(entries).value(), clock);
    processor::ActiveUsersProcessor processor(config.processor, clock);
    protocol::Session session(transport, processor, clock);
    session.run();
    transport.finish();

    const auto& diffs = transport.differences();
    for (const auto& d : diffs) std::printf("%s\n", d.c_str());
    std::printf("replay %s: %zu lines written, %zu differences\n", cl.positionals[0].c_str(),
                transport.compared(), diffs.size());
    return diffs.empty() ? 0 : 1;
}

}  // namespace au::app
