#include "aws/time_format.h"

#include <cctype>
#include <cstdio>

namespace au::aws {
namespace {

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t daysFromCivil(int64_t y, int64_t m, int64_t d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

struct Civil {
    int64_t year, month, day, hour, minute, second;
};

Civil civilFromMillis(int64_t epochMillis) {
    int64_t secs = epochMillis >= 0 ? epochMillis / 1000 : (epochMillis - 999) / 1000;
    int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
    int64_t sod = secs - days * 86400;
    days += 719468;
    const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const int64_t doe = days - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    const int64_t d = doy - (153 * mp + 2) / 5 + 1;
    const int64_t m = mp + (mp < 10 ? 3 : -9);
    const int64_t y = yoe + era * 400 + (m <= 2);
    return {y, m, d, sod / 3600, (sod % 3600) / 60, sod % 60};
}

Status invalid(const std::string& text) {
    return Status::error("InvalidTimestamp", "not an ISO-8601 time: '" + text + "'");
}

}  // namespace

std::string formatAmzDate(int64_t epochMillis) {
    Civil c = civilFromMillis(epochMillis);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04lld%02lld%02lldT%02lld%02lld%02lldZ",
                  static_cast<long long>(c.year), static_cast<long long>(c.month),
                  static_cast<long long>(c.day), static_cast<long long>(c.hour),
                  static_cast<long long>(c.minute), static_cast<long long>(c.second));
    return buf;
}

std::string formatIso8601(int64_t epochMillis) {
    Civil c = civilFromMillis(epochMillis);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ",
                  static_cast<long long>(c.year), static_cast<long long>(c.month),
                  static_cast<long long>(c.day), static_cast<long long>(c.hour),
                  static_cast<long long>(c.minute), static_cast<long long>(c.second));
    return buf;
}

Result<int64_t> parseIso8601Millis(const std::string& text) {
    size_t pos = 0;
    auto number = [&](size_t digits, int64_t* out) {
        if (pos + digits > text.size()) return false;
        int64_t v = 0;
        for (size_t i = 0; i < digits; ++i) {
            char ch = text[pos + i];
            if (!std::isdigit(static_cast<unsigned char>(ch))) return false;
            v = v * 10 + (ch - '0');
        }
        pos += digits;
        *out = v;
        return true;
    };
    auto expect = [&](char ch) {
        if (pos < text.size() && text[pos] == ch) {
            ++pos;
            return true;
        }
        return false;
    };
    int64_t y, mo, d, h, mi, s;
    if (!number(4, &y) || !expect('-') || !number(2, &mo) || !expect('-') || !number(2, &d))
        return invalid(text);
    if (!(expect('T') || expect('t') || expect(' '))) return invalid(text);
    if (!number(2, &h) || !expect(':') || !number(2, &mi) || !expect(':') || !number(2, &s))
        return invalid(text);
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return invalid(text);
    int64_t millis = 0;
    if (expect('.')) {
        int64_t scale = 100;
        size_t start = pos;
        while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
            millis += (text[pos] - '0') * scale;
            scale /= 10;
            ++pos;
        }
        if (pos == start) return invalid(text);
    }
    int64_t offsetMinutes = 0;
    if (expect('Z') || expect('z')) {
    } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
        int64_t sign = text[pos] == '-' ? -1 : 1;
        ++pos;
        int64_t oh, om;
        if (!number(2, &oh) || !expect(':') || !number(2, &om)) return invalid(text);
        offsetMinutes = sign * (oh * 60 + om);
    } else {
        return invalid(text);
    }
    if (pos != text.size()) return invalid(text);
    int64_t secs = daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offsetMinutes * 60;
    return secs * 1000 + millis;
}

}  // namespace au::aws
