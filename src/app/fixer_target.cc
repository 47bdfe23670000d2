#include "app/fixer_target.h"

#include "leases/shard_peek.h"
#include "util/duration.h"

namespace au::app {

namespace {
Status usage(const std::string& message) { return Status::error("Usage", message); }
}  // namespace

Result<FixerTarget> fixerTargetFrom(const CommandLine& cl) {
    FixerTarget t;
    bool replaySet = false;
    const auto path = cl.get("--properties");
    if (path) {
        if (path->empty()) return usage("--properties needs a file");
        auto loaded = loadConfig(*path);
        if (!loaded) {
            return usage("invalid configuration in " + *path + ":\n" + loaded.status().message());
        }
        t.daemon = loaded->daemon;
        t.maxReplayMillis = loaded->maxReplayMillis;
        t.fixRemovesLeaseOwner = loaded->fixRemovesLeaseOwner;
        replaySet = loaded->maxReplaySet || forOurProcessor(t.daemon);
    }
    bool flags = false;
    const auto take = [&](const char* flag, std::string& into) {
        if (auto v = cl.get(flag)) {
            into = *v;
            flags = true;
        }
    };
    take("--table", t.daemon.tableName);
    take("--region", t.daemon.regionName);
    take("--kinesis-endpoint", t.daemon.kinesisEndpoint);
    take("--dynamodb-endpoint", t.daemon.dynamoDBEndpoint);
    if (auto s = cl.get("--stream")) {
        flags = true;
        t.daemon.streamName.clear();
        t.daemon.streamArn.clear();
        (s->rfind("arn:", 0) == 0 ? t.daemon.streamArn : t.daemon.streamName) = *s;
    }
    if (auto r = cl.get("--max-replay")) {
        const auto millis = parseDurationMillis(*r);
        if (!millis || *millis < 1000) {
            return usage("--max-replay \"" + *r +
                         "\" is not a duration of at least 1 s (e.g. 120s, 2m, 1h30m)");
        }
        t.maxReplayMillis = *millis;
        replaySet = true;
        flags = true;
    }
    const std::string where = path ? *path + (flags ? " and the flags" : "") : "the command line";

    if (t.daemon.tableName.empty()) {
        return usage(where + " names no lease table (--table, or tableName/applicationName)");
    }
    t.stream = !t.daemon.streamName.empty() ? t.daemon.streamName
                                            : leases::streamNameFromArn(t.daemon.streamArn);
    if (t.stream.empty()) {
        return usage(where + " names no stream (--stream NAME|ARN, or streamName/streamArn)");
    }
    if (!replaySet) {
        const std::string why =
            path ? "the processor of " + *path + " is \"" +
                       processorProgram(t.daemon.executableName) +
                       "\", not active-users, and the file sets no activeUsers.maxReplaySeconds"
                 : "there is no properties file to take it from";
        return usage("--max-replay DURATION is required: " + why +
                     " (the oldest data your application must not skip, e.g. 2m)");
    }
    return t;
}

}  // namespace au::app
