#pragma once
// Durations as people write them on a command line: "2m", "90s", "1h30m", "500ms", "120" (a bare
// number is seconds). Units: ms, s, m, h, d; parts in any order, each a non-negative integer.

#include <cstdint>
#include <optional>
#include <string_view>

namespace au {

// The duration in milliseconds, or nullopt when the text is empty, malformed or past ~292 years.
std::optional<int64_t> parseDurationMillis(std::string_view text);

}  // namespace au
