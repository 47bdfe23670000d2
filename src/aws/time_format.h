#pragma once
// Conversions between epoch milliseconds and the time formats AWS uses. Pure; thread-safe.

#include <cstdint>
#include <string>

#include "util/status.h"

namespace au::aws {

// "20150830T123600Z" (UTC, seconds precision; milliseconds are truncated).
std::string formatAmzDate(int64_t epochMillis);
// "2015-08-30T12:36:00Z" (UTC).
std::string formatIso8601(int64_t epochMillis);
// Parses ISO-8601 / RFC 3339 date-times as AWS sends them: "2015-08-30T12:36:00Z",
// "2015-08-30T12:36:00.123Z", "2015-08-30T12:36:00+02:00". Fails with "InvalidTimestamp".
Result<int64_t> parseIso8601Millis(const std::string& text);

}  // namespace au::aws
