#pragma once
// GUIDs (UUIDs) as 16 bytes: parsing, canonical (lower-case) formatting, hashing.

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace au {

struct Guid {
    uint64_t hi = 0;
    uint64_t lo = 0;
    bool operator==(const Guid& o) const { return hi == o.hi && lo == o.lo; }
    bool operator!=(const Guid& o) const { return !(*this == o); }
    bool operator<(const Guid& o) const { return hi != o.hi ? hi < o.hi : lo < o.lo; }
};

// Accepts the 8-4-4-4-12 hex form in any letter case, optionally in braces ("{...}").
std::optional<Guid> parseGuid(std::string_view text);

// The canonical lower-case 8-4-4-4-12 form.
std::string formatGuid(const Guid& g);
// The same into a caller's buffer of at least 36 characters (no terminator).
void formatGuidTo(const Guid& g, char* out);

struct GuidHash {
    size_t operator()(const Guid& g) const {
        // GUID bits are mostly random already; one multiply mixes the halves.
        return static_cast<size_t>(
            (g.hi ^ (g.lo * 0x9E3779B97F4A7C15ull)) * 0xFF51AFD7ED558CCDull >> 7);
    }
};

}  // namespace au
