#pragma once
// The time format only the AWS layer needs. ISO-8601 parsing and formatting live in
// util/time_format.h (parseIso8601Millis, formatIso8601Millis). Pure; thread-safe.

#include <cstdint>
#include <string>

namespace au::aws {

// "20150830T123600Z" (UTC, seconds precision; milliseconds are truncated towards the past).
std::string formatAmzDate(int64_t epochMillis);

}  // namespace au::aws
