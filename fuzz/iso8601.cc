// Fuzz target: ISO-8601 / RFC 3339 times (src/util/time_format.h) — credential expirations and
// heartbeat event times — and the SigV4 date (src/aws/time_format.h).
// Input: the text. Properties: a time that parses formats (UTC, milliseconds) to text that parses
// to the same instant; its calendar fields are those written (a day that does not exist in its
// month is rejected); the formatted form of any instant between years 0 and 9999 parses back.
// (Times that land outside those years, e.g. 0000-01-01T00:00:00+01:00, have no 4-digit form.)
#include <charconv>

#include "aws/time_format.h"
#include "fuzz.h"
#include "util/time_format.h"

using namespace au;

namespace {

int number(std::string_view s, size_t pos, size_t n) {
    int v = 0;
    std::from_chars(s.data() + pos, s.data() + pos + n, v);
    return v;
}

constexpr int64_t kYear0 = -62'167'219'200'000, kYear10000 = 253'402'300'800'000;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text = fuzz::asText(data, size);
    const auto millis = parseIso8601Millis(text);
    if (millis && *millis >= kYear0 && *millis < kYear10000) {
        const std::string formatted = formatIso8601Millis(*millis);
        FUZZ_CHECK(parseIso8601Millis(formatted) == millis);
        // In UTC and within a minute without a leap second, the fields are the ones written.
        const bool utc = text.back() == 'Z' || text.back() == 'z';
        if (utc && number(text, 17, 2) < 60) {
            FUZZ_CHECK(formatted.compare(0, 10, text.substr(0, 10)) == 0);
            FUZZ_CHECK(formatted.compare(11, 8, text.substr(11, 8)) == 0);
        }
        const std::string amz = aws::formatAmzDate(*millis);
        FUZZ_CHECK(amz.size() == 16 && amz[8] == 'T' && amz[15] == 'Z');
    }
    // Any instant from the input's first 8 bytes, clamped to years 0..9999.
    if (size >= 8) {
        int64_t t = 0;
        for (size_t i = 0; i < 8; ++i)
            t = static_cast<int64_t>(static_cast<uint64_t>(t) << 8 | data[i]);
        if (t >= kYear0 && t < kYear10000) {
            FUZZ_CHECK(parseIso8601Millis(formatIso8601Millis(t)) == t);
        }
    }
    return 0;
}
