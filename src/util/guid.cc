#include "util/guid.h"

#include <array>

namespace au {

namespace {

// Hex digit values; 0xFF for anything else. A table: branches mispredict on random hex.
constexpr std::array<uint8_t, 256> makeHexTable() {
    std::array<uint8_t, 256> t{};
    for (auto& v : t) v = 0xFF;
    for (int c = 0; c < 10; ++c) t['0' + c] = static_cast<uint8_t>(c);
    for (int c = 0; c < 6; ++c) {
        t['a' + c] = static_cast<uint8_t>(10 + c);
        t['A' + c] = static_cast<uint8_t>(10 + c);
    }
    return t;
}
constexpr std::array<uint8_t, 256> kHexValue = makeHexTable();

// Folds 2 * n hex characters into `out`; false on a non-hex character.
inline bool foldHex(const char* s, size_t n, uint64_t& out) {
    uint32_t bad = 0;
    for (size_t i = 0; i < n; ++i) {
        const uint8_t v = kHexValue[static_cast<uint8_t>(s[i])];
        bad |= v;
        out = (out << 4) | (v & 0x0F);
    }
    return (bad & 0xF0) == 0;
}

}  // namespace

std::optional<Guid> parseGuid(std::string_view s) {
    if (s.size() == 38 && s.front() == '{' && s.back() == '}') s = s.substr(1, 36);
    if (s.size() != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-') {
        return std::nullopt;
    }
    Guid g;
    const char* p = s.data();
    const bool ok = foldHex(p, 8, g.hi) && foldHex(p + 9, 4, g.hi) && foldHex(p + 14, 4, g.hi) &&
                    foldHex(p + 19, 4, g.lo) && foldHex(p + 24, 12, g.lo);
    if (!ok) return std::nullopt;
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
