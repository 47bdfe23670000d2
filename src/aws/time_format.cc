#include "aws/time_format.h"

#include "util/time_format.h"

namespace au::aws {

std::string formatAmzDate(int64_t epochMillis) {
    // "YYYY-MM-DDTHH:MM:SS.mmmZ" -> "YYYYMMDDTHHMMSSZ"
    const std::string iso = formatIso8601Millis(epochMillis);
    std::string out;
    out.reserve(16);
    for (size_t i = 0; i < 19; ++i) {
        if (iso[i] != '-' && iso[i] != ':') out += iso[i];
    }
    out += 'Z';
    return out;
}

}  // namespace au::aws
