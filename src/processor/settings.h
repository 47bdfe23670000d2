#pragma once
// The processor's settings, read from the activeUsers.* keys (docs/configuration.md).

#include <cstdint>
#include <string>

namespace au::processor {

enum class UserIdSource { kPayload, kPartitionKey };

struct HeartbeatSettings {
    UserIdSource userIdSource = UserIdSource::kPayload;
    std::string userIdField = "userId";  // in a JSON payload
    std::string eventTimeField;          // empty: event time is the arrival time
    bool requireGuid = false;
    int64_t maxEventTimeSkewMillis = 5'000;  // payload time may exceed arrival by at most this
};

struct ProcessorSettings {
    HeartbeatSettings heartbeat;
    int64_t ttlMillis = 120'000;
    int64_t checkpointIntervalMillis = 0;  // 0: never checkpoint while processing
    std::string stateDir;                  // empty: no snapshots
    int64_t snapshotIntervalMillis = 1'000;
    int64_t statsIntervalMillis = 60'000;
};

}  // namespace au::processor
