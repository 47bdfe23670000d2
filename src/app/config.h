#pragma once
// The program's configuration: the daemon's own .properties file (docs/configuration.md). The
// daemon's keys are read where they apply; the processor's keys are prefixed "activeUsers.".
// Every problem is reported with the key's name; an unknown activeUsers.* key is an error (a typo
// must not silently fall back to a default).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "activeset/settings.h"
#include "aws/endpoints.h"
#include "processor/settings.h"
#include "util/properties.h"
#include "util/status.h"

namespace au::app {

// The daemon's keys this program uses (empty when absent).
struct DaemonSettings {
    std::string applicationName;
    std::string tableName;  // the lease table: tableName, else applicationName
    std::string streamName;
    std::string streamArn;
    std::string regionName;
    std::string dynamoDBEndpoint;
    std::string kinesisEndpoint;
    std::string initialPositionInStream;
    std::string initialPositionInStreamExtended;  // epoch seconds (AT_TIMESTAMP)
    std::string workerId;                         // empty: the KCL picks a random one
    std::string executableName;                   // the processor the daemon starts
    // The KCL's defaults when absent or not an integer (the daemon's keys are the daemon's to
    // validate; these only size the lease fixer's estimates).
    int64_t failoverTimeMillis = 10'000;
    int64_t idleTimeBetweenReadsInMillis = 1'500;
    int64_t maxRecords = 10'000;
    // retrievalMode as written (retrievalModeSet: the key is present), and the polling keys whose
    // values make the KCL 2.x/3.x default polling; app/retrieval_mode.h decides from them.
    std::string retrievalMode;
    bool retrievalModeSet = false;
    std::vector<std::string> pollingKeys;
};

struct Config {
    DaemonSettings daemon;
    // activeUsers.maxReplaySeconds or activeUsers.ttlSeconds is written in the file (a peer's file
    // has neither, and then maxReplayMillis below is only our processor's default).
    bool maxReplaySet = false;
    processor::ProcessorSettings processor;
    bool fixStaleLeases = true;
    int64_t maxReplayMillis = 0;  // default: the TTL
    // The lease fixer also REMOVEs leaseOwner: true / false, nullopt = auto (by the table's KCL
    // generation: remove on 2.x, keep on 3.x; docs/leases.md).
    std::optional<bool> fixRemovesLeaseOwner;
    int64_t cutLoopGuardMillis = 600'000;
    std::string logLevel = "info";
    activeset::RedisSettings redis;  // redis.url empty: no shared set
    activeset::WarmStartSettings warmStart;
};

struct ConfigKey {
    std::string name;
    std::string defaultValue;
    std::string meaning;
};
// Every activeUsers.* key with its default and meaning (the README's reference is generated from
// the same facts by `active-users check-config --list`).
const std::vector<ConfigKey>& configKeys();

// Validates and converts. On failure the Status message lists every problem, one per line, each
// starting with the key's name.
Result<Config> configFromProperties(const Properties& properties);
Result<Config> loadConfig(const std::string& path);

// Whether executableName starts our processor (its program is named active-users*): only then do
// the file's activeUsers.* keys configure a processor; any other MultiLangDaemon application is a
// peer the startup fixer can still serve (README "Using the lease fixer with your own KCL
// application").
bool isOurProcessor(const std::string& executableName);
// The file configures our processor: its executableName is ours, or it has none (not a daemon's
// file; our defaults apply, as before this distinction existed).
bool forOurProcessor(const DaemonSettings& daemon);
// The program executableName runs ("node", "/usr/bin/python3", "/opt/x/active-users").
std::string processorProgram(const std::string& executableName);

// The AWS region and endpoints the daemon's properties name (unset ones fall back to the
// environment and the profile in aws::resolveEndpoints).
aws::EndpointSettings endpointSettings(const DaemonSettings& daemon);

}  // namespace au::app
