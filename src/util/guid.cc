#include "util/guid.h"

namespace au {

namespace {
inline int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
}  // namespace

std::optional<Guid> parseGuid(std::string_view s) {
    if (s.size() == 38 && s.front() == '{' && s.back() == '}') s = s.substr(1, 36);
    if (s.size() != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-') {
        return std::nullopt;
    }
    Guid g;
    int nibbles = 0;
    for (size_t i = 0; i < 36; ++i) {
        if (i == 8 || i == 13 || i == 18 || i == 23) continue;
        const int v = hexValue(s[i]);
        if (v < 0) return std::nullopt;
        uint64_t& half = nibbles < 16 ? g.hi : g.lo;
        half = (half << 4) | static_cast<uint64_t>(v);
        ++nibbles;
    }
    return g;
}

std::string formatGuid(const Guid& g) {
    std::string out(36, '-');
    formatGuidTo(g, out.data());
    return out;
}

void formatGuidTo(const Guid& g, char* out) {
    static constexpr char kHex[] = "0123456789abcdef";
    out[8] = out[13] = out[18] = out[23] = '-';
    size_t pos = 0;
    for (int n = 0; n < 32; ++n) {
        if (pos == 8 || pos == 13 || pos == 18 || pos == 23) ++pos;
        const uint64_t half = n < 16 ? g.hi : g.lo;
        const int shift = 60 - 4 * (n % 16);
        out[pos++] = kHex[(half >> shift) & 0xF];
    }
}

}  // namespace au
