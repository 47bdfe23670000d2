#pragma once
// ISO-8601 / RFC 3339 timestamps <-> epoch milliseconds (UTC).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace au {

// Parses "YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM|±HHMM)"; a space may replace 'T' and 't'/'z' are
// accepted. A timestamp without a zone is rejected (its meaning would be a guess), and so is a
// day its month does not have (2023-02-29).
std::optional<int64_t> parseIso8601Millis(std::string_view text);

// "YYYY-MM-DDTHH:MM:SS.mmmZ"
std::string formatIso8601Millis(int64_t epochMillis);

// Floor division, for bucketing times that may be negative.
inline int64_t floorDiv(int64_t a, int64_t b) {
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
    return q;
}

}  // namespace au
