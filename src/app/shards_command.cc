// `active-users shards --properties FILE [--json]`: how many shards the daemon's stream has open now
// (ListShards). The launcher (scripts/run) sizes the daemon's JVM heap by the shards one worker may hold
// (docs/host.md "Many shards per host"). Prints the count on stdout (`--json`: open, closed, stream),
// diagnostics on stderr. Exit codes: 0 done, 1 Kinesis failed, 2 usage or configuration error.
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "app/commands.h"
#include "app/config.h"
#include "aws/endpoints.h"
#include "leases/aws_services.h"
#include "leases/shard_peek.h"
#include "util/env.h"
#include "util/log.h"

namespace au::app {

int runShards(const CommandLine& cl) {
    setLogLevel(cl.has("--verbose") ? "debug" : "warn");
    const auto path = cl.get("--properties");
    if (!path || path->empty()) {
        std::fprintf(stderr, "active-users shards: --properties FILE is required\n");
        return 2;
    }
    auto loaded = loadConfig(*path);
    if (!loaded) {
        std::fprintf(stderr, "active-users shards: invalid configuration in %s:\n%s\n", path->c_str(),
                     loaded.status().message().c_str());
        return 2;
    }
    const auto& d = loaded->daemon;
    const std::string stream =
        !d.streamName.empty() ? d.streamName : leases::streamNameFromArn(d.streamArn);
    if (stream.empty()) {
        std::fprintf(stderr, "active-users shards: %s names no streamName or streamArn\n",
                     path->c_str());
        return 2;
    }
    static const ProcessEnvironment env;
    const aws::EndpointSettings daemon = endpointSettings(d);
    auto access = leases::resolveAwsAccess(daemon, env, leases::shortRetryPolicy());
    if (!access) {
        std::fprintf(stderr, "active-users shards: cannot resolve AWS settings: %s\n",
                     access.status().toString().c_str());
        return 2;
    }
    SystemClock clock;
    leases::AwsServices services(access.value(), env, clock);
    auto shards = services.kinesis().listShards(stream);
    if (!shards) {
        std::fprintf(stderr, "active-users shards: ListShards %s at %s: %s\n", stream.c_str(),
                     access->endpoints.kinesis.url.c_str(), shards.status().toString().c_str());
        return 1;
    }
    size_t open = 0;
    for (const auto& s : shards.value()) open += s.endingSequenceNumber ? 0 : 1;
    if (cl.has("--json")) {
        const nlohmann::json out = {
            {"stream", stream}, {"open", open}, {"closed", shards->size() - open}};
        std::printf("%s\n", out.dump().c_str());
    } else {
        std::printf("%zu\n", open);
    }
    std::fflush(stdout);
    return 0;
}

}  // namespace au::app
