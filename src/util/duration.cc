#include "util/duration.h"

#include <cctype>
#include <cstdint>

namespace au {

std::optional<int64_t> parseDurationMillis(std::string_view text) {
    if (text.empty()) return std::nullopt;
    constexpr int64_t kMax = INT64_MAX / 1000;
    int64_t total = 0;
    size_t i = 0;
    int parts = 0;
    while (i < text.size()) {
        if (!std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
        int64_t n = 0;
        for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
            if (n > kMax / 10) return std::nullopt;
            n = n * 10 + (text[i] - '0');
        }
        const size_t unitStart = i;
        while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
        const std::string_view unit = text.substr(unitStart, i - unitStart);
        int64_t scale = 0;
        if (unit.empty()) {
            // A bare number is seconds, and only on its own ("120"; "1m30" is an error).
            if (parts != 0 || i != text.size()) return std::nullopt;
            scale = 1000;
        } else if (unit == "ms") {
            scale = 1;
        } else if (unit == "s") {
            scale = 1000;
        } else if (unit == "m") {
            scale = 60'000;
        } else if (unit == "h") {
            scale = 3'600'000;
        } else if (unit == "d") {
            scale = 86'400'000;
        } else {
            return std::nullopt;
        }
        if (n > (INT64_MAX - total) / scale) return std::nullopt;
        total += n * scale;
        ++parts;
    }
    return total;
}

}  // namespace au
