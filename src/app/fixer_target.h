#pragma once
// What `active-users fix-leases` works on: the lease table, the stream, where AWS is, and
// maxReplay. From a daemon properties file (--properties, optional), from flags, or both (a flag
// wins over the file):
//   --table NAME            the lease table (the file's tableName, else its applicationName)
//   --stream NAME|ARN       the stream (streamName / streamArn)
//   --region R              regionName
//   --kinesis-endpoint URL  kinesisEndpoint     --dynamodb-endpoint URL  dynamoDBEndpoint
//   --max-replay DURATION   never replay data older than this, never skip data younger ("2m")
// maxReplay: the flag, else the file's activeUsers.maxReplaySeconds (default
// activeUsers.ttlSeconds, 120 s) — but only our processor's file has that default: for any other
// application (no properties file, or an executableName that is not active-users) maxReplay must be
// said, since a guessed one would cut data the application needs.

#include <cstdint>
#include <optional>
#include <string>

#include "app/cli.h"
#include "app/config.h"
#include "util/status.h"

namespace au::app {

struct FixerTarget {
    DaemonSettings daemon;  // tableName, streamName/streamArn, region, endpoints, initial position
    std::string stream;     // the stream's name (from streamName or the ARN)
    int64_t maxReplayMillis = 0;
    std::optional<bool> fixRemovesLeaseOwner;  // activeUsers.fixRemovesLeaseOwner; nullopt = auto
};

// Fails (code "Usage") with one message naming what is missing or malformed.
Result<FixerTarget> fixerTargetFrom(const CommandLine& cl);

}  // namespace au::app
