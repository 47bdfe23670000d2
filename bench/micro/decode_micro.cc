// Micro-benchmark of the per-record hot spots found by bench/profile, against drop-in alternatives.
// Built and run by bench/profile (not by bench/run):
//   c++ -O2 -std=c++17 -I src bench/micro/decode_micro.cc src/util/base64.cc src/util/guid.cc -o
//   ...
// It uses the project's own au::base64Decode, au::parseGuid and ExpiringTable (read-only) on the
// same data shape as the benchmark (107-byte heartbeats, mixed-case GUIDs), and sketches of faster
// versions:
//   - base64DecodeDirect: same validation, output sized once and written through a pointer (no
//     per-byte push_back with its capacity check and terminator store);
//   - parseGuidLut: one 256-entry table lookup per hex digit instead of three compare-and-branch
//   ranges
//     (the branches mispredict on random hex).
// Prints ns per call. The alternatives are checked to give the same results as the originals.
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "processor/active_user_table.h"
#include "util/base64.h"
#include "util/guid.h"

namespace {

using Clock = std::chrono::steady_clock;

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<uint8_t, 256> makeB64() {
    std::array<uint8_t, 256> t{};
    for (auto& v : t) v = 0xFF;
    for (uint8_t i = 0; i < 64; ++i) t[static_cast<uint8_t>(kAlphabet[i])] = i;
    return t;
}
constexpr auto kB64 = makeB64();

bool base64DecodeDirect(std::string_view in, std::string& out) {
    size_t n = in.size(), pad = 0;
    if (n % 4 == 0 && n >= 4) {
        if (in[n - 1] == '=') ++pad;
        if (in[n - 2] == '=') ++pad;
    }
    const size_t body = n - pad;
    if (body % 4 == 1) return false;
    const size_t old = out.size();
    out.resize(old + body / 4 * 3 + (body % 4 ? body % 4 - 1 : 0));
    auto* o = reinterpret_cast<unsigned char*>(out.data() + old);
    const auto* s = reinterpret_cast<const unsigned char*>(in.data());
    size_t i = 0;
    uint8_t bad = 0;
    for (; i + 4 <= body; i += 4) {
        const uint8_t a = kB64[s[i]], b = kB64[s[i + 1]], c = kB64[s[i + 2]], d = kB64[s[i + 3]];
        bad |= a | b | c | d;
        const uint32_t v = (uint32_t{a} << 18) | (uint32_t{b} << 12) | (uint32_t{c} << 6) | d;
        o[0] = static_cast<unsigned char>(v >> 16);
        o[1] = static_cast<unsigned char>(v >> 8);
        o[2] = static_cast<unsigned char>(v);
        o += 3;
    }
    if (bad & 0xC0) return false;
    const size_t rest = body - i;
    if (rest == 2) {
        const uint8_t a = kB64[s[i]], b = kB64[s[i + 1]];
        if ((a | b) & 0xC0 || (b & 0x0F) != 0) return false;
        *o = static_cast<unsigned char>((a << 2) | (b >> 4));
    } else if (rest == 3) {
        const uint8_t a = kB64[s[i]], b = kB64[s[i + 1]], c = kB64[s[i + 2]];
        if ((a | b | c) & 0xC0 || (c & 0x03) != 0) return false;
        o[0] = static_cast<unsigned char>((a << 2) | (b >> 4));
        o[1] = static_cast<unsigned char>(((b & 0x0F) << 4) | (c >> 2));
    }
    if (pad != 0 && (rest == 0 || 4 - rest != pad)) return false;
    return true;
}

constexpr std::array<uint8_t, 256> makeHex() {
    std::array<uint8_t, 256> t{};
    for (auto& v : t) v = 0xFF;
    for (int c = '0'; c <= '9'; ++c) t[c] = static_cast<uint8_t>(c - '0');
    for (int c = 'a'; c <= 'f'; ++c) t[c] = static_cast<uint8_t>(c - 'a' + 10);
    for (int c = 'A'; c <= 'F'; ++c) t[c] = static_cast<uint8_t>(c - 'A' + 10);
    return t;
}
constexpr auto kHex = makeHex();

std::optional<au::Guid> parseGuidLut(std::string_view s) {
    if (s.size() == 38 && s.front() == '{' && s.back() == '}') s = s.substr(1, 36);
    if (s.size() != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-')
        return std::nullopt;
    static constexpr uint8_t kPos[32] = {0,  1,  2,  3,  4,  5,  6,  7,  9,  10, 11,
                                         12, 14, 15, 16, 17, 19, 20, 21, 22, 24, 25,
                                         26, 27, 28, 29, 30, 31, 32, 33, 34, 35};
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    uint64_t hi = 0, lo = 0;
    uint8_t bad = 0;
    for (int k = 0; k < 16; ++k) {
        const uint8_t v = kHex[p[kPos[k]]];
        bad |= v;
        hi = (hi << 4) | (v & 0xF);
    }
    for (int k = 16; k < 32; ++k) {
        const uint8_t v = kHex[p[kPos[k]]];
        bad |= v;
        lo = (lo << 4) | (v & 0xF);
    }
    if (bad & 0xF0) return std::nullopt;
    return au::Guid{hi, lo};
}

std::string randomGuid(std::mt19937_64& rng, bool upper) {
    static const char* lowerHex = "0123456789abcdef";
    static const char* upperHex = "0123456789ABCDEF";
    const char* hex = upper ? upperHex : lowerHex;
    std::string g(36, '-');
    for (int i = 0; i < 36; ++i) {
        if (i == 8 || i == 13 || i == 18 || i == 23) continue;
        g[i] = hex[rng() & 15];
    }
    return g;
}

template <class F>
double nsPer(size_t calls, F&& f) {
    double best = 1e300;
    for (int rep = 0; rep < 5; ++rep) {
        const auto t0 = Clock::now();
        f();
        const double ns =
            std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / calls;
        if (ns < best) best = ns;
    }
    return best;
}

volatile uint64_t g_sink;

}  // namespace

int main() {
    std::mt19937_64 rng(42);
    const size_t n = 100'000;
    std::vector<std::string> guids, data;
    guids.reserve(n);
    data.reserve(n);
    for (size_t i = 0; i < n; ++i) {
        guids.push_back(randomGuid(rng, i % 8 == 7));
        std::string json = "{\"userId\":\"" + guids.back() +
                           "\",\"ts\":" + std::to_string(1795814171616 + i) +
                           ",\"type\":\"heartbeat\",\"client\":\"web/2.14\"}";
        data.push_back(au::base64Encode(json));
    }
    // Equivalence checks.
    std::string a, b;
    for (size_t i = 0; i < n; ++i) {
        a.clear();
        b.clear();
        if (au::base64Decode(data[i], a) != base64DecodeDirect(data[i], b) || a != b) {
            std::printf("base64 mismatch at %zu\n", i);
            return 1;
        }
        if (au::parseGuid(guids[i]) != parseGuidLut(guids[i])) {
            std::printf("guid mismatch at %zu\n", i);
            return 1;
        }
    }
    for (const char* bad :
         {"", "=", "A===", "AB=C", "ABC$", "QUJD\n", "QQ==", "QR==", "QUI=", "QUJ="}) {
        a.clear();
        b.clear();
        const bool okA = au::base64Decode(bad, a), okB = base64DecodeDirect(bad, b);
        if (okA != okB || (okA && a != b)) {
            std::printf("base64 mismatch on \"%s\"\n", bad);
            return 1;
        }
    }

    std::string out;
    out.reserve(256);
    const double b64Orig = nsPer(n, [&] {
        for (size_t i = 0; i < n; ++i) {
            out.clear();
            au::base64Decode(data[i], out);
            g_sink = g_sink + static_cast<uint64_t>(out[5]);
        }
    });
    const double b64Direct = nsPer(n, [&] {
        for (size_t i = 0; i < n; ++i) {
            out.clear();
            base64DecodeDirect(data[i], out);
            g_sink = g_sink + static_cast<uint64_t>(out[5]);
        }
    });
    const double guidOrig = nsPer(n, [&] {
        for (size_t i = 0; i < n; ++i) g_sink = g_sink + au::parseGuid(guids[i])->lo;
    });
    const double guidLut = nsPer(n, [&] {
        for (size_t i = 0; i < n; ++i) g_sink = g_sink + parseGuidLut(guids[i])->lo;
    });
    std::printf(
        "base64Decode (107-byte heartbeat): project %.1f ns, direct-write sketch %.1f ns (%.1fx)\n",
        b64Orig, b64Direct, b64Orig / b64Direct);
    std::printf(
        "parseGuid (mixed case):            project %.1f ns, lookup-table sketch %.1f ns (%.1fx)\n",
        guidOrig, guidLut, guidOrig / guidLut);

    // The table alone: random upserts over U distinct users, times rising (as in the benchmark).
    for (size_t users : {size_t{100'000}, size_t{1'000'000}}) {
        std::vector<au::Guid> keys(users);
        for (auto& k : keys) k = au::Guid{rng(), rng()};
        au::processor::ActiveUserTable table(3'600'000);
        int64_t t = 1795814171616;
        for (const auto& k : keys) table.apply("", k, t);  // fill
        const size_t ops = 2'000'000;
        std::vector<uint32_t> order(ops);
        for (auto& o : order) o = static_cast<uint32_t>(rng() % users);
        const auto t0 = Clock::now();
        for (size_t i = 0; i < ops; ++i)
            table.apply("", keys[order[i]], t + static_cast<int64_t>(i / 16));
        const double ns = std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / ops;
        std::printf(
            "ActiveUserTable::apply, %zu users (random order, time rising ~60 ms per 1,000 ops): "
            "%.1f ns, "
            "memoryBytes %.1f B/user\n",
            users, ns, static_cast<double>(table.memoryBytes()) / users);
    }
    return 0;
}
