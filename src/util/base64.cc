#include "util/base64.h"

#include <array>
#include <cstdint>

namespace au {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr uint8_t kInvalid = 0xFF;

constexpr std::array<uint8_t, 256> makeTable() {
    std::array<uint8_t, 256> t{};
    for (auto& v : t) v = kInvalid;
    for (uint8_t i = 0; i < 64; ++i) t[static_cast<uint8_t>(kAlphabet[i])] = i;
    return t;
}
constexpr std::array<uint8_t, 256> kTable = makeTable();

inline uint8_t lookup(char c) { return kTable[static_cast<uint8_t>(c)]; }

// The same values pre-shifted into place for each of a quad's four positions, so a quad decodes to
// its 24 bits with four loads and three ORs; an invalid character sets bit 31.
constexpr uint32_t kBad = 0x80000000u;
constexpr std::array<uint32_t, 256> makeShifted(int shift) {
    std::array<uint32_t, 256> t{};
    for (size_t i = 0; i < 256; ++i) {
        t[i] = kTable[i] == kInvalid ? kBad : static_cast<uint32_t>(kTable[i]) << shift;
    }
    return t;
}
constexpr std::array<uint32_t, 256> kQuad0 = makeShifted(18), kQuad1 = makeShifted(12),
                                    kQuad2 = makeShifted(6), kQuad3 = makeShifted(0);

inline uint32_t quad(const char* p) {
    return kQuad0[static_cast<uint8_t>(p[0])] | kQuad1[static_cast<uint8_t>(p[1])] |
           kQuad2[static_cast<uint8_t>(p[2])] | kQuad3[static_cast<uint8_t>(p[3])];
}

}  // namespace

bool base64Decode(std::string_view in, std::string& out) {
    const size_t n = in.size();
    size_t pad = 0;
    if (n % 4 == 0 && n >= 4) {
        if (in[n - 1] == '=') ++pad;
        if (in[n - 2] == '=') ++pad;
    }
    const size_t body = n - pad;  // characters that carry data
    if (body % 4 == 1) return false;
    // With padding, the padded length must match the data length.
    if (pad != 0 && 4 - body % 4 != pad) return false;

    // Size the output once and write through a pointer (push_back per byte costs twice as much).
    const size_t start = out.size();
    out.resize(start + body / 4 * 3 + (body % 4 == 0 ? 0 : body % 4 - 1));
    auto* dst = reinterpret_cast<unsigned char*>(out.data() + start);
    const char* src = in.data();
    size_t i = 0;
    uint32_t bad = 0;
    for (; i + 4 <= body; i += 4) {
        const uint32_t v = quad(src + i);
        bad |= v;
        dst[0] = static_cast<unsigned char>(v >> 16);
        dst[1] = static_cast<unsigned char>(v >> 8);
        dst[2] = static_cast<unsigned char>(v);
        dst += 3;
    }
    if (bad & kBad) return false;
    const size_t rest = body - i;
    if (rest == 2) {
        const uint32_t a = lookup(src[i]), b = lookup(src[i + 1]);
        if ((a | b) & 0xC0 || (b & 0x0F) != 0) return false;
        dst[0] = static_cast<unsigned char>((a << 2) | (b >> 4));
    } else if (rest == 3) {
        const uint32_t a = lookup(src[i]), b = lookup(src[i + 1]), c = lookup(src[i + 2]);
        if ((a | b | c) & 0xC0 || (c & 0x03) != 0) return false;
        dst[0] = static_cast<unsigned char>((a << 2) | (b >> 4));
        dst[1] = static_cast<unsigned char>(((b & 0x0F) << 4) | (c >> 2));
    }
    return true;
}

std::string base64Encode(std::string_view in) {
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    size_t i = 0;
    auto byte = [&](size_t k) { return static_cast<uint32_t>(static_cast<uint8_t>(in[k])); };
    for (; i + 3 <= in.size(); i += 3) {
        const uint32_t v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
        out.push_back(kAlphabet[v >> 18]);
        out.push_back(kAlphabet[(v >> 12) & 63]);
        out.push_back(kAlphabet[(v >> 6) & 63]);
        out.push_back(kAlphabet[v & 63]);
    }
    if (in.size() - i == 1) {
        const uint32_t v = byte(i) << 16;
        out.push_back(kAlphabet[v >> 18]);
        out.push_back(kAlphabet[(v >> 12) & 63]);
        out += "==";
    } else if (in.size() - i == 2) {
        const uint32_t v = (byte(i) << 16) | (byte(i + 1) << 8);
        out.push_back(kAlphabet[v >> 18]);
        out.push_back(kAlphabet[(v >> 12) & 63]);
        out.push_back(kAlphabet[(v >> 6) & 63]);
        out.push_back('=');
    }
    return out;
}

}  // namespace au
