#pragma once
// Logging goes to stderr only, through spdlog's default logger. spdlog's own default logger
// writes to stdout — the protocol stream in processor mode, the command's output (`query --json`,
// `fix-leases --json`) otherwise — so both executables call initLogging as the first statement of
// main(), before any command runs; commands then only adjust the tag and the level.
//
// The MultiLangDaemon re-logs every stderr line of ours at ERROR level, so the program logs little:
// start/stop, a stats line at most every minute, and rate-limited samples of problems.

#include <spdlog/spdlog.h>

#include <cstdint>
#include <string>

#include "util/clock.h"

namespace au {

// Replaces the default logger with one writing to stderr: "active-users[<tag>] <level>: <msg>".
// `level` is an spdlog level name (trace, debug, info, warn, error, off); unknown names mean info.
void initLogging(const std::string& tag, const std::string& level = "info");
// Changes the tag shown on every line (e.g. once the shard id is known).
void setLogTag(const std::string& tag);
// Changes the level (names as for initLogging).
void setLogLevel(const std::string& level);

// Lets one log line through at most every `intervalMillis`, counting the suppressed ones.
class LogThrottle {
  public:
    explicit LogThrottle(int64_t intervalMillis) : interval_(intervalMillis) {}
    // True when a line may be written now; `suppressed` then holds how many were held back since.
    bool allow(const Clock& clock, uint64_t* suppressed = nullptr);

  private:
    int64_t interval_;
    int64_t last_ = INT64_MIN;
    uint64_t held_ = 0;
};

}  // namespace au
